"""A measuring wrapper around ``wsgi:app`` (``BENCH_APP_WSGI=bench.gcprobe:app``): each
worker notes every garbage collection and every request, on the monotonic clock, in
``$BENCH_GCPROBE_DIR/<pid>.jsonl``, so the open loop's slow answers (``BENCH_OPEN_SLOW``)
can be laid beside what the workers were doing at those moments (docs/performance.md,
"9. Latency under steady load"). Not for production: it writes a line per request.

- ``{"gc": generation, "t0", "t1", "collected"}``: one collection;
- ``{"req": path, "t0", "t1", "sql": [...], "sql_s", "commit_s", "redis_s"}``: one
  request, the statements it sent through SQLAlchemy (the answer path's pipelined
  statements go around it and are not in ``sql``), the seconds spent in them, in
  COMMIT and in Redis commands;
- at exit, the objects the collector tracks, how many are frozen, the commonest types.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import redis
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wsgi import app as _app

_dir = Path(os.environ.get("BENCH_GCPROBE_DIR", "instance/bench/gcprobe"))
_dir.mkdir(parents=True, exist_ok=True)
_lines: list[str] = []
_lock = threading.Lock()
_started: list[float] = [0.0]


def _note(record: dict[str, Any]) -> None:
    with _lock:
        _lines.append(json.dumps(record))
        if len(_lines) >= 200:
            _flush()


def _flush() -> None:
    if _lines:
        with (_dir / f"{os.getpid()}.jsonl").open("a") as f:
            f.write("\n".join(_lines) + "\n")
        _lines.clear()


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    now = time.perf_counter()
    # No lock here: a collection may run while a thread holds _lock (allocating).
    _lines.append(
        json.dumps(
            {
                "gc": info["generation"],
                "t0": _started[0],
                "t1": now,
                "collected": info["collected"],
            }
        )
    )


def _at_exit() -> None:
    every = gc.get_objects()
    kinds = Counter(type(o).__qualname__ for o in every).most_common(30)
    _lines.append(
        json.dumps(
            {
                "tracked": len(every),
                "frozen": gc.get_freeze_count(),
                "t": time.perf_counter(),
                "kinds": kinds,
            }
        )
    )
    _flush()


_local = threading.local()


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    seen = getattr(_local, "statements", None)
    if seen is not None:
        seen.append(" ".join(statement.split())[:60])
    _local.sql_started = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _time_statement(*args: Any) -> None:
    if getattr(_local, "statements", None) is not None:
        _local.sql_s += time.perf_counter() - _local.sql_started


def _timed(method: Any, slot: str) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            if getattr(_local, "statements", None) is not None:
                setattr(_local, slot, getattr(_local, slot) + time.perf_counter() - t0)

    return timed


psycopg.Connection.commit = _timed(psycopg.Connection.commit, "commit_s")  # type: ignore[method-assign]
redis.Redis.execute_command = _timed(redis.Redis.execute_command, "redis_s")  # type: ignore[method-assign]


gc.callbacks.append(_on_gc)
atexit.register(_at_exit)


def app(environ: dict[str, Any], start_response: Any) -> Any:
    t0 = time.perf_counter()
    _local.statements = []
    _local.sql_s = _local.commit_s = _local.redis_s = 0.0
    try:
        return _app(environ, start_response)
    finally:
        _note(
            {
                "req": environ.get("PATH_INFO", ""),
                "t0": t0,
                "t1": time.perf_counter(),
                "thread": threading.get_ident(),
                "sql": _local.statements,
                "sql_s": _local.sql_s,
                "commit_s": _local.commit_s,
                "redis_s": _local.redis_s,
            }
        )
        _local.statements = None
