"""What the lane tests share: a count of the requests that reach the Flask views a lane
stands in for (a request the lane serves never does), and a process made cold."""

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


def as_another_worker(app: Any) -> None:
    """No copy of any bearer token or attempt's drawn items in this process, as in a
    worker that has not served them within the minute; the revocation counter read, as
    it is once a second per process, not per request."""
    from quiz.accounts.token_cache import token_cache
    from quiz.extensions import db, redis_store
    from quiz.play.hotpath import forget_drawn

    with app.app_context():
        token_cache().forget()
        token_cache().known("epoch", redis_store.client)
        forget_drawn()
    db.session.remove()
