"""Starting and stopping the servers under test: gunicorn in the production configuration.

Both the app (``wsgi:app``) and the baseline (``bench.baseline_app:app``) are served by
the same gunicorn settings, so any difference between them is the app's own work: the
production file ``deploy/gunicorn.conf.py`` (gthread workers, its hooks: each worker's
built app frozen out of the garbage collector, Prometheus' multiprocess folder, here one
per server), with the worker and thread counts and the address given through the
variables it reads (``QUIZ_WORKERS``, ``QUIZ_THREADS``, ``QUIZ_BIND``). Two flags differ
from production, both for the load generator: ``--keep-alive 30`` (its connections idle
for seconds between segments) and ``--log-level warning``. The harness owns every
process it starts and stops it by its pid.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import GENEROUS_LIMITS

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"  # the production settings and hooks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment a production app server gets (plus the bench's own variables)."""
    env = dict(os.environ)
    env.update(
        QUIZ_ENV="production",
        QUIZ_SECRET_KEY=secrets.token_urlsafe(32),
        QUIZ_DATABASE_URL=database_url,
        QUIZ_REDIS_URL=redis_url,
        BENCH_DATABASE_URL=database_url,
        BENCH_REDIS_URL=redis_url,
        # No access line per request: a contest run answers millions of requests, whose
        # lines (~60 µs of CPU each to format) would fill the server logs kept for errors.
        QUIZ_ACCESS_LOG="0",
    )
    env.update(GENEROUS_LIMITS)
    env.update(extra)
    return env


def app_wsgi() -> str:
    """The app's WSGI callable: ``wsgi:app``, or ``BENCH_APP_WSGI`` (e.g.
    ``bench.gcprobe:app``, the same app noting its collections and requests)."""
    return os.environ.get("BENCH_APP_WSGI", "wsgi:app")


@dataclass
class Server:
    """One gunicorn master and its workers."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path
    pids: list[int] = field(default_factory=list)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker (VmRSS), in MiB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    name: str,
    wsgi: str,
    env: dict[str, str],
    *,
    workers: int,
    threads: int,
    logdir: Path,
    ready_path: str,
    timeout: float = 60.0,
) -> Server:
    """Start gunicorn with gthread workers and wait until ``ready_path`` answers."""
    server = spawn(name, wsgi, env, workers=workers, threads=threads, logdir=logdir)
    wait_ready(server, ready_path, workers, timeout)
    return server


def spawn(
    name: str,
    wsgi: str,
    env: dict[str, str],
    *,
    workers: int,
    threads: int,
    logdir: Path,
    extra: tuple[str, ...] = (),
) -> Server:
    """Start gunicorn (deploy/gunicorn.conf.py) without waiting: servers boot side by side.

    ``extra``: more gunicorn options (the live-game run raises ``--worker-connections``).
    """
    port = free_port()
    log = logdir / f"{name}.log"
    env = {
        **env,
        "QUIZ_WORKERS": str(workers),
        "QUIZ_THREADS": str(threads),
        "QUIZ_BIND": f"127.0.0.1:{port}",
        # Emptied by the config when gunicorn starts: one folder per server.
        "PROMETHEUS_MULTIPROC_DIR": str((logdir / f"metrics-{name}-{port}").resolve()),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(CONFIG),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        *extra,
        wsgi,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, port, process, log)


def wait_ready(server: Server, ready_path: str, workers: int, timeout: float = 60.0) -> None:
    """Wait until the server answers ``ready_path`` with all its workers up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log
            raise RuntimeError(f"{server.name} exited; see {log}:\n{log.read_text()[-2000:]}")
        if answers(server.port, ready_path) and len(server.worker_pids()) >= workers:
            return
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not start within {timeout} s; see {server.log}")


def answers(port: int, path: str) -> bool:
    """Whether 127.0.0.1:``port`` answers ``GET path`` with 200 (a readiness probe)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
