"""App CPU per answer save, cold and warm, measured in process: ``python -m bench.answer_cpu``.

A worker keeps each attempt's drawn items and each bearer token's user for a minute
(``quiz.play.hotpath``, ``quiz.accounts.token_cache``), so an answer is **cold** in a
worker that has not served that attempt and token within the minute: it reads both
first. At a person's pace (an answer every 10-30 s, spread over 4 workers) most answers
of a real contest are cold; the closed-loop benchmark's clients answer many times a
second and are nearly all warm, and the open loop of ``make bench`` begins with every
attempt cold in every worker (docs/performance.md, sections 10 and 16).

The method of ``bench.start_cpu`` (whose helpers this uses): the app
(``harness.make_app``: production settings, rate limits on and out of reach, no access
line) called as a WSGI callable with environs built beforehand, ``time.process_time``
for the app, ``/proc`` for the PostgreSQL backends. ``--attempts`` participants start an
attempt in a live-score round of 20 questions from a 10,000-question bank; then a new
app (no copies, as another worker) saves question 1 of every attempt (**cold**), then
questions 2 and 3 (**warm**). ``--profile`` runs the cold saves under cProfile.

Every run resets the database's schema and flushes the Redis database first:
``ANSWER_CPU_DATABASE_URL`` (default PostgreSQL ``bench_answer_cpu`` on 127.0.0.1,
created if missing) and ``ANSWER_CPU_REDIS_URL`` (default ``redis://127.0.0.1:6379/11``);
use ones of your own.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.cpu import TICK
from bench.harness import make_app
from bench.start_cpu import _backend_ticks, _call, prepare_round

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_answer_cpu"
REDIS_URL = "redis://127.0.0.1:6379/11"


def _environ(method: str, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers=[("Authorization", f"Bearer {token}")],
        data=json.dumps(body).encode(),
        content_type="application/json",
    )
    environ = builder.get_environ()
    builder.close()
    return environ


def _started(app: Any, environ: dict[str, Any]) -> int:
    """Start one attempt through the app; its id."""
    lines: list[str] = []
    chunks: list[bytes] = []

    def start_response(line: str, _headers: Any, _exc: Any = None) -> Any:
        lines.append(line)
        return chunks.append

    chunks.extend(app(environ, start_response))
    assert lines[0].startswith("201"), lines
    return int(json.loads(b"".join(chunks))["id"])


def _prepare(database_url: str, redis_url: str, people: int) -> tuple[list[int], list[str]]:
    """``bench.start_cpu``'s set-up with a live-score round, then an attempt started
    (through the app) by each participant: the attempts' ids and the tokens."""
    from quiz.extensions import db

    round_id, tokens = prepare_round(
        database_url, redis_url, people, slug="answer-cpu", live_scores=True
    )
    app = make_app(database_url, redis_url)
    path = f"/api/v1/rounds/{round_id}/attempts"
    attempts = [_started(app, _environ("POST", path, t, {"language": "zh"})) for t in tokens]
    with app.app_context():
        db.engine.dispose()
    return attempts, tokens


def _saves(
    app: Any, database_url: str, environs: list[dict[str, Any]], profiler: Any
) -> tuple[float, float]:
    """App and PostgreSQL CPU ms per save (backends that connected meanwhile count whole)."""
    before = _backend_ticks(database_url)
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    statuses = [_call(app, environ) for environ in environs]
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - started
    after = _backend_ticks(database_url)
    refused = [s for s in statuses if not s.startswith("200")]
    assert not refused, refused[:3]
    backends = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
    return cpu * 1000 / len(environs), backends * 1000 / TICK / len(environs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile the cold saves")
    parser.add_argument("--top", type=int, default=25, help="profile entries shown")
    args = parser.parse_args(argv)
    os.environ["QUIZ_ACCESS_LOG"] = "0"  # as make bench's servers (bench/servers.py)
    database_url = os.environ.get("ANSWER_CPU_DATABASE_URL", DATABASE_URL)
    redis_url = os.environ.get("ANSWER_CPU_REDIS_URL", REDIS_URL)

    attempts, tokens = _prepare(database_url, redis_url, args.attempts)
    app = make_app(database_url, redis_url)  # another worker: no copies of either
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    for no, label in ((1, "cold"), (2, "warm"), (3, "warm")):
        environs = [
            _environ("PUT", f"/api/v1/attempts/{attempt}/answers/{no}", token, {"choice": ["A"]})
            for attempt, token in zip(attempts, tokens, strict=True)
        ]
        app_ms, postgres_ms = _saves(app, database_url, environs, profiler if no == 1 else None)
        print(
            f"{label} (question {no}, {len(environs)} saves): app CPU {app_ms:.3f} ms per save"
            f"{' (under cProfile)' if profiler and no == 1 else ''};"
            f" PostgreSQL backends {postgres_ms:.3f} ms"
        )
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
