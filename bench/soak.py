"""Soak run: mixed traffic against gunicorn for a long while; no errors, no memory growth.

    python -m bench.soak                 # 10 minutes on the machine's PostgreSQL + Redis
    python -m bench.soak --quick         # ~15 s on SQLite + an embedded Redis (the tests)
    python -m bench.soak --minutes 3

Participants (bearer tokens) loop over what a contest day does: list contests, start an
attempt, read it, save every answer (some twice), switch the language, finish, read the
result and the boards; anonymous visitors read the public pages. The round allows many
attempts, so the writes never run out. Every answer must be the documented one (2xx, or
the documented 409 of a race with the deadline); any other status or a connection error
is an error. Memory: each worker's resident size (VmRSS) after a warm-up period and at
the end; the run fails if the total grew by more than 10 %. Traffic goes to 127.0.0.1
only, in a bounded number of client threads, and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bench import servers
from bench.harness import Profile, backends, make_app

MAX_GROWTH = 0.10


@dataclass
class Tally:
    requests: int = 0
    # (attempt, question) pairs whose save was acknowledged; a repeated save updates the
    # same row, so each pair must be exactly one row in SQL.
    acked: set[tuple[int, int]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(text)


def _prepare(database_url: str, redis_url: str, participants: int) -> tuple[int, int, list[str]]:
    """A published contest with an open round (many attempts allowed) and its tokens."""
    from quiz.accounts.services import issue_token, register_user
    from quiz.banks.services import import_bank
    from quiz.clock import utcnow
    from quiz.contests.services import add_round, create_contest, enroll
    from quiz.extensions import db
    from tests.factories import CATEGORIES, sample_bank

    app = make_app(database_url, redis_url)
    app.config["QUIZ_PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    with app.app_context():
        now = utcnow()
        bank, _, _ = import_bank(sample_bank(4, bank_id="soak-bank"), now)
        contest = create_contest(
            slug="soak",
            title_zh="浸泡测试",
            title_mn="soak",
            starts_at=now - timedelta(days=1),
            now=now,
            created_by=None,
        )
        round_ = add_round(
            contest,
            title_zh="浸泡",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            time_limit_seconds=3600,
            bank_id=bank.id,
            languages=["zh", "mn"],
            draw_rule=[{"count": 3, "category": c, "points": 10} for c in CATEGORIES],
            max_attempts=1_000_000,
        )
        tokens = []
        for index in range(participants):
            user = register_user(
                username=f"soak{index}",
                password="soak-password-9",
                display_name=f"Soak {index}",
                region_code="150102",
                language="zh",
                now=now,
            )
            enroll(user, contest, now)
            tokens.append(issue_token(user, now, 2)[0])
        db.session.commit()  # the setup is its own edge: the services only flush
        ids = contest.id, round_.id
        db.session.remove()
        db.engine.dispose()
    return ids[0], ids[1], tokens


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, token: str | None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    if response.getheader("Content-Type", "").startswith("application/json"):
        return response.status, json.loads(raw)
    return response.status, None


def _participant(
    port: int, token: str, contest_id: int, round_id: int, until: float, tally: Tally
) -> None:
    rng = random.Random(token)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200,)) -> Any:
        status, data = _request(conn, method, path, token, body)
        with tally.lock:
            tally.requests += 1
        if status not in ok:
            tally.error(f"{method} {path}: {status} {str(data)[:200]}")
        return status, data

    try:
        while time.monotonic() < until:
            call("GET", "/api/v1/contests")
            status, state = call(
                "POST",
                f"/api/v1/rounds/{round_id}/attempts",
                {"language": rng.choice(["zh", "mn"])},
                ok=(200, 201),
            )
            if status not in (200, 201):
                continue
            attempt = state["id"]
            for no in range(1, state["question_count"] + 1):
                for _ in range(2 if rng.random() < 0.2 else 1):
                    status, _ = call(
                        "PUT",
                        f"/api/v1/attempts/{attempt}/answers/{no}",
                        {"choice": [rng.choice("AB")]},
                    )
                    if status == 200:
                        with tally.lock:
                            tally.acked.add((attempt, no))
            call("GET", f"/api/v1/attempts/{attempt}?language=mn")
            call("POST", f"/api/v1/attempts/{attempt}/finish")
            call("GET", f"/api/v1/rounds/{round_id}/leaderboard?limit=20", ok=(200, 304))
            call("GET", f"/api/v1/contests/{contest_id}/leaderboard", ok=(200, 304))
    except (OSError, http.client.HTTPException) as exc:
        tally.error(f"connection: {exc!r}")
    finally:
        conn.close()


def _visitor(port: int, contest_id: int, until: float, tally: Tally) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = ["/", f"/contests/{contest_id}", "/login", "/api/v1/regions", "/api/v1/openapi.json"]
    try:
        while time.monotonic() < until:
            for path in paths:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                with tally.lock:
                    tally.requests += 1
                if response.status != 200:
                    tally.error(f"GET {path}: {response.status}")
            time.sleep(0.05)
    except (OSError, http.client.HTTPException) as exc:
        tally.error(f"connection: {exc!r}")
    finally:
        conn.close()


@dataclass
class SoakResult:
    seconds: float
    requests: int
    answers_acked: int
    answers_stored: int
    rss_start_mib: float
    rss_end_mib: float
    errors: list[str]

    @property
    def growth(self) -> float:
        return (self.rss_end_mib - self.rss_start_mib) / self.rss_start_mib

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and self.growth <= MAX_GROWTH
            and self.answers_stored == self.answers_acked > 0
        )

    def report(self) -> str:
        return "\n".join(
            [
                f"duration           {self.seconds:.0f} s",
                f"requests           {self.requests} ({self.requests / self.seconds:.0f}/s)",
                f"answers acked      {self.answers_acked} (attempt, question) pairs",
                f"answer rows in SQL {self.answers_stored}",
                f"worker RSS         {self.rss_start_mib:.1f} MiB after warm-up -> "
                f"{self.rss_end_mib:.1f} MiB at the end ({self.growth:+.1%}, limit "
                f"{MAX_GROWTH:.0%})",
                f"errors             {len(self.errors)}",
                *(f"  {e}" for e in self.errors[:10]),
                f"result             {'OK' if self.ok else 'FAILED'}",
            ]
        )


def soak(quick: bool, minutes: float | None = None) -> SoakResult:
    profile = Profile.smoke() if quick else Profile.full()
    duration = 15.0 if quick else 600.0
    if minutes is not None:
        duration = minutes * 60
    warmup = 4.0 if quick else 60.0
    participants = 6 if quick else 24
    with backends(profile) as found:
        contest_id, round_id, tokens = _prepare(found.database_url, found.redis_url, participants)
        env = servers.app_environment(found.database_url, found.redis_url)
        server = servers.start(
            "soak",
            "wsgi:app",
            env,
            workers=2,
            threads=4,
            logdir=found.workdir,
            ready_path="/api/v1/regions",
        )
        tally = Tally()
        started = time.monotonic()
        until = started + duration
        try:
            threads = [
                threading.Thread(
                    target=_participant,
                    args=(server.port, t, contest_id, round_id, until, tally),
                )
                for t in tokens
            ] + [
                threading.Thread(target=_visitor, args=(server.port, contest_id, until, tally))
                for _ in range(2)
            ]
            for t in threads:
                t.start()
            time.sleep(min(warmup, duration / 3))
            rss_start = sum(server.worker_rss_mib())
            for t in threads:
                t.join(timeout=duration + 120)
            rss_end = sum(server.worker_rss_mib())
        finally:
            server.stop()
        elapsed = time.monotonic() - started
        stored = _stored_answers(found.database_url, found.redis_url)
    return SoakResult(
        elapsed, tally.requests, len(tally.acked), stored, rss_start, rss_end, tally.errors
    )


def _stored_answers(database_url: str, redis_url: str) -> int:
    from sqlalchemy import func, select

    from quiz.extensions import db
    from quiz.play.models import Answer

    app = make_app(database_url, redis_url)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Answer))
        db.engine.dispose()
    return int(count or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="~15 s on SQLite (the tests)")
    parser.add_argument("--minutes", type=float, help="duration (default 10, quick 0.25)")
    args = parser.parse_args(argv)
    result = soak(args.quick, args.minutes)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
