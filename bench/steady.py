"""``python -m bench open [--quick]``: only the open-loop pair of ``make bench`` (issue 18
item 4, latency under steady load), in a minute or two instead of the whole run.

The same servers (bench.servers), the same arrivals (``answer_open``: answer saves of 256
attempts of a live-score round; ``insert_open``: the bare INSERT+ZADD) and the same
interleaving as ``make bench``; only the rate differs: ``BENCH_OPEN_RATE`` arrivals per
second (default 450, half the answer capacity of the idle fourth-round run), not half a
capacity measured just before, which on a shared machine would move with the neighbours'
load. ``BENCH_OPEN_SECONDS`` (default 24) is the recorded time per scenario, in
``BENCH_OPEN_ROUNDS`` (default 6) interleaved segments.

Before the measured loops the app workers do what they did in ``make bench`` before its
open loop, so their heaps hold the same kinds of per-process copies: 64 clients save
answers (closed loop) and 64 participants start a round of each bank (1,000, 10,000 and
``BENCH_OPEN_LARGE_BANK``, default 100,000 questions: each worker's drawing pool and
question payloads of every bank).

``BENCH_OPEN_SLOW=file.json`` writes every answer slower than 50 ms (due time on the
monotonic clock, latency), to lay beside what the servers log at the same moments.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench import dataset, scenarios, servers
from bench.harness import Profile, backends, make_app
from bench.scenarios import Measure, OpenScenario, Scenario


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def seed(profile: Profile, database_url: str, redis_url: str, large: int) -> dict[str, Any]:
    from sqlalchemy import text

    from bench.baseline_app import CREATE_TABLE
    from quiz.clock import utcnow
    from quiz.extensions import db

    app = make_app(database_url, redis_url)
    now = utcnow()
    n = profile.clients
    with app.app_context():
        banks = {
            "small": dataset.make_bank("bench-1k", profile.bank_small, now),
            "main": dataset.make_bank("bench-10k", profile.bank_main, now),
            "large": dataset.make_bank("bench-large", large, now),
        }
        contest = dataset.make_contest("bench-main", now)
        answer_round = dataset.make_round(contest, banks["main"], 20, now, live_scores=True)
        start_rounds = {
            size: dataset.make_round(contest, bank, 20, now) for size, bank in banks.items()
        }
        people = dataset.make_people("main", 8 * n, now, contest_id=contest)
        with db.engine.begin() as conn:
            conn.execute(text(CREATE_TABLE[conn.dialect.name]))
            if conn.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return {"answer_round": answer_round, "start_rounds": start_rounds, "tokens": people.tokens}


def run(profile: Profile) -> dict[str, Any]:
    t0 = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f} s] {message}", file=sys.stderr, flush=True)

    rate = float(os.environ.get("BENCH_OPEN_RATE", 20 if profile.quick else 450))
    rounds = _int("BENCH_OPEN_ROUNDS", 1 if profile.quick else 6)
    seconds = float(os.environ.get("BENCH_OPEN_SECONDS", 0.5 if profile.quick else 24))
    large = _int("BENCH_OPEN_LARGE_BANK", profile.bank_large if profile.quick else 100_000)
    n = profile.clients
    out: dict[str, Any] = {}
    with backends(profile) as found:
        seeded = seed(profile, found.database_url, found.redis_url, large)
        log("seeded")
        env = servers.app_environment(found.database_url, found.redis_url)
        common: dict[str, Any] = dict(
            workers=profile.workers, threads=profile.threads, logdir=found.workdir
        )
        app = servers.spawn("app", servers.app_wsgi(), env, **common)
        base = servers.spawn("baseline", "bench.baseline_app:app", env, **common)
        try:
            servers.wait_ready(app, "/api/v1/regions", profile.workers, timeout=300)
            servers.wait_ready(base, "/hello", profile.workers, timeout=300)
            tokens: list[str] = seeded["tokens"]
            closed_tokens, open_tokens, rest = tokens[:n], tokens[n : 5 * n], tokens[5 * n :]
            round_id = seeded["answer_round"]
            # One start first: it builds the bank's pool (see below).
            attempts = scenarios.start_attempts(app.address, round_id, closed_tokens[:1])
            attempts += scenarios.start_attempts(app.address, round_id, closed_tokens[1:])
            open_attempts = scenarios.start_attempts(app.address, round_id, open_tokens)
            opened_at = time.perf_counter()
            # What the workers did in make bench before its open loop (module docstring).
            for size, start_round in seeded["start_rounds"].items():
                # One start builds the bank's pool in its worker, then the others. (All at
                # once, the --quick run on SQLite sometimes had 3 of 4 starts wait out
                # SQLite's 30 s busy timeout and answer 503: to be looked into.)
                scenarios.start_attempts(app.address, start_round, rest[:1])
                scenarios.start_attempts(app.address, start_round, rest[1:n])
                log(f"{size} bank drawn from")
            warm = Scenario(
                "answer", app, scenarios.answer_script(attempts, closed_tokens), "answer"
            )
            scenarios.interleave([warm], profile, rounds=1, log=log)
            log(f"closed-loop answer (warm-up): {Measure.of(warm.result, 'answer').brief()}")
            out["rss_mib_before"] = app.worker_rss_mib()
            # make bench starts the open loop's attempts minutes before its open loop:
            # every per-process copy of them (drawn items, tokens: 60 s) has expired.
            idle = float(os.environ.get("BENCH_OPEN_IDLE", 0 if profile.quick else 65))
            left = idle - (time.perf_counter() - opened_at)
            if left > 0:
                log(f"waiting {left:.0f} s (BENCH_OPEN_IDLE)")
                time.sleep(left)

            traces: dict[str, list[tuple[float, float]]] = {"answer": [], "insert": []}
            opened = [
                OpenScenario(
                    "answer_open",
                    app,
                    scenarios.traced(
                        scenarios.answer_arrival(open_attempts, open_tokens), traces["answer"]
                    ),
                    "answer",
                ),
                OpenScenario(
                    "insert_open",
                    base,
                    scenarios.traced(scenarios.insert_arrival, traces["insert"]),
                    "insert",
                ),
            ]
            segment = Profile(**{**profile.__dict__, "duration": seconds})
            scenarios.open_loop(opened, rate, segment, rounds=rounds, log=log)
            for x in opened:
                m = Measure.of(x.result, x.label)
                out[x.name] = {
                    **m.__dict__,
                    "asked_per_s": rate,
                    "connections": x.connections,
                    "lag_p99_ms": x.lag.percentile(99) * 1000,
                    "slow_50ms": sum(1 for v in x.result.stats[x.label].latencies if v > 0.05)
                    if x.label in x.result.stats
                    else 0,
                }
                log(
                    f"{x.name}: {m.brief()}, {x.connections} connections, send lag p99 "
                    f"{out[x.name]['lag_p99_ms']:.1f} ms, errors {m.errors}"
                )
            out["rss_mib_after"] = app.worker_rss_mib()
            out["worker_pids"] = app.worker_pids()
            scenarios.keep_slow(traces)
        finally:
            app.stop()
            base.stop()
    out["elapsed_s"] = time.perf_counter() - t0
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    profile = Profile.smoke() if quick else Profile.full()
    results = run(profile)
    a, b = results["answer_open"], results["insert_open"]
    print(
        f"answer_open  p50 {a['p50_ms']:7.1f} ms  p99 {a['p99_ms']:7.1f} ms  "
        f"{a['connections']:4d} connections  >50 ms: {a['slow_50ms']}  errors {a['errors']}"
    )
    print(
        f"insert_open  p50 {b['p50_ms']:7.1f} ms  p99 {b['p99_ms']:7.1f} ms  "
        f"{b['connections']:4d} connections  >50 ms: {b['slow_50ms']}  errors {b['errors']}"
    )
    target = os.environ.get("BENCH_RESULTS")
    if target:
        with open(target, "w") as f:
            json.dump(results, f, indent=2, default=str)
    return 1 if a["errors"] or b["errors"] else 0
