"""Where a benchmark runs: its profile, its database and Redis, and the printed table.

Two profiles. The full one uses the machine's PostgreSQL (database ``bench``, created if
missing, schema reset and migrated on every run) and Redis (db 3, flushed on every run).
``--quick`` is a smoke run of a few seconds on SQLite and an embedded Redis in a temporary
folder, with tiny sizes: it proves the harness works (the test suite runs it), its
figures mean nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"


@dataclass(frozen=True)
class Profile:
    quick: bool
    workers: int
    threads: int
    clients: int
    warmup: float
    duration: float
    bank_small: int
    bank_main: int
    bank_large: int
    board_small: int
    board_large: int
    start_users: int
    burst: int  # starts released together (issue 18 item 1)
    live_players: int  # players of the live answer scenario's game
    contest_participants: int
    contest_clients: int

    @property
    def rounds(self) -> int:
        """Segments each interleaved scenario runs in."""
        return 1 if self.quick else 3

    @classmethod
    def full(cls) -> Profile:
        return cls(
            quick=False,
            workers=int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1))),
            threads=int(os.environ.get("BENCH_THREADS", 8)),
            clients=64,
            warmup=float(os.environ.get("BENCH_WARMUP", 2.0)),
            duration=float(os.environ.get("BENCH_DURATION", 8.0)),
            bank_small=1_000,
            bank_main=10_000,
            bank_large=100_000,
            board_small=1_000,
            board_large=int(os.environ.get("BENCH_BOARD_LARGE", 600_000)),
            # Fresh participants for the three start scenarios (a third each, every
            # request uses one up): enough for ~2,000 starts/s in every segment.
            start_users=int(os.environ.get("BENCH_START_USERS", 60_000)),
            burst=int(os.environ.get("BENCH_BURST", 1_000)),
            live_players=int(os.environ.get("BENCH_LIVE_ANSWER_PLAYERS", 3_000)),
            contest_participants=int(os.environ.get("BENCH_PARTICIPANTS", 10_000)),
            contest_clients=64,
        )

    @classmethod
    def smoke(cls) -> Profile:
        return cls(
            quick=True,
            workers=1,
            threads=4,
            clients=4,
            warmup=0.1,
            duration=0.25,
            bank_small=60,
            bank_main=100,
            bank_large=300,
            board_small=50,
            board_large=400,
            start_users=160,
            burst=20,
            live_players=12,
            contest_participants=8,
            contest_clients=4,
        )


@dataclass
class Backends:
    """The database and Redis of one run, and where its logs go."""

    database_url: str
    redis_url: str
    workdir: Path


@contextlib.contextmanager
def backends(profile: Profile) -> Iterator[Backends]:
    """Fresh, migrated database and an empty Redis for one run."""
    if profile.quick:
        workdir = Path(tempfile.mkdtemp(prefix="quiz-bench-"))
        from quiz.embedded_redis import EmbeddedRedis

        server = EmbeddedRedis(workdir / "r", persist=False)
        server.start()
        try:
            found = Backends(f"sqlite:///{workdir / 'bench.sqlite3'}", server.url, workdir)
            migrate(found.database_url, found.redis_url)
            yield found
        finally:
            server.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        return
    workdir = Path(os.environ.get("BENCH_WORKDIR", "instance/bench"))
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    reset_postgres(database_url)
    # ASYNC: the previous run's 600,000-member boards are freed in the background; a
    # synchronous flush of them on a busy machine outlasted the client's read timeout.
    redis.Redis.from_url(redis_url, socket_timeout=60).flushdb(asynchronous=True)
    migrate(database_url, redis_url)
    yield Backends(database_url, redis_url, workdir)


def reset_postgres(url: str) -> None:
    """Create the bench database if missing, then empty its schema."""
    parsed = make_url(url)
    name = parsed.database
    if name in (None, "test", "postgres"):
        raise SystemExit(f"refusing to reset database {name!r}: use a database of its own")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# The rate limiter stays on (its Redis round trips are part of the hot path), with limits
# no benchmark client reaches: all the load comes from one address, and a client saves
# answers far faster than a person.
GENEROUS_LIMITS = {
    f"QUIZ_RATELIMIT_{name}": "1000000/minute"
    for name in (
        "LOGIN_USER",
        "LOGIN_IP",
        "REGISTER_IP",
        "REGISTER_ATTEMPTS_IP",
        "ANSWER_USER",
        "LIVE_ANSWER",
        "ACCOUNT_USER",
        "JOIN_USER",
        "JOIN_IP",
    )
}


def make_app(database_url: str, redis_url: str) -> Any:
    from quiz import create_app

    return create_app(
        {
            "QUIZ_ENV": "production",
            "SECRET_KEY": "bench-harness",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "QUIZ_REDIS_URL": redis_url,
            **GENEROUS_LIMITS,
        }
    )


def migrate(database_url: str, redis_url: str) -> None:
    """Apply the real Alembic migrations, as ``quiz db upgrade`` does."""
    from flask_migrate import upgrade

    from quiz.extensions import db

    app = make_app(database_url, redis_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def format_table(rows: list[tuple[str, str, str, str, str]]) -> str:
    """rows: (figure, value, target, verdict, absolute numbers)."""
    header = ("figure", "value", "target", "ok", "absolute (same run)")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([rule, lines[0], rule, *lines[1:], rule])


def server_counts(argv: list[str]) -> list[int]:
    """``--servers N``: that many app servers; by default a run on 1, then on 2."""
    return [int(argv[argv.index("--servers") + 1])] if "--servers" in argv else [1, 2]


def keep_results(outs: list[dict[str, Any]]) -> None:
    """Every number of the run into ``BENCH_RESULTS`` (a JSON file), if set."""
    import json

    target = os.environ.get("BENCH_RESULTS")
    if target:
        with open(target, "w") as f:
            json.dump(outs, f, indent=2, default=str)
