"""Which Redis client the app builds from its settings: one server, Sentinel, or Cluster.

- ``QUIZ_REDIS_URL=redis://host:6379/0`` (or ``rediss://``, ``unix://``): one server.
- ``QUIZ_REDIS_URL=redis+sentinel://[:password@]host1:26379,host2:26379/<service>[/<db>]``:
  redis-py's ``Sentinel`` asks the sentinels for the current primary of ``<service>``
  and follows failovers (``master_for``); the password, if any, is the primary's.
- ``QUIZ_REDIS_CLUSTER=1`` with ``QUIZ_REDIS_URL=redis://host:7000`` (any node):
  redis-py's ``RedisCluster``. Every key of a contest carries the hash tag ``{c<id>}``,
  so a contest's boards, parts and names live in one slot and the multi-key board
  script stays legal.

The client is described first (``RedisSpec``) and built on first use, so settings can be
checked without a server (tests/test_redis_config.py). ``make test-cluster`` runs the app
on a real three-master Cluster and a Sentinel pair (tests/cluster).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True)
class RedisSpec:
    """How to build the client: ``kind`` is "single", "sentinel" or "cluster"."""

    kind: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    sentinels: tuple[tuple[str, int], ...] = ()
    service: str = ""
    db: int = 0
    password: str | None = None

    def build(self, **overrides: Any) -> Any:
        """A new client (``overrides``: e.g. a longer socket timeout for a rebuild)."""
        options = {**self.options, **overrides}
        if self.kind == "sentinel":
            sentinel = Sentinel(
                list(self.sentinels),
                socket_timeout=options.get("socket_timeout"),
                socket_connect_timeout=options.get("socket_connect_timeout"),
            )
            return sentinel.master_for(self.service, db=self.db, password=self.password, **options)
        if self.kind == "cluster":
            options.pop("health_check_interval", None)
            return RedisCluster(startup_nodes=self.cluster_nodes(), **options)
        return redis.Redis.from_url(self.url, **options)

    def cluster_nodes(self) -> list[ClusterNode]:
        parts = urlsplit(self.url)
        nodes = []
        for host_port in parts.netloc.rsplit("@", 1)[-1].split(","):
            host, _, port = host_port.partition(":")
            nodes.append(ClusterNode(host or "127.0.0.1", int(port or 6379)))
        return nodes

    @property
    def factory(self) -> Callable[..., Any]:
        """The redis-py class that builds the client."""
        return {"sentinel": Sentinel, "cluster": RedisCluster}.get(self.kind, redis.Redis)

    def limiter_uri(self) -> str:
        """The same Redis for the rate-limit counters (the ``limits`` URI schemes)."""
        if self.kind == "cluster":
            return "redis+cluster://" + self.url.split("://", 1)[1]
        if self.url.startswith("unix://"):
            return "redis+unix://" + self.url[len("unix://") :]
        return self.url  # redis://, rediss:// and redis+sentinel:// are the same there


def redis_spec(url: str, *, cluster: bool = False, **options: Any) -> RedisSpec:
    """Read ``QUIZ_REDIS_URL`` (and ``QUIZ_REDIS_CLUSTER``) into a ``RedisSpec``."""
    parts = urlsplit(url)
    if parts.scheme == SENTINEL_SCHEME:
        if cluster:
            raise ValueError("QUIZ_REDIS_CLUSTER cannot be combined with a Sentinel URL")
        hosts = parts.netloc.rsplit("@", 1)
        password = unquote(parts.password) if parts.password else None
        sentinels = []
        for host_port in hosts[-1].split(","):
            host, _, port = host_port.partition(":")
            sentinels.append((host, int(port or 26379)))
        path = [p for p in parts.path.split("/") if p]
        if not path:
            raise ValueError(
                "a Sentinel URL names its service: redis+sentinel://host:26379/mymaster"
            )
        db = int(path[1]) if len(path) > 1 else 0
        return RedisSpec(
            "sentinel", url, options, tuple(sentinels), path[0], db=db, password=password
        )
    if cluster:
        options = dict(options)
        options.pop("retry", None)  # RedisCluster retries per its own cluster settings
        return RedisSpec("cluster", url, options)
    return RedisSpec("single", url, options)
