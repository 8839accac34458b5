"""``make bench``: every figure of issue 6, measured in one run, printed as one table.

The order matters for economy: the 600,000 results are loaded into SQL once, the timed
rebuild turns them into the 600,000-member board, and the rank lookups then read it.

Ratios divide two throughputs measured on the same servers in the same run. The load
scenarios are interleaved: each runs in several short segments, in turn with all the
others (hello, INSERT, answer, practice answer, rank, start, ...), so a machine whose
load changes during the run (other processes, PostgreSQL checkpoints) weighs on every
side of a ratio alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import text

from bench import dataset, loadgen, servers
from bench.cpu import CpuMeter, pids_named
from bench.harness import Backends, Profile, backends, format_table, make_app
from bench.loadgen import Conn, HttpError

CHOICES = ("A", "B", "C", "D")


@dataclass
class Measure:
    """Throughput and latency of one scenario."""

    rate: float
    p50_ms: float
    p99_ms: float
    count: int
    errors: int

    @classmethod
    def of(cls, result: loadgen.RunResult, label: str) -> Measure:
        stat = result.stats.get(label) or loadgen.Stats()
        return cls(
            rate=result.rate(label),
            p50_ms=stat.percentile(50) * 1000,
            p99_ms=stat.percentile(99) * 1000,
            count=stat.count,
            errors=result.errors,
        )

    def brief(self) -> str:
        return f"{self.rate:,.0f}/s p50 {self.p50_ms:.1f} ms p99 {self.p99_ms:.1f} ms"


@dataclass
class Setup:
    """Ids and tokens of the seeded data."""

    main_contest: int = 0
    answer_round: int = 0
    start_rounds: dict[str, int] = field(default_factory=dict)
    start_tokens: list[str] = field(default_factory=list)
    boards: dict[str, tuple[int, int, list[str]]] = field(default_factory=dict)


def seed(profile: Profile, found: Backends, log: Any) -> Setup:
    from quiz.clock import utcnow

    setup = Setup()
    app = make_app(found.database_url, found.redis_url)
    now = utcnow()
    with app.app_context():
        from quiz.extensions import db

        started = time.perf_counter()
        banks = {
            "small": dataset.make_bank("bench-1k", profile.bank_small, now),
            "main": dataset.make_bank("bench-10k", profile.bank_main, now),
            "large": dataset.make_bank("bench-100k", profile.bank_large, now),
        }
        log(f"banks ready in {time.perf_counter() - started:.1f} s")
        setup.main_contest = dataset.make_contest("bench-main", now)
        setup.answer_round = dataset.make_round(
            setup.main_contest, banks["main"], 20, now, live_scores=True
        )
        for size, bank_id in banks.items():
            setup.start_rounds[size] = dataset.make_round(setup.main_contest, bank_id, 20, now)
        people = dataset.make_people(
            "main", profile.start_users, now, contest_id=setup.main_contest
        )
        setup.start_tokens = people.tokens
        for size, count in (("small", profile.board_small), ("large", profile.board_large)):
            started = time.perf_counter()
            contest = dataset.make_contest(f"bench-board-{size}", now)
            round_id = dataset.make_round(contest, banks["small"], 20, now)
            board_people = dataset.make_people(
                f"board{size}",
                count,
                now,
                contest_id=contest,
                tokens=profile.clients,
                enroll=profile.clients,
            )
            dataset.make_results(contest, round_id, board_people, now)
            setup.boards[size] = (contest, round_id, board_people.tokens)
            log(f"{count:,} results for the {size} board in {time.perf_counter() - started:.1f} s")
        with db.engine.begin() as conn:
            from bench.baseline_app import CREATE_TABLE

            conn.execute(text(CREATE_TABLE[conn.dialect.name]))
            if conn.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return setup


def rebuild_probe(found: Backends, contest_ids: list[int]) -> list[dict[str, Any]]:
    """Rebuild contests' boards in a fresh process; time and memory of each (bench.probe)."""
    env = servers.app_environment(found.database_url, found.redis_url)
    out = subprocess.run(
        [sys.executable, "-m", "bench.probe", "rebuild", *map(str, contest_ids)],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.strip().splitlines()[-len(contest_ids) :]]


def start_attempts(target: tuple[str, int], round_id: int, tokens: list[str]) -> list[int]:
    """Start one attempt per token (the answer scenario's setup); returns attempt ids."""
    ids: list[int] = [0] * len(tokens)

    async def script(conn: Conn, index: int, running: Any) -> None:
        response = await conn.request(
            "POST", f"/api/v1/rounds/{round_id}/attempts", {"language": "zh"}, tokens[index]
        )
        ids[index] = response.json()["id"]

    result = loadgen.run([target], len(tokens), script, warmup=0, duration=None)
    if result.errors:
        raise RuntimeError(f"could not start attempts: {result.stats}")
    return ids


def answer_script(attempts: list[int], tokens: list[str]) -> loadgen.Script:
    async def script(conn: Conn, index: int, running: Any) -> None:
        step = 0
        while running():
            # Live-score rounds keep a given answer: each question always gets the same
            # choice, so the first pass stores 20 answers and later passes are the
            # idempotent retries a phone on a weak network sends (the same full save).
            no = step % 20 + 1
            with contextlib.suppress(HttpError):
                await conn.request(
                    "PUT",
                    f"/api/v1/attempts/{attempts[index]}/answers/{no}",
                    {"choice": [CHOICES[(index + no) % 4]]},
                    tokens[index],
                    label="answer",
                )
            step += 1

    return script


def start_practice(target: tuple[str, int], tokens: list[str]) -> list[int]:
    """Start one 20-question practice session per token (the practice answer scenario's
    setup); returns session ids."""
    ids: list[int] = [0] * len(tokens)

    async def script(conn: Conn, index: int, running: Any) -> None:
        response = await conn.request(
            "POST", "/api/v1/practice", {"language": "zh", "count": 20}, tokens[index]
        )
        ids[index] = response.json()["id"]

    result = loadgen.run([target], len(tokens), script, warmup=0, duration=None)
    if result.errors:
        raise RuntimeError(f"could not start practice: {result.stats}")
    return ids


def practice_answer_script(sessions: list[int], tokens: list[str]) -> loadgen.Script:
    """The practice answer path beside the contest's (issue 17 item 9): a practice answer
    is marked at once and final, so, as in the live-score contest round, each question
    always gets the same choice: the first pass marks 20 answers (and files the wrong ones
    in the book), later passes are the idempotent retries that return the same marking."""

    async def script(conn: Conn, index: int, running: Any) -> None:
        step = 0
        while running():
            no = step % 20 + 1
            with contextlib.suppress(HttpError):
                await conn.request(
                    "PUT",
                    f"/api/v1/practice/{sessions[index]}/answers/{no}",
                    {"choice": [CHOICES[(index + no) % 4]]},
                    tokens[index],
                    label="practice_answer",
                )
            step += 1

    return script


def start_script(round_id: int, fresh: Iterator[str]) -> loadgen.Script:
    """Each request starts an attempt for a participant who has none in this round."""

    async def script(conn: Conn, index: int, running: Any) -> None:
        while running():
            token = next(fresh, None)
            if token is None:
                return
            with contextlib.suppress(HttpError):
                await conn.request(
                    "POST",
                    f"/api/v1/rounds/{round_id}/attempts",
                    {"language": "zh"},
                    token,
                    label="start",
                    expect=(201,),
                )

    return script


def rank_script(round_id: int, tokens: list[str]) -> loadgen.Script:
    """Read one's rank plus the top 10 of a round board, over and over."""
    return loadgen.loop(
        "GET",
        f"/api/v1/rounds/{round_id}/leaderboard?limit=10",
        token=lambda i: tokens[i % len(tokens)],
        label="rank",
    )


def redis_memory(url: str, contest_id: int, round_id: int, members: int) -> dict[str, float]:
    """Bytes per participant per board (sorted sets) and per participant in all."""
    from quiz.leaderboards.store import BoardKeys

    client = redis.Redis.from_url(url, decode_responses=True)
    keys = BoardKeys(contest_id)
    boards = [k for k in client.scan_iter(match=keys.pattern, count=1000, _type="zset")]
    board_bytes = sum(client.memory_usage(k, samples=0) or 0 for k in boards)
    entries = sum(client.zcard(k) for k in boards)
    sample = []
    for key in client.scan_iter(match=f"{keys.tag}parts:*", count=1000):
        sample.append(client.memory_usage(key, samples=0) or 0)
        if len(sample) >= 2000:
            break
    parts_each = sum(sample) / len(sample) if sample else 0.0
    people = client.memory_usage(keys.people, samples=0) or 0
    return {
        "per_member_per_board": board_bytes / entries if entries else 0.0,
        "boards_per_participant": entries / members if members else 0.0,
        "per_participant_total": (board_bytes + people) / members + parts_each,
        "parts_each": parts_each,
        "round_board_mib": (client.memory_usage(keys.round_all(round_id), samples=0) or 0) / 2**20,
    }


def run(profile: Profile) -> dict[str, Any]:
    t0 = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f} s] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {"profile": "quick" if profile.quick else "full"}
    with backends(profile) as found:
        log(f"database {found.database_url.split('@')[-1]}, redis {found.redis_url}")
        setup = seed(profile, found, log)
        env = servers.app_environment(found.database_url, found.redis_url)
        common = dict(workers=profile.workers, threads=profile.threads, logdir=found.workdir)
        app = servers.spawn("app", "wsgi:app", env, **common)
        base = servers.spawn("baseline", "bench.baseline_app:app", env, **common)
        servers.wait_ready(app, "/api/v1/regions", profile.workers)
        servers.wait_ready(base, "/hello", profile.workers)
        try:
            results.update(_measure(profile, found, setup, app, base, log))
        finally:
            app.stop()
            base.stop()
    results["elapsed_s"] = time.perf_counter() - t0
    return results


@dataclass
class Scenario:
    name: str
    server: servers.Server
    script: loadgen.Script
    label: str
    result: loadgen.RunResult = field(default_factory=lambda: loadgen.RunResult(0.0, {}))
    meter: CpuMeter | None = None

    def __post_init__(self) -> None:
        server = self.server
        self.meter = CpuMeter(
            {
                "server": lambda: [server.process.pid, *server.worker_pids()],
                "postgres": lambda: pids_named("postgres"),
                "redis": lambda: pids_named("redis-server"),
                "loadgen": lambda: [os.getpid()],
            }
        )

    def add(self, segment: loadgen.RunResult) -> None:
        """Fold one segment's counts and latencies into the scenario's total."""
        self.result.seconds += segment.seconds
        for label, stat in segment.stats.items():
            total = self.result.stats.setdefault(label, loadgen.Stats())
            total.latencies.extend(stat.latencies)
            total.errors += stat.errors
            total.error_samples.extend(stat.error_samples[: 5 - len(total.error_samples)])


def interleave(scenarios: list[Scenario], profile: Profile, rounds: int, log: Any) -> None:
    """Run every scenario ``rounds`` times for duration/rounds seconds, in turn."""
    segment = profile.duration / rounds
    for number in range(rounds):
        for scenario in scenarios:
            scenario.add(
                loadgen.run(
                    [scenario.server.address],
                    profile.clients,
                    scenario.script,
                    warmup=profile.warmup / rounds,
                    duration=segment,
                    meter=scenario.meter,
                )
            )
        log(f"round {number + 1}/{rounds} of {len(scenarios)} interleaved scenarios done")


def _measure(
    profile: Profile,
    found: Backends,
    setup: Setup,
    app: servers.Server,
    base: servers.Server,
    log: Any,
) -> dict[str, Any]:
    n = profile.clients
    out: dict[str, Any] = {}

    # Setup: one attempt per client for the answer scenario; fresh participants for the
    # start scenarios, whose first requests also build each worker's drawing pool.
    answer_tokens = setup.start_tokens[:n]
    attempts = start_attempts(app.address, setup.answer_round, answer_tokens)
    practice_sessions = start_practice(app.address, answer_tokens)
    rest = setup.start_tokens[n:]
    third = len(rest) // 3
    fresh = {
        size: iter(rest[i * third : (i + 1) * third])
        for i, size in enumerate(("main", "small", "large"))
    }
    for size in fresh:
        primer = [next(fresh[size]) for _ in range(n)]
        start_attempts(app.address, setup.start_rounds[size], primer)
    log("answer attempts started, drawing pools built")

    sizes = ("small", "large")
    reports = rebuild_probe(found, [setup.boards[size][0] for size in sizes])
    rebuilds = dict(zip(sizes, reports, strict=True))
    for size in sizes:
        log(f"rebuild {size}: {rebuilds[size]}")
    out["rebuild"] = rebuilds

    scenarios = [
        Scenario("hello", base, loadgen.loop("GET", "/hello", label="hello"), "hello"),
        Scenario("insert", base, loadgen.loop("POST", "/insert", label="insert"), "insert"),
        Scenario("answer", app, answer_script(attempts, answer_tokens), "answer"),
        Scenario(
            "practice_answer",
            app,
            practice_answer_script(practice_sessions, answer_tokens),
            "practice_answer",
        ),
        Scenario("rank_small", app, rank_script(*setup.boards["small"][1:]), "rank"),
        Scenario("rank_large", app, rank_script(*setup.boards["large"][1:]), "rank"),
        *(
            Scenario(
                f"start_{size}", app, start_script(setup.start_rounds[size], fresh[size]), "start"
            )
            for size in ("main", "small", "large")
        ),
    ]
    interleave(scenarios, profile, rounds=1 if profile.quick else 3, log=log)
    measures = {}
    for scenario in scenarios:
        m = Measure.of(scenario.result, scenario.label)
        measures[scenario.name] = m
        out[scenario.name] = m.__dict__
        assert scenario.meter is not None
        cpu = scenario.meter.per_request_ms(m.count)
        out[scenario.name]["cpu_ms_per_request"] = cpu
        log(f"{scenario.name}: {m.brief()} errors {m.errors}")
        if m.errors:
            samples = [x for st in scenario.result.stats.values() for x in st.error_samples]
            log(f"  errors, e.g. {samples[:3]}")

    contest_id, round_id, _ = setup.boards["large"]
    out["redis"] = redis_memory(found.redis_url, contest_id, round_id, profile.board_large)
    out["worker_rss_mib"] = app.worker_rss_mib()
    out["baseline_worker_rss_mib"] = base.worker_rss_mib()
    out["cpu_table"] = cpu_table({k: out[k]["cpu_ms_per_request"] for k in measures})
    out["table"] = table(
        profile,
        measures["hello"],
        measures["insert"],
        measures["answer"],
        measures["practice_answer"],
        {size: measures[f"start_{size}"] for size in ("main", "small", "large")},
        {size: measures[f"rank_{size}"] for size in ("small", "large")},
        rebuilds,
        out,
    )
    return out


CPU_COLUMNS = ("server", "postgres", "redis", "loadgen", "other", "machine")


def cpu_table(per_scenario: dict[str, dict[str, float]]) -> str:
    """CPU milliseconds one request costs each process group (bench.cpu), per scenario.

    ``server`` is the scenario's own gunicorn (the app, or the baseline for hello and
    insert); ``machine`` is all busy time. The machine saturates, so throughput is
    about 2 cores / ``machine``: this says where a ratio's difference is spent.
    """
    header = ("scenario", *CPU_COLUMNS)
    rows = [
        (name, *(f"{cpu.get(col, float('nan')):.2f}" for col in CPU_COLUMNS))
        for name, cpu in per_scenario.items()
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    rule = "-" * max(len(line) for line in lines)
    return "\n".join(["CPU ms per request, by process", rule, lines[0], rule, *lines[1:], rule])


def _ok(good: bool) -> str:
    return "yes" if good else "NO"


def table(
    profile: Profile,
    hello: Measure,
    insert: Measure,
    answer: Measure,
    practice: Measure,
    starts: dict[str, Measure],
    ranks: dict[str, Measure],
    rebuilds: dict[str, dict[str, Any]],
    out: dict[str, Any],
) -> str:
    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    answer_ratio = ratio(answer.rate, insert.rate)
    practice_ratio = ratio(practice.rate, insert.rate)
    rank_ratio = ratio(ranks["small"].rate, hello.rate)
    start_ratio = ratio(starts["main"].rate, insert.rate)
    rank_growth = ratio(ranks["small"].rate, ranks["large"].rate)
    start_growth = ratio(starts["small"].rate, starts["large"].rate)
    big, small = rebuilds["large"], rebuilds["small"]
    mem = out["redis"]
    rss = out["worker_rss_mib"]
    b, s, lg = profile.board_large, profile.board_small, profile.bank_large
    rows = [
        (
            "answer_ratio",
            f"{answer_ratio:.2f}",
            ">= 0.8",
            _ok(answer_ratio >= 0.8),
            f"answer {answer.rate:,.0f}/s vs INSERT+ZADD {insert.rate:,.0f}/s",
        ),
        (
            "practice_answer_ratio",
            f"{practice_ratio:.2f}",
            "",
            "",
            f"practice answer {practice.rate:,.0f}/s (p99 {practice.p99_ms:.1f} ms) vs "
            f"INSERT+ZADD {insert.rate:,.0f}/s; {ratio(practice.rate, answer.rate):.2f} of "
            "the contest answer",
        ),
        (
            "rank_ratio",
            f"{rank_ratio:.2f}",
            ">= 0.5",
            _ok(rank_ratio >= 0.5),
            f"rank+top10 ({s:,} members) {ranks['small'].rate:,.0f}/s vs hello {hello.rate:,.0f}/s",
        ),
        (
            "start_ratio",
            f"{start_ratio:.2f}",
            ">= 0.5",
            _ok(start_ratio >= 0.5),
            f"start, 20 of {profile.bank_main:,} {starts['main'].rate:,.0f}/s vs INSERT+ZADD "
            f"{insert.rate:,.0f}/s",
        ),
        (
            f"answer p50 ({profile.clients} clients)",
            f"{answer.p50_ms:.1f} ms",
            "",
            "",
            f"baseline INSERT+ZADD p50 {insert.p50_ms:.1f} ms",
        ),
        (
            f"answer p99 ({profile.clients} clients)",
            f"{answer.p99_ms:.1f} ms",
            "<= 100 ms",
            _ok(answer.p99_ms <= 100),
            f"baseline INSERT+ZADD p99 {insert.p99_ms:.1f} ms",
        ),
        (
            f"rank cost {b:,} / {s:,} members",
            f"{rank_growth:.2f}x",
            "<= 1.5x",
            _ok(rank_growth <= 1.5),
            f"{ranks['large'].rate:,.0f}/s vs {ranks['small'].rate:,.0f}/s; p99 "
            f"{ranks['large'].p99_ms:.1f} vs {ranks['small'].p99_ms:.1f} ms",
        ),
        (
            f"start cost {lg:,} / {profile.bank_small:,} bank",
            f"{start_growth:.2f}x",
            "<= 2x",
            _ok(start_growth <= 2),
            f"{starts['large'].rate:,.0f}/s vs {starts['small'].rate:,.0f}/s",
        ),
        (
            f"rebuild {b:,} results",
            f"{big['seconds']:.1f} s",
            "< 60 s",
            _ok(big["seconds"] < 60),
            f"{big['rate']:,.0f} results/s; RSS {big['rss_before_mib']:.0f} -> peak "
            f"{big['peak_rss_mib']:.0f} MiB (for {s:,}: {small['rss_before_mib']:.0f} -> "
            f"{small['peak_rss_mib']:.0f} MiB)",
        ),
        (
            "redis per participant per board",
            f"{mem['per_member_per_board']:.0f} B",
            "",
            "",
            f"all keys per participant {mem['per_participant_total']:.0f} B "
            f"(parts hash {mem['parts_each']:.0f} B, {mem['boards_per_participant']:.0f} boards); "
            f"{b:,}-member board {mem['round_board_mib']:.1f} MiB",
        ),
        (
            "app worker RSS",
            f"{max(rss) if rss else 0:.0f} MiB",
            "",
            "",
            f"{len(rss)} workers x {profile.threads} threads: "
            + ", ".join(f"{r:.0f}" for r in rss)
            + f" MiB; baseline {max(out['baseline_worker_rss_mib'] or [0]):.0f} MiB",
        ),
    ]
    return format_table(rows)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    profile = Profile.smoke() if quick else Profile.full()
    results = run(profile)
    print(results["table"])
    print(results["cpu_table"])
    target = os.environ.get("BENCH_RESULTS")
    if target:
        Path(target).write_text(json.dumps(results, indent=2, default=str))
    errors = sum(v.get("errors", 0) for v in results.values() if isinstance(v, dict))
    return 1 if errors else 0
