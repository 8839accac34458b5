"""What the lane tests share: a count of the requests that reach the Flask views a lane
stands in for (a request the lane serves never does)."""

from __future__ import annotations

from typing import Any

import pytest


def views_reached(app: Any, monkeypatch: pytest.MonkeyPatch, *endpoints: str) -> list[str]:
    """A list that gets the endpoint's name each time one of ``endpoints``' views is
    called (its decorators included: a login refusal counts)."""
    calls: list[str] = []
    for endpoint in endpoints:
        view = app.view_functions[endpoint]

        def counting(*args: Any, _view: Any = view, _name: str = endpoint, **kwargs: Any) -> Any:
            calls.append(_name)
            return _view(*args, **kwargs)

        monkeypatch.setitem(app.view_functions, endpoint, counting)
    return calls
