"""Bearer tokens are kept per process, and a revocation still ends them at once.

The cache (``quiz.accounts.token_cache``) spares a SQL round trip on every API request;
what it must never do is keep a revoked token, or a deactivated account, working longer
than about a second anywhere, or at all in the process that revoked it.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from sqlalchemy import event, select

from quiz import create_app
from quiz.accounts import token_cache as tc
from quiz.accounts.models import ApiToken, User
from quiz.extensions import db
from tests.factories import PASSWORD


def _bearer(client: Any, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def token_queries(app: Any) -> Any:
    seen: list[str] = []

    def listener(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if "api_tokens" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listener)


def test_a_token_is_looked_up_once_per_process(client, make, token_queries):
    make.user("nara")
    headers = _bearer(client, "nara")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).json["username"] == "nara"
    assert len(token_queries) == 1


def test_revoking_by_password_change_ends_a_cached_token_at_once(app, client, make):
    from quiz.accounts.services import change_password

    user = make.user("nara")
    headers = _bearer(client, "nara")
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # now cached
    change_password(
        user, current_password=PASSWORD, new_password="Another-Pass-2026", now=make.clock()
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("change", ["revoke", "deactivate"])
def test_any_commit_that_revokes_or_deactivates_ends_a_cached_token(client, make, change):
    user = make.user("nara")
    headers = _bearer(client, "nara")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    if change == "revoke":
        db.session.scalar(select(ApiToken)).revoked = True
    else:
        db.session.get(User, user.id).is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_another_server_sees_a_revocation_within_the_epoch_check(
    app, client, make, migrated, redis_url, tmp_path, clock
):
    """Two app processes share Redis: one revokes, the other's copy dies at its next
    epoch check (at most ``EPOCH_CHECK_SECONDS`` later)."""
    make.user("nara")
    headers = _bearer(client, "nara")
    now = [1000.0]
    other = create_app(
        {
            "QUIZ_ENV": "testing",
            "SECRET_KEY": "other",
            "SQLALCHEMY_DATABASE_URI": migrated,
            "QUIZ_REDIS_URL": redis_url,
            "QUIZ_REDIS_DIR": str(tmp_path / "r2"),
            "RATELIMIT_ENABLED": False,
            "QUIZ_CLOCK": clock,
        }
    )
    other.extensions["quiz_token_cache"] = tc.TokenCache(60, clock=lambda: now[0])
    other_client = other.test_client()
    db.session.commit()
    assert other_client.get("/api/v1/me", headers=headers).status_code == 200  # cached there

    db.session.scalar(select(ApiToken)).revoked = True
    db.session.commit()  # in this process: bumps the epoch in Redis

    now[0] += tc.EPOCH_CHECK_SECONDS / 2  # before the other's next check: still its copy
    assert other_client.get("/api/v1/me", headers=headers).status_code == 200
    now[0] += tc.EPOCH_CHECK_SECONDS
    assert other_client.get("/api/v1/me", headers=headers).status_code == 401
    with other.app_context():
        db.engine.dispose()


def test_without_redis_the_cache_is_not_trusted(app):
    """If the epoch cannot be read, every lookup goes to SQL (``load``)."""
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    cache = tc.TokenCache(60)
    loads: list[int] = []

    def load() -> None:
        loads.append(1)

    for _ in range(3):
        cache._checked = float("-inf")
        cache.lookup("hash", make_now(), load, dead)
    assert len(loads) == 3


def make_now() -> Any:
    from datetime import datetime

    return datetime(2026, 9, 15, 8, 0, 0)


def test_a_zero_ttl_turns_the_cache_off(app, client, make, token_queries):
    app.config["QUIZ_TOKEN_CACHE_SECONDS"] = 0
    app.extensions.pop("quiz_token_cache", None)
    make.user("nara")
    headers = _bearer(client, "nara")
    for _ in range(2):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(token_queries) == 2
