"""Test fixtures: a real database and a real Redis for every test.

By default SQLite (a file per test session) and an embedded Redis server that the session
starts and stops itself. ``QUIZ_TEST_DATABASE_URL`` and ``QUIZ_TEST_REDIS_URL`` switch to
a PostgreSQL and a Redis server; a missing service fails the run, it is never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from quiz import create_app
from quiz.embedded_redis import EmbeddedRedis
from quiz.extensions import db
from tests.factories import Factories

START = datetime(2026, 9, 15, 8, 0, 0)

# System tests that start real servers (gunicorn, a browser) or run a harness for seconds
# to minutes: marked ``slow`` here, by file, so ``make test-fast`` (``-m "not slow"``)
# leaves them out and a new slow file is one line. Everything under tests/browser/ is
# ``slow`` as well as ``browser``.
SLOW_FILES = frozenset(
    {
        "test_bench_smoke.py",  # bench run/contest/live --quick on real gunicorn servers
        "security/test_soak.py",  # ~15 s of mixed traffic against gunicorn
        "security/test_worker_kill.py",  # gunicorn workers killed mid-burst
        "ops/test_gunicorn.py",  # metrics across two gunicorn workers
        "live/test_two_servers.py",  # one live game over two gunicorn servers
        "test_type_checking.py",  # a whole mypy run without its cache (the ratchet)
    }
)
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked_for_cluster = "cluster" in (config.option.markexpr or "")
    deselected = []
    for item in items:
        where = item.path.relative_to(TESTS).as_posix()
        if where.startswith("browser/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif where in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        elif where.startswith("cluster/"):
            # The scale-out profile starts its own Redis Cluster and Sentinels: only
            # ``make test-cluster`` (``-m cluster``) runs it, not the two other profiles.
            item.add_marker(pytest.mark.cluster)
            if not asked_for_cluster:
                deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


class Clock:
    """A server clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> datetime:
        self.moment += timedelta(**kwargs)
        return self.moment


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("QUIZ_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:  # a clean schema for this session
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    yield url


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis | None]:
    if os.environ.get("QUIZ_TEST_REDIS_URL"):
        yield None
        return
    # A short path: unix socket paths are limited to ~100 bytes.
    server = EmbeddedRedis(tmp_path_factory.mktemp("r"), persist=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: EmbeddedRedis | None) -> str:
    return os.environ.get("QUIZ_TEST_REDIS_URL") or redis_server.url  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def migrated(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per session through the real Alembic migrations."""
    from flask_migrate import upgrade

    app = create_app(_config(database_url, redis_url, tmp_path_factory.mktemp("inst")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _config(database_url: str, redis_url: str, instance: Path) -> dict[str, Any]:
    return {
        "QUIZ_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "QUIZ_REDIS_URL": redis_url,
        "QUIZ_REDIS_DIR": str(instance / "redis"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests/security/test_rate_limits.py turns them on
    }


def _clean(app: Flask) -> None:
    """Empty every table but the reference data, children first."""
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "regions"]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change settings (e.g. enable CSRF)."""
    return {}


@pytest.fixture
def app(
    migrated: str, redis_url: str, clock: Clock, tmp_path: Path, config_overrides: dict[str, Any]
) -> Iterator[Flask]:
    config = _config(migrated, redis_url, tmp_path)
    config["QUIZ_CLOCK"] = clock
    config.update(config_overrides)
    app = create_app(config)
    _clean(app)
    redis.Redis.from_url(redis_url).flushdb()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production.

    The test keeps an app context open for factories and services; without this, Flask
    would reuse it for requests and ``g`` (and the logged-in user cached there) would
    leak from one request into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        db.session.commit()  # the test's own transaction must not hold SQLite's lock
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask, clock: Clock) -> Factories:
    return Factories(clock)
