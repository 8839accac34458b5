"""``/healthz``, ``/readyz`` and ``/metrics``, and the per-request hooks behind them.

- ``/healthz``: the process answers (nothing else is asked), for a load balancer's
  liveness check.
- ``/readyz``: the database answers, Redis answers and the database's migrations are
  the code's (Alembic head); 503 naming the part that failed, never why in detail
  (no addresses, no error texts).
- ``/metrics``: Prometheus text. Off (404) unless ``QUIZ_METRICS_TOKEN`` is set; then
  the scraper sends ``Authorization: Bearer <token>``. docs/operations.md also shows how
  to keep the path off the public proxy.

All three are unauthenticated as far as accounts go, set no cookie, and no rate limit
counts them.
"""

from __future__ import annotations

import hmac
import time
from functools import cache
from pathlib import Path
from typing import Any

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from quiz.accounts.access import public
from quiz.extensions import db, redis_store
from quiz.ops import logs, metrics

bp = Blueprint("ops", __name__)

OPS_ENDPOINTS = frozenset({"ops.healthz", "ops.readyz", "ops.metrics"})


@cache
def migration_heads() -> frozenset[str]:
    """The Alembic heads the code ships (read once per process)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent.parent / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@bp.get("/healthz")
@public
def healthz() -> Any:
    return _plain({"status": "ok"}, 200)


@bp.get("/readyz")
@public
def readyz() -> Any:
    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = set(MigrationContext.configure(conn).get_current_heads())
        checks["migrations"] = "ok" if current == migration_heads() else "not at head"
    except SQLAlchemyError:
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
    try:
        redis_store.client.ping()
        checks["redis"] = "ok"
    except (redis.RedisError, OSError):
        checks["redis"] = "unreachable"
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return _plain(body, 200 if ready else 503)


@public  # QUIZ_METRICS_TOKEN is checked inside (without it: 404)
def metrics_page() -> Any:
    token = current_app.config.get("QUIZ_METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)  # the same as off: nothing tells a prober the path exists
    body, content_type = metrics.exposition()
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


bp.add_url_rule("/metrics", endpoint="metrics", view_func=metrics_page)


def _plain(body: dict, status: int) -> Any:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Request ids, latency and status counts, the access log, database error counts."""
    logs.configure(app)
    access_log = bool(app.config.get("QUIZ_ACCESS_LOG"))
    app.register_blueprint(bp)

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = logs.request_id_from(request.headers.get("X-Request-ID"))

    @app.after_request
    def _finish(response: Any) -> Any:
        started = g.get("request_started")
        endpoint = request.endpoint or "unmatched"
        response.headers["X-Request-ID"] = g.get("request_id") or logs.request_id_from(None)
        if started is None:
            return response
        seconds = time.perf_counter() - started
        method = request.method
        metrics.REQUEST_SECONDS.labels(endpoint, method).observe(seconds)
        metrics.REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
        if access_log and endpoint not in OPS_ENDPOINTS:
            logs.access_line(app, request, response.status_code, seconds)
        return response

    with app.app_context():
        engine = db.engine

    if not getattr(engine, "_quiz_counts_errors", False):
        engine._quiz_counts_errors = True  # type: ignore[attr-defined]

        @event.listens_for(engine, "handle_error")
        def _count(context: Any) -> None:
            metrics.DATABASE_ERRORS.labels(type(context.original_exception).__name__).inc()
