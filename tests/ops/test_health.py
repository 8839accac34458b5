"""``/healthz`` and ``/readyz``: what a load balancer asks, answered without an account,
a cookie or a rate limit, and without telling an outsider anything but which part failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quiz import create_app
from tests.conftest import _config

REQUEST_ID = "lb-probe-0001"


def test_healthz_answers_without_anything_else(client):
    response = client.get("/healthz", headers={"X-Request-ID": REQUEST_ID})
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"] == REQUEST_ID
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_with_database_redis_and_migrations_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "ok"},
    }
    assert "Set-Cookie" not in response.headers


def _app(database_url: str, redis_url: str, instance: Path) -> Any:
    config = _config(database_url, redis_url, instance)
    return create_app(config)


def test_readyz_names_redis_when_it_is_unreachable(migrated, tmp_path):
    app = _app(migrated, "redis://127.0.0.1:1/0", tmp_path)  # nothing listens on port 1
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)
    app.extensions["quiz_redis"].close()


def test_readyz_names_the_database_when_it_is_unreachable(redis_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'quiz.sqlite3'}"
    app = _app(url, redis_url, tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {
        "database": "unreachable",
        "migrations": "unknown",
        "redis": "ok",
    }
    assert "no-such-folder" not in response.get_data(as_text=True)
    # Liveness does not depend on it.
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_says_when_migrations_are_not_at_head(redis_url, tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}", redis_url, tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "not at head"
    assert response.json["checks"]["database"] == "ok"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_LOGIN_IP": "2/minute"}


def test_no_rate_limit_counts_health_checks(client, make):
    """Limits on, tight: a load balancer polling hundreds of times is never refused."""
    for _ in range(3):  # the limits really are on
        last = client.post("/login", data={"username": "nobody", "password": "x"})
    assert last.status_code == 429
    for _ in range(200):
        assert client.get("/healthz").status_code == 200
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
