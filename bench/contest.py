"""``make bench-contest``: a simulated contest, on one app server or on two.

Every simulated participant goes the whole way through the public API, as a phone would:
register, get a token, enroll, start an attempt, answer its 20 questions one request at
a time, finish. Then the run is reconciled against SQL, the source of truth:

- every answer the server acknowledged (HTTP 200) is in SQL, and nothing else is;
- every attempt is finished;
- every leaderboard of the contest equals its rebuild from SQL: all sorted sets are read
  (``ZRANGE ... WITHSCORES``) before and after ``quiz leaderboard rebuild`` and compared.

``--servers 2`` runs two gunicorn servers on two ports sharing PostgreSQL and Redis behind
the deployment's nginx (``bench/proxy.py``, the shipped ``deploy/nginx.conf``): every
participant talks to the proxy, which spreads the requests over both servers (the
scale-out check: nothing in an app server is state the others need). Without nginx
installed, or with ``--no-proxy``, the participants are split between the two servers
directly and the table says so. Registration hashes passwords with a cheaper scrypt setting
(``QUIZ_PASSWORD_HASH_METHOD``): the default costs ~0.2 s of CPU per participant
(register + token), which is sign-up cost, spread over the weeks before a contest, not
the contest's hot path.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import select, text

from bench import dataset, loadgen, proxy, servers
from bench.harness import (
    Backends,
    Profile,
    backends,
    format_table,
    keep_results,
    make_app,
    server_counts,
)
from bench.loadgen import Conn, HttpError

PASSWORD = "bench-Password-2026"
BENCH_HASH = "scrypt:1024:8:1"


def _seed(profile: Profile, found: Backends) -> tuple[int, int, list[str]]:
    from quiz.clock import utcnow
    from quiz.extensions import db
    from quiz.regions.models import COUNTY_LEVEL, Region

    app = make_app(found.database_url, found.redis_url)
    now = utcnow()
    with app.app_context():
        bank = dataset.make_bank("contest-bank", profile.bank_main, now)
        contest = dataset.make_contest("bench-contest", now)
        round_id = dataset.make_round(contest, bank, 20, now, live_scores=True)
        counties = list(
            db.session.scalars(
                select(Region.code).where(Region.level == COUNTY_LEVEL).order_by(Region.code)
            )
        )
        db.engine.dispose()
    return contest, round_id, counties


class Tally:
    """What the simulated participants were told by the server."""

    def __init__(self) -> None:
        self.acknowledged: set[tuple[int, int]] = set()
        self.finished: set[int] = set()
        self.participants_done = 0
        self.failures: list[str] = []


def participant_script(
    contest_id: int, round_id: int, counties: list[str], share: list[int], tally: Tally, tag: str
) -> loadgen.Script:
    async def script(conn: Conn, index: int, running: Any) -> None:
        rng = random.Random(index)
        for n in range(share[index]):
            name = f"{tag}{index}x{n}"
            try:
                await conn.request(
                    "POST",
                    "/api/v1/auth/register",
                    {
                        "username": name,
                        "password": PASSWORD,
                        "display_name": f"选手{index}-{n}",
                        "region_code": rng.choice(counties),
                        "language": "zh",
                    },
                    label="register",
                )
                token = (
                    await conn.request(
                        "POST",
                        "/api/v1/auth/token",
                        {"username": name, "password": PASSWORD},
                        label="token",
                    )
                ).json()["token"]
                await conn.request(
                    "POST", f"/api/v1/contests/{contest_id}/enrollment", {}, token, label="enroll"
                )
                attempt = (
                    await conn.request(
                        "POST",
                        f"/api/v1/rounds/{round_id}/attempts",
                        {"language": "zh"},
                        token,
                        label="start",
                    )
                ).json()
                for question in attempt["questions"]:
                    key = rng.choice([o["key"] for o in question["options"]])
                    await conn.request(
                        "PUT",
                        f"/api/v1/attempts/{attempt['id']}/answers/{question['no']}",
                        {"choice": [key]},
                        token,
                        label="answer",
                    )
                    tally.acknowledged.add((attempt["id"], question["no"]))
                await conn.request(
                    "POST", f"/api/v1/attempts/{attempt['id']}/finish", {}, token, label="finish"
                )
                tally.finished.add(attempt["id"])
                tally.participants_done += 1
            except HttpError as exc:  # counted in the stats; go on with the next person
                if len(tally.failures) < 5:
                    tally.failures.append(str(exc)[:300])

    return script


def quiz_command() -> str:
    """The ``quiz`` console script of this virtualenv."""
    return str(Path(sys.executable).parent / "quiz")


def snapshot_boards(redis_url: str, contest_id: int) -> dict[str, list]:
    """Every sorted set of the contest, in order, with scores."""
    from quiz.leaderboards.store import BoardKeys

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = BoardKeys(contest_id)
    boards = sorted(client.scan_iter(match=keys.pattern, count=1000, _type="zset"))
    return {key: client.zrange(key, 0, -1, withscores=True) for key in boards}


def reconcile(found: Backends, contest_id: int, round_id: int, tally: Tally) -> dict[str, Any]:
    from quiz.extensions import db

    app = make_app(found.database_url, found.redis_url)
    with app.app_context():
        stored = {
            (a, n)
            for a, n in db.session.execute(
                text(
                    "SELECT answers.attempt_id, answers.no FROM answers "
                    "JOIN attempts ON attempts.id = answers.attempt_id "
                    "WHERE attempts.contest_id = :c"
                ),
                {"c": contest_id},
            )
        }
        open_attempts = db.session.scalar(
            text("SELECT count(*) FROM attempts WHERE contest_id = :c AND finished_at IS NULL"),
            {"c": contest_id},
        )
        db.engine.dispose()
    before = snapshot_boards(found.redis_url, contest_id)
    env = servers.app_environment(found.database_url, found.redis_url)
    rebuilt = subprocess.run(
        [quiz_command(), "leaderboard", "rebuild", "--round", str(round_id)],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if rebuilt.returncode != 0:  # say why: the command's own words, not just its status
        raise RuntimeError(f"quiz leaderboard rebuild failed:\n{rebuilt.stderr[-3000:]}")
    after = snapshot_boards(found.redis_url, contest_id)
    members = sum(len(v) for v in after.values())
    return {
        "acknowledged": len(tally.acknowledged),
        "in_sql": len(stored),
        "answers_match": stored == tally.acknowledged,
        "open_attempts": open_attempts,
        "boards": len(after),
        "board_entries": members,
        "boards_match": before == after and bool(after),
    }


def front(started: list[servers.Server], workdir: Path, use_proxy: bool) -> proxy.Proxy | None:
    """nginx before two or more servers, as deployed; ``None`` for one server or no nginx."""
    if len(started) < 2 or not use_proxy or proxy.nginx_binary() is None:
        return None
    return proxy.start_nginx(started, workdir, "/api/v1/regions")


def run(profile: Profile, server_count: int, use_proxy: bool = True) -> dict[str, Any]:
    t0 = time.perf_counter()
    participants = profile.contest_participants
    clients = profile.contest_clients
    # Every client takes its share of the participants, one after the other.
    share = [participants // clients + (i < participants % clients) for i in range(clients)]
    with backends(profile) as found:
        contest_id, round_id, counties = _seed(profile, found)
        env = servers.app_environment(
            found.database_url,
            found.redis_url,
            QUIZ_PASSWORD_HASH_METHOD=BENCH_HASH,
            # Behind nginx the app trusts its X-Forwarded-For, as in production.
            QUIZ_PROXY_FIX="1" if server_count > 1 and use_proxy else "0",
        )
        started = [
            servers.spawn(
                f"contest-app-{i}",
                "wsgi:app",
                env,
                workers=profile.workers,
                threads=profile.threads,
                logdir=found.workdir,
            )
            for i in range(server_count)
        ]
        for server in started:
            servers.wait_ready(server, "/api/v1/regions", profile.workers)
        tally = Tally()
        nginx = None
        try:
            nginx = front(started, found.workdir, use_proxy)
            targets = [nginx.address] if nginx else [s.address for s in started]
            result = loadgen.run(
                targets,
                clients,
                participant_script(
                    contest_id, round_id, counties, share, tally, f"p{server_count}s"
                ),
                warmup=0,
                duration=None,
            )
            rss = [r for s in started for r in s.worker_rss_mib()]
            proxied = nginx.requests_per_server() if nginx else {}
        finally:
            if nginx:
                nginx.stop()
            for server in started:
                server.stop()
        check = reconcile(found, contest_id, round_id, tally)
    requests = sum(s.count for s in result.stats.values())
    out = {
        "servers": server_count,
        "front": "nginx" if nginx else "direct",
        "proxied_requests": proxied,
        "participants": participants,
        "completed": tally.participants_done,
        "seconds": result.seconds,
        "participants_per_s": tally.participants_done / result.seconds,
        "requests_per_s": requests / result.seconds,
        "answers_per_s": result.rate("answer"),
        "errors": result.errors,
        "error_samples": tally.failures,
        "latency_ms": {
            label: (stat.percentile(50) * 1000, stat.percentile(99) * 1000)
            for label, stat in result.stats.items()
        },
        "worker_rss_mib": rss,
        "reconciliation": check,
        "elapsed_s": time.perf_counter() - t0,
    }
    return out


def table(outs: list[dict[str, Any]]) -> str:
    rows = []
    for out in outs:
        check = out["reconciliation"]
        n = out["servers"]
        lat = out["latency_ms"]
        shares = "/".join(f"{n:,}" for n in sorted(out["proxied_requests"].values()))
        via = (
            f"; via nginx ({shares} requests per app server)"
            if out["front"] == "nginx"
            else ("; split directly (no proxy)" if n > 1 else "")
        )
        answer = lat.get("answer", (float("nan"), float("nan")))
        rows += [
            (
                f"{n} server(s): participants",
                f"{out['completed']:,}/{out['participants']:,}",
                "all",
                "yes" if out["completed"] == out["participants"] else "NO",
                f"{out['seconds']:.0f} s, {out['participants_per_s']:.1f} participants/s, "
                f"{out['requests_per_s']:,.0f} requests/s, {out['answers_per_s']:,.0f} answers/s"
                + via,
            ),
            (
                f"{n} server(s): errors",
                str(out["errors"]),
                "0",
                "yes" if out["errors"] == 0 else "NO",
                "; ".join(out["error_samples"][:2])
                or f"answer p50/p99 {answer[0]:.0f}/{answer[1]:.0f} ms",
            ),
            (
                f"{n} server(s): answers acked = in SQL",
                f"{check['acknowledged']:,} = {check['in_sql']:,}",
                "equal",
                "yes" if check["answers_match"] else "NO",
                f"open attempts left: {check['open_attempts']}",
            ),
            (
                f"{n} server(s): boards = SQL rebuild",
                "equal" if check["boards_match"] else "DIFFER",
                "equal",
                "yes" if check["boards_match"] else "NO",
                f"{check['boards']} boards, {check['board_entries']:,} entries compared "
                "(ZRANGE WITHSCORES before/after quiz leaderboard rebuild)",
            ),
        ]
    return format_table(rows)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    profile = Profile.smoke() if quick else Profile.full()
    outs = []
    for count in server_counts(argv):
        out = run(profile, count, use_proxy="--no-proxy" not in argv)
        print(
            f"[{out['elapsed_s']:.0f} s] {count} server(s): {out['completed']} participants, "
            f"{out['errors']} errors",
            file=sys.stderr,
            flush=True,
        )
        outs.append(out)
    print(table(outs))
    keep_results(outs)
    ok = all(
        o["errors"] == 0
        and o["completed"] == o["participants"]
        and o["reconciliation"]["answers_match"]
        and o["reconciliation"]["boards_match"]
        and o["reconciliation"]["open_attempts"] == 0
        for o in outs
    )
    return 0 if ok else 1
