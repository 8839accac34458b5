"""The ops tests make extra app servers (one whose Redis is gone, one with plain logs):
their database engines are disposed after each test, so no pooled PostgreSQL connection
is left for the garbage collector to find (a ResourceWarning in some later test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import quiz
from quiz.extensions import db


@pytest.fixture(autouse=True)
def _dispose_extra_apps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    made: list[Any] = []
    real = quiz.create_app

    def tracked(*args: Any, **kwargs: Any) -> Any:
        app = real(*args, **kwargs)
        made.append(app)
        return app

    monkeypatch.setattr(quiz, "create_app", tracked)
    for module in ("tests.ops.test_health", "tests.ops.test_metrics"):
        monkeypatch.setattr(f"{module}.create_app", tracked, raising=False)
    yield
    for app in made:
        with app.app_context():
            db.engine.dispose()
        client = app.extensions.get("quiz_redis")
        if client is not None and hasattr(client, "close"):
            client.close()
