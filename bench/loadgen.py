"""A closed-loop load generator on asyncio: N clients, each with a keep-alive connection.

Why not httpx: on a 2-core machine the load generator shares the CPU with gunicorn,
PostgreSQL and Redis, and every microsecond the client spends per request is taken from
the server. Against the baseline's hello-world endpoint with 64 connections, httpx's
async client reached 251 requests/s where this minimal client reached 2,947/s: httpx would
have measured itself, not the server. The client here speaks just what gunicorn answers:
HTTP/1.1, keep-alive, ``Content-Length`` bodies; it needs nothing beyond the standard
library.

Each client runs a ``Script``: an async callable given a ``Conn`` that issues requests in
a loop until the stop time. Latencies of every request are recorded per label.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
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
    ) -> Response:
        """Send one request; record its latency under ``label`` (default: the method)."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body is not None:
            head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(payload)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        stats = self.stats.setdefault(label or method, Stats())
        started = time.perf_counter()
        try:
            response = await self._roundtrip(raw)
        except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
            await self.close()
            if self.recording[0]:
                stats.add_error(f"{method} {path}: {exc!r}")
            raise HttpError(f"{method} {path}: {exc!r}") from exc
        elapsed = time.perf_counter() - started
        if response.status not in expect:
            if self.recording[0]:
                stats.add_error(f"{method} {path}: {response.status} {response.body[:200]!r}")
            raise HttpError(f"{method} {path}: {response.status} {response.body[:200]!r}")
        if self.recording[0]:
            stats.latencies.append(elapsed)
        return response

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
