"""QUIZ_REDIS_URL and QUIZ_REDIS_CLUSTER choose the right redis-py client.

No Sentinel or Cluster runs here: a Sentinel client is built for real (it connects
lazily) and checked for its pool; a Cluster client connects while it is built, so for
Cluster the description is checked (class, startup nodes) and, against the suite's
plain Redis, that building it really speaks the cluster protocol.
"""

from __future__ import annotations

import pytest
import redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException
from redis.sentinel import Sentinel, SentinelConnectionPool

from quiz import create_app
from quiz.accounts import ratelimits
from quiz.redis_config import redis_spec


def test_a_plain_url_builds_one_server_client():
    spec = redis_spec("redis://127.0.0.1:6379/4", decode_responses=True)
    assert spec.kind == "single" and spec.factory is redis.Redis
    client = spec.build()
    assert type(client) is redis.Redis
    assert client.connection_pool.connection_kwargs["db"] == 4
    assert spec.limiter_uri() == "redis://127.0.0.1:6379/4"


def test_a_sentinel_url_follows_the_named_primary():
    spec = redis_spec(
        "redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26380/quiz-primary/2",
        decode_responses=True,
        socket_timeout=1.0,
    )
    assert spec.kind == "sentinel" and spec.factory is Sentinel
    assert spec.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26380))
    assert (spec.service, spec.db, spec.password) == ("quiz-primary", 2, "s3cret")
    client = spec.build()  # no connection yet: Sentinel is asked on first command
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "quiz-primary" and pool.is_master
    assert pool.connection_kwargs["db"] == 2
    assert pool.connection_kwargs["password"] == "s3cret"
    assert (
        spec.build(socket_timeout=60.0).connection_pool.connection_kwargs["socket_timeout"] == 60.0
    )
    assert spec.limiter_uri().startswith("redis+sentinel://")


def test_a_sentinel_url_must_name_its_service():
    with pytest.raises(ValueError, match="service"):
        redis_spec("redis+sentinel://10.0.0.1:26379")


def test_cluster_mode_builds_a_redis_cluster_client(redis_url):
    spec = redis_spec("redis://10.0.0.1:7000,10.0.0.2:7001", cluster=True, socket_timeout=1.0)
    assert spec.kind == "cluster" and spec.factory is RedisCluster
    assert [(n.host, n.port) for n in spec.cluster_nodes()] == [
        ("10.0.0.1", 7000),
        ("10.0.0.2", 7001),
    ]
    assert spec.limiter_uri() == "redis+cluster://10.0.0.1:7000,10.0.0.2:7001"
    if redis_url.startswith("redis://"):
        # The suite's Redis is a single server: the cluster client asks it for its slots
        # while being built, and is refused.
        with pytest.raises(RedisClusterException):
            redis_spec(redis_url, cluster=True, socket_timeout=1.0).build()


def test_the_app_reads_the_settings(tmp_path):
    app = create_app(
        {
            "QUIZ_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "QUIZ_REDIS_URL": "redis+sentinel://127.0.0.1:26379/quiz",
            "RATELIMIT_ENABLED": False,
        }
    )
    handle = app.extensions["quiz_redis"]
    assert handle.spec.kind == "sentinel" and handle.spec.service == "quiz"
    assert ratelimits.storage_uri(app) == "redis+sentinel://127.0.0.1:26379/quiz"
    app.config["QUIZ_REDIS_URL"] = "redis://127.0.0.1:7000"
    app.config["QUIZ_REDIS_CLUSTER"] = True
    assert ratelimits.storage_uri(app) == "redis+cluster://127.0.0.1:7000"
