"""Extension objects, created unbound and attached to the app in ``create_app``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import redis
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

from quiz.embedded_redis import EmbeddedRedis, exit_cleanly_on_sigterm
from quiz.ops.metrics import REDIS_ERRORS
from quiz.redis_config import RedisSpec, redis_spec
from quiz.unit_of_work import UnitOfWorkSession

# Stable constraint names make Alembic migrations reproducible on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": UnitOfWorkSession})

# The models' base class. mypy cannot use ``db.Model`` (an attribute set at run time) as
# a base (python/mypy#8603); to it the models derive from ``Base``, which is what
# ``db.Model`` extends, so their mapped columns are checked like any SQLAlchemy 2 model.
if TYPE_CHECKING:
    from typing import ClassVar

    from sqlalchemy import Table

    class Model(Base):
        __abstract__ = True
        # Every model here maps one table (``X.__table__.insert()`` is used in bulk writes).
        __table__: ClassVar[Table]

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class CountingRetry(Retry):
    """redis-py's retry, counting the commands that still fail (``quiz_redis_errors``).

    Every command and pipeline of a client goes through its connection's retry object,
    so this is the one place that sees each Redis failure, whoever catches it later.
    A missing script (``NoScriptError``: Redis restarted, the caller loads it and sends
    again) is part of the protocol, not an error.
    """

    def call_with_retry(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call_with_retry(*args, **kwargs)
        except redis.exceptions.NoScriptError:
            raise
        except (redis.RedisError, OSError):
            REDIS_ERRORS.inc()
            raise


class RedisHandle:
    """The app's Redis client: a configured server, or the embedded one started on demand.

    Started lazily so commands that never touch Redis (``quiz db upgrade``) don't start a
    server; short timeouts so a Redis outage degrades leaderboards instead of hanging
    answer submission.
    """

    def __init__(self) -> None:
        self._client: redis.Redis | None = None
        self._server: EmbeddedRedis | None = None
        self._url: str | None = None
        self._cluster = False
        self._spec: RedisSpec | None = None

    def init_app(self, app: Flask) -> None:
        self._client = None
        self._spec = None
        self._url = app.config.get("QUIZ_REDIS_URL")
        self._cluster = bool(app.config.get("QUIZ_REDIS_CLUSTER"))
        if not self._url:
            self._server = EmbeddedRedis(app.config["QUIZ_REDIS_DIR"])
            # The server may be started later from a request thread, where no signal
            # handler can be installed: prepare a clean SIGTERM exit now.
            exit_cleanly_on_sigterm()
        app.extensions["quiz_redis"] = self

    @property
    def server(self) -> EmbeddedRedis | None:
        return self._server

    @property
    def spec(self) -> RedisSpec:
        """Which client the settings ask for: one server, Sentinel or Cluster."""
        if self._spec is None:
            url = self._url or self._server.start()  # type: ignore[union-attr]
            self._spec = redis_spec(
                url,
                cluster=self._cluster,
                decode_responses=True,
                socket_timeout=1.0,
                socket_connect_timeout=1.0,
                health_check_interval=30,
                # One quick retry: during an outage a save must not wait seconds on Redis.
                retry=CountingRetry(ExponentialBackoff(cap=0.05, base=0.01), 1),
            )
        return self._spec

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = self.spec.build()
        return self._client

    def batch_client(self) -> redis.Redis:
        """A separate client with a long timeout, for pipelines of thousands of commands."""
        return self.spec.build(socket_timeout=60.0)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.stop()


redis_store = RedisHandle()


IDLE_PING_SECONDS = 5.0


def ping_idle_connections(engine: Any, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection before use only if it sat idle, instead of every time.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip on every checkout: on the answer hot
    path it was a fifth of the request (docs/performance.md). A connection in steady use
    was alive milliseconds ago; one idle for a while may have been dropped (a database
    restart, PgBouncer's idle timeout) and is pinged, and replaced if dead, as before.
    """
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["quiz_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("quiz_idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError() from exc
        if not alive:
            raise DisconnectionError()


# Execution option of a connection that only reads (``read_only_connection``): on SQLite
# its transaction begins deferred, needing no write lock, whatever the request's method.
READ_ONLY = "quiz_read_only"


# Execution option of a transaction that will write (``begin_writing``): on SQLite it
# begins with BEGIN IMMEDIATE, whatever the request's method.
WRITES = "quiz_writes"

# What a lane (quiz/api/lane.py) serves outside Flask's request context is marked in
# ``g`` with its method, so that SQLite's begin hook treats it as it treats the view.
LANE_METHOD = "quiz_lane_method"
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def serving_safe_method() -> bool:
    """Whether this thread serves a request that only reads (GET, HEAD, OPTIONS), through
    Flask or through a lane: on SQLite its transactions begin deferred."""
    if has_request_context():
        return request.method in _SAFE_METHODS
    return has_app_context() and g.get(LANE_METHOD) in _SAFE_METHODS


def read_only_connection() -> Any:
    """A connection of its own for a read made while a per-process lock is held (a
    cache being filled): it never waits for SQLite's write lock, which another thread of
    this process may hold while it waits for that same cache lock. The caller closes it
    (``with``)."""
    return db.engine.connect().execution_options(**{READ_ONLY: True})


def begin_writing() -> None:
    """Commit the session's work and begin a transaction that will write, for a service
    that writes although a GET may call it (the first reader of a board Redis lost
    rebuilds it). A GET's SQLite transaction begins deferred; upgrading it to writing
    after it has read is refused at once (no busy wait) while another connection writes,
    which a busy contest always has."""
    session = db.session()
    session.commit()
    if session.in_transaction():  # the commit's after-commit work read (or wrote) more
        session.commit()
    if not session.in_transaction():
        session.connection(execution_options={WRITES: True})


def configure_sqlite(engine: Any) -> None:
    """Make SQLite safe for concurrent requests.

    WAL lets readers run beside one writer. Requests that may write (POST, PUT, DELETE,
    and everything outside a request: CLI, services in tests) begin with ``BEGIN
    IMMEDIATE``, taking the write lock up front, so two of them never both read and then
    fail to upgrade to writing (SQLite answers that with SQLITE_BUSY instead of waiting).
    GET requests (through Flask or a lane) begin deferred, so page views and leaderboard
    polling never queue behind writers; a GET that must write says so (``begin_writing``).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        reading = not options.get(WRITES, False) and (
            options.get(READ_ONLY, False) or serving_safe_method()
        )
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
