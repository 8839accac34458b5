"""Where the machine's CPU goes per request: app server, PostgreSQL, Redis, load generator.

On the benchmark machine every process (the load generator included) shares 2 cores, so
a scenario's throughput is, near enough, the machine's CPU divided by the CPU one request
costs across all of them. Splitting that cost by process says which side of a ratio to
attack: the app's Python, the database's statements, or Redis.

Linux only: CPU time is read from ``/proc/<pid>/stat`` (user + system, in clock ticks)
and the machine's busy time from ``/proc/stat``. Processes that exit during a window lose
their share (PostgreSQL backends of a pooled connection live as long as the server).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _comm_and_ticks(pid: int) -> tuple[str, int] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    head, _, tail = raw.rpartition(")")
    comm = head.split("(", 1)[1] if "(" in head else ""
    fields = tail.split()
    # fields[0] is state (field 3); utime and stime are fields 14 and 15.
    return comm, int(fields[11]) + int(fields[12])


def process_ticks(pids: list[int]) -> dict[int, int]:
    """CPU clock ticks (user + system) of each process still alive."""
    out = {}
    for pid in pids:
        seen = _comm_and_ticks(pid)
        if seen is not None:
            out[pid] = seen[1]
    return out


def _machine_busy_ticks() -> int:
    try:
        first = (PROC / "stat").read_text().splitlines()[0].split()
    except OSError:
        return 0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    return user + nice + system + irq + softirq + steal


def pids_named(*names: str) -> list[int]:
    """Pids of the processes whose command name is one of ``names``."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            seen = _comm_and_ticks(int(entry.name))
            if seen is not None and seen[0] in names:
                found.append(int(entry.name))
    return found


@dataclass
class CpuMeter:
    """CPU seconds spent by named groups of processes, summed over measured windows.

    ``groups`` maps a name to a function listing that group's pids (called at each
    window's start, so workers a server restarts are picked up).
    """

    groups: dict[str, Callable[[], list[int]]]
    seconds: dict[str, float] = field(default_factory=dict)
    _open: dict[str, dict[int, int]] | None = None
    _busy: int = 0

    @property
    def available(self) -> bool:
        return (PROC / "stat").exists()

    def start(self) -> None:
        if not self.available:
            return
        self._open = {name: process_ticks(list_pids()) for name, list_pids in self.groups.items()}
        self._busy = _machine_busy_ticks()

    def stop(self) -> None:
        if self._open is None:
            return
        for name, before in self._open.items():
            now = process_ticks(list(before))
            spent = sum(now[pid] - before[pid] for pid in now if pid in before)
            self.seconds[name] = self.seconds.get(name, 0.0) + spent / TICK
        busy = (_machine_busy_ticks() - self._busy) / TICK
        self.seconds["machine"] = self.seconds.get("machine", 0.0) + busy
        self._open = None

    def per_request_ms(self, requests: int) -> dict[str, float]:
        """CPU milliseconds per request of each group, plus ``other`` (the rest of the
        machine's busy time) and ``machine`` (all of it)."""
        if not requests:
            return {}
        out = {name: s * 1000 / requests for name, s in self.seconds.items()}
        if "machine" in out:
            named = sum(v for k, v in out.items() if k != "machine")
            out["other"] = max(0.0, out["machine"] - named)
        return out
