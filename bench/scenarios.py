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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import text

from bench import dataset, loadgen, servers
from bench.cpu import CpuMeter, pids_named
from bench.harness import Backends, Profile, backends, format_table, make_app
from bench.live import Game, seed_game
from bench.loadgen import Conn, HttpError, Slot

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
    burst_round: int = 0
    burst_tokens: list[str] = field(default_factory=list)
    live: Game | None = None
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
        # The burst: a round of its own on the 10,000 bank, and participants who have no
        # attempt anywhere (their first start is the one measured).
        setup.burst_round = dataset.make_round(setup.main_contest, banks["main"], 20, now)
        setup.burst_tokens = dataset.make_people(
            "burst", profile.burst, now, contest_id=setup.main_contest
        ).tokens
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


def each_token(
    target: tuple[str, int], method: str, path: str, body: Any, tokens: list[str]
) -> list[Any]:
    """One request per token, at most 64 side by side (a scenario's set-up); their JSON."""
    out: list[Any] = [None] * len(tokens)
    clients = max(1, min(len(tokens), 64))

    async def script(conn: Conn, index: int, running: Any) -> None:
        for item in range(index, len(tokens), clients):
            out[item] = (await conn.request(method, path, body, tokens[item])).json()

    result = loadgen.run([target], clients, script, warmup=0, duration=None)
    if result.errors or any(x is None for x in out):
        raise RuntimeError(f"{method} {path} failed: {result.stats}")
    return out


def start_attempts(target: tuple[str, int], round_id: int, tokens: list[str]) -> list[int]:
    """Start one attempt per token (the answer scenarios' setup); returns attempt ids."""
    path = f"/api/v1/rounds/{round_id}/attempts"
    return [r["id"] for r in each_token(target, "POST", path, {"language": "zh"}, tokens)]


async def save_answer(
    conn: Conn, attempts: list[int], tokens: list[str], index: int, step: int, slot: Slot | None
) -> None:
    """Client ``index``'s save number ``step``: question step % 20 + 1 of its attempt.

    Live-score rounds keep a given answer: each question always gets the same choice, so
    the first pass stores 20 answers and later passes are the idempotent retries a phone
    on a weak network sends (the same full save)."""
    no = step % 20 + 1
    await conn.request(
        "PUT",
        f"/api/v1/attempts/{attempts[index]}/answers/{no}",
        {"choice": [CHOICES[(index + no) % 4]]},
        tokens[index],
        label="answer",
        slot=slot,
    )


def answer_script(attempts: list[int], tokens: list[str]) -> loadgen.Script:
    async def script(conn: Conn, index: int, running: Any) -> None:
        step = 0
        while running():
            with contextlib.suppress(HttpError):
                await save_answer(conn, attempts, tokens, index, step, None)
            step += 1

    return script


def start_practice(target: tuple[str, int], tokens: list[str]) -> list[int]:
    """Start one 20-question practice session per token (the practice answer scenario's
    setup); returns session ids."""
    body = {"language": "zh", "count": 20}
    return [r["id"] for r in each_token(target, "POST", "/api/v1/practice", body, tokens)]


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


def answer_arrival(attempts: list[int], tokens: list[str]) -> loadgen.Arrival:
    """The answer save of the open loop: arrival k is save number k // len(attempts) of
    attempt k % len(attempts), the closed loop's saves in round-robin order."""

    async def arrival(conn: Conn, slot: Slot) -> None:
        count = len(attempts)
        await save_answer(conn, attempts, tokens, slot.number % count, slot.number // count, slot)

    return arrival


async def insert_arrival(conn: Conn, slot: Slot) -> None:
    """The bare INSERT+ZADD of the baseline, in the open loop."""
    await conn.request("POST", "/insert", label="insert", slot=slot)


@dataclass
class LiveQuestion:
    """The live answer scenario's game: the open question and who has yet to answer it."""

    game: Game
    target: tuple[str, int]
    no: int = 0
    waiting: Iterator[int] = field(default_factory=lambda: iter(()))
    ran_out: int = 0  # segments in which every player had answered before the end

    def host(self, body: dict[str, Any]) -> dict[str, Any]:
        path = f"/api/v1/live-games/{self.game.game_id}/advance"
        return each_token(self.target, "POST", path, body, [self.game.host])[0]

    def next_question(self) -> None:
        """Between segments (unmeasured): reveal the open question, open the next, and
        let every player answer it once."""
        if self.no:
            self.host({})  # reveal
        state = self.host({})
        assert state["phase"] == "question", state
        self.no = state["question"]["no"]
        self.waiting = iter(range(len(self.game.tokens)))


def live_answer_script(live: LiveQuestion) -> loadgen.Script:
    """``PUT /live-games/<id>/answers/<no>``: each request is a player's first (and only)
    answer to the open question, the work a phone's tap costs in a live game."""
    game = live.game

    async def script(conn: Conn, index: int, running: Any) -> None:
        while running():
            player = next(live.waiting, None)
            if player is None:
                live.ran_out += 1
                return
            with contextlib.suppress(HttpError):
                await conn.request(
                    "PUT",
                    f"/api/v1/live-games/{game.game_id}/answers/{live.no}",
                    {"choice": [CHOICES[player % 4]]},
                    game.tokens[player],
                    label="live_answer",
                )

    return script


def live_state_script(game: Game) -> loadgen.Script:
    """``GET /live-games/<id>/state`` without ``after``: the state a phone is handed each
    time the game moves (the body a woken long-poll returns), over and over."""
    return loadgen.loop(
        "GET",
        f"/api/v1/live-games/{game.game_id}/state",
        token=lambda i: game.tokens[i % len(game.tokens)],
        label="live_state",
    )


def join_live(target: tuple[str, int], game: Game) -> LiveQuestion:
    """Every player joins the game with its PIN (set-up of the live answer scenario)."""
    each_token(target, "POST", "/api/v1/live-games/join", {"pin": game.pin}, game.tokens)
    return LiveQuestion(game, target)


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
        # One question per segment of the live answer scenario (and one to spare); a
        # question stays open 10 minutes, far longer than its segment.
        setup.live = seed_game(found, profile.live_players, profile.rounds + 1, 600, "benchlive")
        env = servers.app_environment(found.database_url, found.redis_url)
        common = dict(workers=profile.workers, threads=profile.threads, logdir=found.workdir)
        app = servers.spawn("app", servers.app_wsgi(), env, **common)
        base = servers.spawn("baseline", "bench.baseline_app:app", env, **common)
        try:
            # Workers boot in seconds on an idle machine, in minutes on a shared one.
            servers.wait_ready(app, "/api/v1/regions", profile.workers, timeout=300)
            servers.wait_ready(base, "/hello", profile.workers, timeout=300)
            results.update(_measure(profile, found, setup, app, base, log))
        finally:
            app.stop()
            base.stop()
    results["elapsed_s"] = time.perf_counter() - t0
    return results


def meter_for(server: servers.Server) -> CpuMeter:
    """CPU of the server under test, PostgreSQL, Redis and this load generator."""
    return CpuMeter(
        {
            "server": lambda: [server.process.pid, *server.worker_pids()],
            "postgres": lambda: pids_named("postgres"),
            "redis": lambda: pids_named("redis-server"),
            "loadgen": lambda: [os.getpid()],
        }
    )


def add_segment(total: loadgen.RunResult, segment: loadgen.RunResult) -> None:
    """Fold one segment's counts and latencies into a scenario's total."""
    total.seconds += segment.seconds
    for label, stat in segment.stats.items():
        into = total.stats.setdefault(label, loadgen.Stats())
        into.latencies.extend(stat.latencies)
        into.errors += stat.errors
        into.error_samples.extend(stat.error_samples[: 5 - len(into.error_samples)])


@dataclass
class Scenario:
    name: str
    server: servers.Server
    script: loadgen.Script
    label: str
    result: loadgen.RunResult = field(default_factory=lambda: loadgen.RunResult(0.0, {}))
    meter: CpuMeter | None = None
    before: Callable[[], None] | None = None  # unmeasured, before each segment

    def __post_init__(self) -> None:
        self.meter = meter_for(self.server)

    def add(self, segment: loadgen.RunResult) -> None:
        add_segment(self.result, segment)


@dataclass
class OpenScenario:
    """A scenario of the open loop: arrivals at a fixed rate (bench.loadgen.run_open)."""

    name: str
    server: servers.Server
    arrival: loadgen.Arrival
    label: str
    result: loadgen.RunResult = field(default_factory=lambda: loadgen.RunResult(0.0, {}))
    lag: loadgen.Stats = field(default_factory=loadgen.Stats)
    connections: int = 0
    sent: int = 0
    meter: CpuMeter | None = None

    def __post_init__(self) -> None:
        self.meter = meter_for(self.server)

    def add(self, segment: loadgen.OpenResult) -> None:
        add_segment(self.result, segment)
        self.lag.latencies.extend(segment.lag.latencies)
        self.connections = max(self.connections, segment.connections)
        self.sent += segment.sent


def interleave(scenarios: list[Scenario], profile: Profile, rounds: int, log: Any) -> None:
    """Run every scenario ``rounds`` times for duration/rounds seconds, in turn."""
    segment = profile.duration / rounds
    for number in range(rounds):
        for scenario in scenarios:
            if scenario.before:
                scenario.before()
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


def open_loop(
    scenarios: list[OpenScenario], rate: float, profile: Profile, rounds: int, log: Any
) -> None:
    """The open-loop scenarios at ``rate`` arrivals per second, interleaved like the
    closed-loop ones (each in ``rounds`` segments, in turn)."""
    segment = profile.duration / rounds
    for number in range(rounds):
        for scenario in scenarios:
            scenario.add(
                loadgen.run_open(
                    scenario.server.address,
                    rate,
                    scenario.arrival,
                    warmup=profile.warmup / rounds,
                    duration=segment,
                    meter=scenario.meter,
                    seed=number,
                )
            )
        log(f"open loop at {rate:,.0f}/s: round {number + 1}/{rounds} done")


def traced(arrival: loadgen.Arrival, into: list[tuple[float, float]]) -> loadgen.Arrival:
    """``arrival``, noting (due, done) on the monotonic clock of each recorded request."""

    async def arrive(conn: Conn, slot: Slot) -> None:
        try:
            await arrival(conn, slot)
        finally:
            if slot.record:
                into.append((slot.due, time.perf_counter()))

    return arrive


def keep_slow(traces: dict[str, list[tuple[float, float]]], over: float = 0.05) -> None:
    """``BENCH_OPEN_SLOW=file.json``: the open loop's requests slower than ``over``
    seconds, as (due, done) on the monotonic clock, by label; ``window``: the first due
    and last done of all. To lay beside what the servers noted at those moments
    (bench/gcprobe.py)."""
    target = os.environ.get("BENCH_OPEN_SLOW")
    if not target:
        return
    every = [t for v in traces.values() for t in v]
    out: dict[str, Any] = {k: [t for t in v if t[1] - t[0] > over] for k, v in traces.items()}
    out["window"] = [min(t[0] for t in every), max(t[1] for t in every)] if every else []
    Path(target).write_text(json.dumps(out))


def start_burst(
    server: servers.Server, round_id: int, tokens: list[str], log: Any
) -> tuple[loadgen.RunResult, CpuMeter]:
    """``len(tokens)`` participants without an attempt start the round at the same
    instant, each on a connection of its own (issue 18 item 1: a synchronised round's
    first seconds). Every connection is opened (with an unrecorded GET) before the
    release; latencies run from the release."""

    async def prepare(conn: Conn) -> None:
        await conn.request("GET", "/api/v1/regions")

    async def arrival(conn: Conn, slot: Slot) -> None:
        await conn.request(
            "POST",
            f"/api/v1/rounds/{round_id}/attempts",
            {"language": "zh"},
            tokens[slot.number],
            label="start_burst",
            expect=(201,),
            slot=slot,
        )

    meter = meter_for(server)
    result = loadgen.run_burst(server.address, len(tokens), arrival, prepare, meter=meter)
    log(f"start burst of {len(tokens):,}: all answered in {result.seconds:.2f} s")
    return result, meter


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
    # The open loop spreads its saves over 4x as many attempts: at half the capacity,
    # two saves of one attempt then seldom meet (a person answers every few seconds).
    open_tokens = setup.start_tokens[n : 5 * n]
    open_attempts = start_attempts(app.address, setup.answer_round, open_tokens)
    assert setup.live is not None
    live = join_live(app.address, setup.live)
    rest = setup.start_tokens[5 * n :]
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
        Scenario(
            "live_answer",
            app,
            live_answer_script(live),
            "live_answer",
            before=live.next_question,
        ),
        Scenario("live_state", app, live_state_script(live.game), "live_state"),
        Scenario("rank_small", app, rank_script(*setup.boards["small"][1:]), "rank"),
        Scenario("rank_large", app, rank_script(*setup.boards["large"][1:]), "rank"),
        *(
            Scenario(
                f"start_{size}", app, start_script(setup.start_rounds[size], fresh[size]), "start"
            )
            for size in ("main", "small", "large")
        ),
    ]
    interleave(scenarios, profile, rounds=profile.rounds, log=log)
    # A start scenario whose participants ran out idled for the rest of its segments: its
    # rate would be the supply's, not the server's (a fourth-round run read 383/s so).
    out["start_ran_out"] = [size for size in fresh if next(fresh[size], None) is None]
    if out["start_ran_out"]:
        log(f"start: fresh participants ran out for {out['start_ran_out']} (BENCH_START_USERS)")
    if live.ran_out:
        log(f"live_answer: every player had answered in {live.ran_out} client-segments")

    # Latency under steady load (issue 18 item 4): half the answer capacity just measured.
    [closed] = [x for x in scenarios if x.name == "answer"]
    rate = max(1.0, Measure.of(closed.result, "answer").rate / 2)
    traces: dict[str, list[tuple[float, float]]] = {"answer": [], "insert": []}
    opened = [
        OpenScenario(
            "answer_open",
            app,
            traced(answer_arrival(open_attempts, open_tokens), traces["answer"]),
            "answer",
        ),
        OpenScenario("insert_open", base, traced(insert_arrival, traces["insert"]), "insert"),
    ]
    open_loop(opened, rate, profile, rounds=profile.rounds, log=log)
    keep_slow(traces)
    burst, burst_meter = start_burst(app, setup.burst_round, setup.burst_tokens, log)

    measures = {}
    metered: list[tuple[str, loadgen.RunResult, str, CpuMeter | None]] = [
        *((x.name, x.result, x.label, x.meter) for x in scenarios),
        *((x.name, x.result, x.label, x.meter) for x in opened),
        ("start_burst", burst, "start_burst", burst_meter),
    ]
    for name, result, label, meter in metered:
        m = Measure.of(result, label)
        measures[name] = m
        out[name] = m.__dict__
        assert meter is not None
        out[name]["cpu_ms_per_request"] = meter.per_request_ms(m.count)
        log(f"{name}: {m.brief()} errors {m.errors}")
        if m.errors:
            samples = [x for st in result.stats.values() for x in st.error_samples]
            log(f"  errors, e.g. {samples[:3]}")
    for x in opened:
        out[x.name].update(
            asked_per_s=rate,
            sent=x.sent,
            connections=x.connections,
            lag_p99_ms=x.lag.percentile(99) * 1000,
        )
    out["start_burst"]["seconds"] = burst.seconds

    contest_id, round_id, _ = setup.boards["large"]
    out["redis"] = redis_memory(found.redis_url, contest_id, round_id, profile.board_large)
    out["worker_rss_mib"] = app.worker_rss_mib()
    out["baseline_worker_rss_mib"] = base.worker_rss_mib()
    out["cpu_table"] = cpu_table({k: out[k]["cpu_ms_per_request"] for k in measures})
    out["table"] = table(profile, measures, rebuilds, out)
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
    measures: dict[str, Measure],
    rebuilds: dict[str, dict[str, Any]],
    out: dict[str, Any],
) -> str:
    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    hello, insert, answer = measures["hello"], measures["insert"], measures["answer"]
    practice, live = measures["practice_answer"], measures["live_answer"]
    state = measures["live_state"]
    starts = {size: measures[f"start_{size}"] for size in ("main", "small", "large")}
    ranks = {size: measures[f"rank_{size}"] for size in ("small", "large")}
    answer_open, insert_open = measures["answer_open"], measures["insert_open"]
    burst = measures["start_burst"]
    opened = out["answer_open"]
    answer_ratio = ratio(answer.rate, insert.rate)
    practice_ratio = ratio(practice.rate, insert.rate)
    live_ratio = ratio(live.rate, insert.rate)
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
            "live_answer_ratio",
            f"{live_ratio:.2f}",
            "",
            "",
            f"live game answer {live.rate:,.0f}/s (p99 {live.p99_ms:.1f} ms) vs "
            f"INSERT+ZADD {insert.rate:,.0f}/s; {ratio(live.rate, answer.rate):.2f} of "
            "the contest answer",
        ),
        (
            "live_state_ratio",
            f"{ratio(state.rate, hello.rate):.2f}",
            "",
            "",
            f"live game state (a woken long-poll's answer) {state.rate:,.0f}/s "
            f"(p99 {state.p99_ms:.1f} ms) vs hello {hello.rate:,.0f}/s",
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
            f"{insert.rate:,.0f}/s"
            + (
                "; RAN OUT of fresh participants: a lower bound (raise BENCH_START_USERS)"
                if out.get("start_ran_out")
                else ""
            ),
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
            "answer p99 open-loop",
            f"{answer_open.p99_ms:.1f} ms",
            "<= 50 ms",
            _ok(answer_open.p99_ms <= 50),
            f"p50 {answer_open.p50_ms:.1f} ms; Poisson arrivals at {opened['asked_per_s']:,.0f}/s "
            f"(half of answer's {answer.rate:,.0f}/s), {answer_open.rate:,.0f}/s answered, "
            f"{opened['connections']} connections, send lag p99 {opened['lag_p99_ms']:.1f} ms",
        ),
        (
            "baseline p99 open-loop",
            f"{insert_open.p99_ms:.1f} ms",
            "",
            "",
            f"p50 {insert_open.p50_ms:.1f} ms; INSERT+ZADD at the same "
            f"{opened['asked_per_s']:,.0f}/s, {out['insert_open']['connections']} connections, "
            f"send lag p99 {out['insert_open']['lag_p99_ms']:.1f} ms",
        ),
        (
            f"start burst {profile.burst:,} p99",
            f"{burst.p99_ms:.1f} ms",
            "",
            "",
            f"p50 {burst.p50_ms:.1f} ms; {profile.burst:,} starts (20 of "
            f"{profile.bank_main:,}) released together on {profile.burst:,} connections, "
            f"last answered after {out['start_burst']['seconds']:.2f} s",
        ),
        (
            f"start burst {profile.burst:,} errors",
            f"{burst.errors}",
            "0",
            _ok(burst.errors == 0),
            f"{burst.count:,} of {profile.burst:,} started (201)",
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
