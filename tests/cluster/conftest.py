"""The scale-out profile (``make test-cluster``): the app on a real Redis Cluster and on
a real Sentinel-watched primary, both started here with the machine's redis-server
(tests/cluster/servers.py) and stopped when the session ends, also when it fails.

Every test under tests/cluster is marked ``cluster`` (tests/conftest.py) and runs only
when asked for (``-m cluster``), since it starts seven Redis processes; the SQL side is
the suite's usual one (SQLite by default, ``QUIZ_TEST_DATABASE_URL`` for PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from quiz import create_app
from quiz.extensions import db, redis_store
from tests.cluster.servers import RedisClusterServers, RedisSentinelServers
from tests.conftest import _clean, _config


@pytest.fixture(scope="session")
def cluster_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    servers = RedisClusterServers(tmp_path_factory.mktemp("cl")).start()
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def sentinel_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinelServers]:
    servers = RedisSentinelServers(tmp_path_factory.mktemp("se")).start()
    yield servers
    servers.stop()


@dataclass(frozen=True)
class Engine:
    """One Redis topology the app runs on: its name, its servers, the app's settings."""

    name: str
    servers: RedisClusterServers | RedisSentinelServers

    @property
    def settings(self) -> dict[str, Any]:
        return {"QUIZ_REDIS_URL": self.servers.url, "QUIZ_REDIS_CLUSTER": self.name == "cluster"}


@pytest.fixture(params=["cluster", "sentinel"])
def engine(request: pytest.FixtureRequest) -> Engine:
    servers = request.getfixturevalue(f"{request.param}_servers")
    return Engine(request.param, servers)


@pytest.fixture
def app(
    migrated: str,
    engine: Engine,
    clock: Any,
    tmp_path: Path,
    config_overrides: dict[str, Any],
) -> Iterator[Flask]:
    """The suite's app (tests/conftest.py), its Redis the engine's, emptied first."""
    config = _config(migrated, engine.servers.url, tmp_path)
    config.update(engine.settings)
    config["QUIZ_CLOCK"] = clock
    config.update(config_overrides)
    app = create_app(config)
    _clean(app)
    engine.servers.flush()
    with app.app_context():
        assert redis_store.spec.kind == engine.name
        yield app
        db.session.remove()
        db.engine.dispose()
