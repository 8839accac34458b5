"""App CPU per attempt start, measured in process: ``python -m bench.start_cpu``.

The method of docs/performance.md, sections 9 and 13: the app (``harness.make_app``:
production settings, rate limits on and out of reach, no access line as in
``make bench``'s servers) is called as a WSGI callable,
``app(environ, start_response)``, with environs built beforehand, so nothing but the
app's own work is timed (no HTTP, no gunicorn, no load generator sharing the cores).
Each start is by a fresh participant whose bearer token the process has not seen (as in
``make bench``'s start scenarios: on PostgreSQL the token's lookup rides in the start's
pipeline), in an open round of 20 questions drawn from a 10,000-question bank, without
live scores. After ``--warmup`` starts (drawing pool, question payloads, token epoch,
statement caches), ``--starts`` starts are timed with ``time.process_time`` (this
process: the app's CPU) and the PostgreSQL backends serving the database are read from
``/proc`` (their CPU; clock ticks, so a coarse figure). ``--profile`` runs the measured
starts under cProfile instead (CPU clock) and prints its top entries. ``--paired``
sends every other measured start with an unrelated cookie, which the start lane leaves
to Flask (the view): the two paths of the same code, interleaved start by start and
timed each on its own, so a busy machine's drift weighs on both alike.

Every run resets the database's schema and flushes the Redis database first:
``START_CPU_DATABASE_URL`` (default PostgreSQL ``bench_start_cpu`` on 127.0.0.1,
created if missing) and ``START_CPU_REDIS_URL`` (default ``redis://127.0.0.1:6379/11``);
use ones of your own.
To compare two versions of the code, run this file with each on ``PYTHONPATH`` (an
export of the older commit with this file copied into its ``bench/``), alternately.
"""

from __future__ import annotations

import argparse
import contextvars
import cProfile
import io
import json
import os
import pstats
import sys
import time
from typing import Any

import redis
from sqlalchemy import create_engine, text
from werkzeug.test import EnvironBuilder

from bench import dataset
from bench.cpu import TICK, process_ticks
from bench.harness import make_app, migrate, reset_postgres

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_start_cpu"
REDIS_URL = "redis://127.0.0.1:6379/11"
BANK_SIZE = 10_000
QUESTIONS = 20


def prepare_round(
    database_url: str,
    redis_url: str,
    people: int,
    *,
    slug: str = "start-cpu",
    live_scores: bool = False,
) -> tuple[int, list[str]]:
    """A fresh schema, a 10,000-question bank, an open round (``live_scores``: every
    answer moves the boards) and ``people`` enrolled participants with tokens; the
    round's id and the tokens. ``bench.answer_cpu`` prepares its round here too."""
    from quiz.clock import now
    from quiz.extensions import db

    reset_postgres(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    migrate(database_url, redis_url)
    app = make_app(database_url, redis_url)
    with app.app_context():
        moment = now()
        bank = dataset.make_bank(slug, BANK_SIZE, moment)
        contest = dataset.make_contest(slug, moment)
        round_id = dataset.make_round(contest, bank, QUESTIONS, moment, live_scores=live_scores)
        tag = slug.replace("-", "")
        tokens = dataset.make_people(tag, people, moment, contest_id=contest).tokens
        db.session.remove()
        db.engine.dispose()
    return round_id, tokens


def _environs(round_id: int, tokens: list[str], paired: bool) -> list[dict[str, Any]]:
    """The starts' environs; with ``paired``, every other one carries a cookie."""
    body = json.dumps({"language": "zh"}).encode()
    environs = []
    for n, token in enumerate(tokens):
        headers = {"Authorization": f"Bearer {token}"}
        if paired and n % 2:
            headers["Cookie"] = "unrelated=1"  # not the session's: Flask serves it
        builder = EnvironBuilder(
            path=f"/api/v1/rounds/{round_id}/attempts",
            method="POST",
            headers=headers,
            data=body,
            content_type="application/json",
        )
        environs.append(builder.get_environ())
        builder.close()
    return environs


def _call(app: Any, environ: dict[str, Any]) -> str:
    """One request as a server thread makes it (a fresh context: no app context)."""
    status: list[str] = []

    def start_response(line: str, _headers: Any, _exc: Any = None) -> Any:
        status.append(line)
        return lambda _data: None

    def run() -> None:
        body = app(environ, start_response)
        try:
            for _chunk in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    contextvars.Context().run(run)
    return status[0]


def _backend_ticks(database_url: str) -> dict[int, int]:
    """CPU ticks of the PostgreSQL backends connected to the database (not this one)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        pids = conn.scalars(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    engine.dispose()
    return process_ticks(list(pids))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured starts")
    parser.add_argument("--top", type=int, default=10, help="profile entries shown")
    parser.add_argument(
        "--paired", action="store_true", help="every other start through Flask (a cookie)"
    )
    args = parser.parse_args(argv)
    # As ``make bench``'s servers (bench/servers.py): no access line per request.
    os.environ["QUIZ_ACCESS_LOG"] = "0"
    database_url = os.environ.get("START_CPU_DATABASE_URL", DATABASE_URL)
    redis_url = os.environ.get("START_CPU_REDIS_URL", REDIS_URL)

    round_id, tokens = prepare_round(database_url, redis_url, args.warmup + args.starts)
    app = make_app(database_url, redis_url)  # a new app: no token copy, pools or payloads
    environs = _environs(round_id, tokens, args.paired)
    warm, measured = environs[: args.warmup], environs[args.warmup :]
    for environ in warm:
        status = _call(app, environ)
        assert status.startswith("201"), status

    before = _backend_ticks(database_url)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    statuses: list[str] = []
    paths = {"lane": 0.0, "flask": 0.0}  # --paired: CPU of each path's starts
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for environ in measured:
        path = "flask" if "HTTP_COOKIE" in environ else "lane"
        before_one = time.process_time()
        statuses.append(_call(app, environ))
        paths[path] += time.process_time() - before_one
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - started
    after = _backend_ticks(database_url)
    refused = [s for s in statuses if not s.startswith("201")]
    assert not refused, refused[:3]
    backends = sum(after.get(pid, ticks) - ticks for pid, ticks in before.items())
    count = len(measured)
    print(
        f"starts {count}: app CPU {cpu * 1000 / count:.3f} ms per start"
        f" (process_time{', under cProfile' if profiler else ''});"
        f" PostgreSQL backends {backends * 1000 / TICK / count:.3f} ms per start"
        f" ({backends} ticks)"
    )
    if args.paired:
        halves = {
            name: len([e for e in measured if ("HTTP_COOKIE" in e) == (name == "flask")])
            for name in paths
        }
        print(
            "paired: "
            + "; ".join(
                f"{name} {paths[name] * 1000 / halves[name]:.3f} ms per start ({halves[name]})"
                for name in paths
            )
        )
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(f"{stats.total_calls / count:.0f} function calls per start")  # type: ignore[attr-defined]
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
