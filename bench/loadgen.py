"""Load generators on asyncio: closed-loop (N clients, each with a keep-alive connection)
and open-loop (requests on a fixed arrival schedule, whatever the server's answers).

Why not httpx: on a 2-core machine the load generator shares the CPU with gunicorn,
PostgreSQL and Redis, and every microsecond the client spends per request is taken from
the server. Against the baseline's hello-world endpoint with 64 connections, httpx's
async client reached 251 requests/s where this minimal client reached 2,947/s: httpx would
have measured itself, not the server. The client here speaks just what gunicorn answers:
HTTP/1.1, keep-alive, ``Content-Length`` bodies; it needs nothing beyond the standard
library.

Each client runs a ``Script``: an async callable given a ``Conn`` that issues requests in
a loop until the stop time. Latencies of every request are recorded per label.

A closed loop measures capacity, but its latencies flatter a slow server: a client waits
for an answer before it sends again, so while the server stalls nobody asks it anything
("coordinated omission"). ``run_open`` sends on a schedule of its own (Poisson arrivals
at a fixed rate), opens another connection when none is free rather than wait for one,
and counts each latency from the moment the request was *due*, so a stall weighs on every
request that fell due during it, as it would on people using the site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.cpu import CpuMeter


class HttpError(RuntimeError):
    """The server answered something the client did not expect."""


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Stats:
    """Latencies (seconds) and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def add_error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(message[:300])

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]


@dataclass(frozen=True)
class Slot:
    """One arrival of an open-loop run: its number, when it was due, whether it counts."""

    number: int
    due: float  # time.perf_counter() at which the request should have left
    record: bool


class Conn:
    """One keep-alive HTTP/1.1 connection; reconnects if the server closed it."""

    def __init__(self, host: str, port: int, stats: dict[str, Stats], recording: list[bool]):
        self.host, self.port = host, port
        self.stats = stats
        self.recording = recording
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def connect(self) -> None:
        """Open the connection now (a burst opens all of its connections first)."""
        if self._writer is None:
            await self._connect()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        label: str | None = None,
        expect: tuple[int, ...] = (200, 201),
        slot: Slot | None = None,
    ) -> Response:
        """Send one request; record its latency under ``label`` (default: the method).

        ``slot`` (open loop): the latency runs from ``slot.due``, not from the send, and
        the request is recorded if its slot is, whenever it completes.
        """
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body is not None:
            head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(payload)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        stats = self.stats.setdefault(label or method, Stats())
        started = time.perf_counter() if slot is None else slot.due
        try:
            response = await self._roundtrip(raw)
        except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
            await self.close()
            if self._records(slot):
                stats.add_error(f"{method} {path}: {exc!r}")
            raise HttpError(f"{method} {path}: {exc!r}") from exc
        elapsed = time.perf_counter() - started
        if response.status not in expect:
            if self._records(slot):
                stats.add_error(f"{method} {path}: {response.status} {response.body[:200]!r}")
            raise HttpError(f"{method} {path}: {response.status} {response.body[:200]!r}")
        if self._records(slot):
            stats.latencies.append(elapsed)
        return response

    def _records(self, slot: Slot | None) -> bool:
        return self.recording[0] if slot is None else slot.record

    async def _roundtrip(self, raw: bytes) -> Response:
        for attempt in (1, 2):
            if self._writer is None:
                await self._connect()
            assert self._reader is not None and self._writer is not None
            try:
                self._writer.write(raw)
                await self._writer.drain()
                status_line = await self._reader.readuntil(b"\r\n")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed an idle keep-alive connection: reconnect once.
                await self.close()
                if attempt == 2:
                    raise
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        close = False
        while True:
            line = await self._reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise HttpError("chunked responses are not supported")
        body = await self._reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return Response(status, body)


Script = Callable[[Conn, int, Callable[[], bool]], Awaitable[None]]


@dataclass
class RunResult:
    seconds: float
    stats: dict[str, Stats]

    def rate(self, label: str) -> float:
        stat = self.stats.get(label)
        return stat.count / self.seconds if stat and self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.stats.values())


async def _run(
    targets: list[tuple[str, int]],
    clients: int,
    script: Script,
    warmup: float,
    duration: float | None,
    meter: CpuMeter | None = None,
) -> RunResult:
    stats: dict[str, Stats] = {}
    recording = [warmup <= 0]
    deadline = [float("inf")]

    def running() -> bool:
        return time.perf_counter() < deadline[0]

    conns = [Conn(*targets[i % len(targets)], stats, recording) for i in range(clients)]

    async def one(index: int) -> None:
        try:
            await script(conns[index], index, running)
        finally:
            await conns[index].close()

    tasks = [asyncio.create_task(one(i)) for i in range(clients)]
    if duration is None:  # run the scripts to their end (the contest simulation)
        started = time.perf_counter()
        recording[0] = True
        if meter:
            meter.start()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.perf_counter() - started
        if meter:
            meter.stop()
    else:
        if warmup > 0:
            await asyncio.sleep(warmup)
            recording[0] = True
        started = time.perf_counter()
        deadline[0] = started + duration
        if meter:  # CPU over exactly the recorded window
            meter.start()
            await asyncio.sleep(duration)
            meter.stop()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = min(time.perf_counter(), deadline[0]) - started
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, HttpError):
            raise result
    return RunResult(seconds=elapsed, stats=stats)


def run(
    targets: list[tuple[str, int]],
    clients: int,
    script: Script,
    *,
    warmup: float = 1.0,
    duration: float | None = 5.0,
    meter: CpuMeter | None = None,
) -> RunResult:
    """Run ``clients`` copies of ``script`` against ``targets`` (shared round-robin).

    With ``duration``, scripts loop while ``running()`` is true; requests are recorded
    only after ``warmup`` seconds. With ``duration=None`` scripts run to their end.
    ``meter`` (bench.cpu) adds up the CPU the processes spend in the recorded window.
    """
    return asyncio.run(_run(targets, clients, script, warmup, duration, meter))


Arrival = Callable[[Conn, Slot], Awaitable[None]]


@dataclass
class OpenResult(RunResult):
    """An open-loop run: besides the latencies, how well the generator kept its schedule."""

    asked: float = 0.0  # arrivals per second asked for
    sent: int = 0  # recorded arrivals sent
    connections: int = 0  # connections the run needed (never waited for a free one)
    lag: Stats = field(default_factory=Stats)  # send time - due time, seconds


async def _open(
    target: tuple[str, int],
    rate: float,
    arrival: Arrival,
    warmup: float,
    duration: float,
    meter: CpuMeter | None,
    seed: int,
) -> OpenResult:
    stats: dict[str, Stats] = {}
    recording = [True]  # unused: every request carries its slot
    idle: list[Conn] = []
    every: list[Conn] = []
    lag = Stats()
    rng = random.Random(seed)
    in_flight: set[asyncio.Task[None]] = set()

    async def fire(conn: Conn, slot: Slot) -> None:
        try:
            await arrival(conn, slot)
        except HttpError:
            pass
        finally:
            idle.append(conn)

    started = time.perf_counter()
    window = started + warmup
    end = window + duration
    due = started
    number = sent = 0
    metering = False
    while True:
        due += rng.expovariate(rate)  # Poisson arrivals: exponential gaps
        if due >= end:
            break
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        if due >= window and not metering and meter:
            meter.start()
            metering = True
        record = due >= window
        if idle:
            conn = idle.pop()
        else:  # every connection is busy: open one more rather than wait
            conn = Conn(*target, stats, recording)
            every.append(conn)
        if record:
            lag.latencies.append(time.perf_counter() - due)
            sent += 1
        task = asyncio.create_task(fire(conn, Slot(number, due, record)))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        number += 1
    if metering and meter:
        meter.stop()
    # The requests still out are the slowest of the window: wait for them.
    await asyncio.gather(*in_flight, return_exceptions=True)
    for conn in every:
        await conn.close()
    return OpenResult(
        seconds=duration, stats=stats, asked=rate, sent=sent, connections=len(every), lag=lag
    )


def run_open(
    target: tuple[str, int],
    rate: float,
    arrival: Arrival,
    *,
    warmup: float = 1.0,
    duration: float = 5.0,
    meter: CpuMeter | None = None,
    seed: int = 18,
) -> OpenResult:
    """Send ``arrival`` requests at ``rate`` per second (Poisson) for ``warmup`` +
    ``duration`` seconds, recording those due after the warm-up, from their due time.

    Connections are opened as the schedule needs them (a fresh gunicorn gthread
    connection holds a thread until its first request arrives, so none is opened ahead);
    a request never waits for a free one. ``meter`` covers the recorded window.
    """
    return asyncio.run(_open(target, rate, arrival, warmup, duration, meter, seed))


async def _burst(
    target: tuple[str, int],
    count: int,
    arrival: Arrival,
    prepare: Callable[[Conn], Awaitable[Any]],
    meter: CpuMeter | None,
) -> RunResult:
    stats: dict[str, Stats] = {}
    recording = [False]  # the preparing requests are not recorded; the burst's slots are
    conns = [Conn(*target, stats, recording) for _ in range(count)]
    await asyncio.gather(*(prepare(conn) for conn in conns))
    released = time.perf_counter()
    if meter:
        meter.start()
    results = await asyncio.gather(
        *(arrival(conn, Slot(i, released, True)) for i, conn in enumerate(conns)),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - released
    if meter:
        meter.stop()
    for conn in conns:
        await conn.close()
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, HttpError):
            raise result
    return RunResult(seconds=elapsed, stats=stats)


def run_burst(
    target: tuple[str, int],
    count: int,
    arrival: Arrival,
    prepare: Callable[[Conn], Awaitable[Any]],
    *,
    meter: CpuMeter | None = None,
) -> RunResult:
    """``count`` requests released together, each on its own connection.

    Every connection first sends ``prepare`` (unrecorded, e.g. a cheap GET), so that all
    are open and parked in gunicorn's keep-alive poller when the burst is released (a
    fresh connection that has not spoken yet would hold a server thread). Latencies run
    from the release; ``seconds`` is the time until the last answer.
    """
    return asyncio.run(_burst(target, count, arrival, prepare, meter))


def loop(
    method: str,
    path: Callable[[int, int], str] | str,
    body: Callable[[int, int], Any] | None = None,
    token: Callable[[int], str | None] | None = None,
    label: str | None = None,
) -> Script:
    """A script that repeats one kind of request (path/body may vary by client and step)."""

    async def script(conn: Conn, index: int, running: Callable[[], bool]) -> None:
        step = 0
        bearer = token(index) if token else None
        while running():
            p = path(index, step) if callable(path) else path
            b = body(index, step) if body else None
            try:
                await conn.request(method, p, b, token=bearer, label=label)
            except HttpError:
                await asyncio.sleep(0.01)
            step += 1

    return script
