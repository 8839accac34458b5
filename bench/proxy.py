"""The deployment's reverse proxy in front of the bench's app servers.

``make bench-contest`` runs its two-server contest behind nginx, as production runs
(deploy/compose.yaml): every participant talks to one address and nginx spreads the
requests over the app servers. The proxy's behaviour comes from the shipped
``deploy/nginx.conf`` itself (its upstream and ``location`` blocks: keep-alive to the app
servers, ``X-Forwarded-For``, the live-game read timeout, which failures are retried), so
the benchmark exercises the file operators deploy; only what a container has and a bench
run must not have is replaced: the app servers' addresses, the public port (a free port
on 127.0.0.1) and the log and temporary paths (a temporary folder, no root needed).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.servers import ROOT, Server, answers, free_port

SHIPPED_CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """The distribution's nginx (Debian: /usr/sbin/nginx), if installed."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def site_config(backends: list[tuple[str, int]], port: int, logdir: Path) -> str:
    """``deploy/nginx.conf`` with the bench's upstream servers, port and log file.

    Raises ``ValueError`` when the shipped file no longer has the lines replaced here, so
    a change to the deployment file cannot silently leave the bench on another config."""
    text = SHIPPED_CONFIG.read_text()
    servers = "".join(
        f"    server {host}:{p} max_fails=3 fail_timeout=10s;\n" for host, p in backends
    )
    replaced, count = re.subn(r"(?m)^    server \S+:\d+[^\n]*\n", "", text)
    if count == 0:
        raise ValueError(f"{SHIPPED_CONFIG}: no upstream 'server' lines to replace")
    replaced = replaced.replace("upstream quiz_app {\n", "upstream quiz_app {\n" + servers, 1)
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/var/log/nginx/access.log", str(logdir / "nginx-access.log")),
    ):
        if old not in replaced:
            raise ValueError(f"{SHIPPED_CONFIG}: {old!r} not found")
        replaced = replaced.replace(old, new, 1)
    return replaced


def main_config(site: Path, workdir: Path) -> str:
    """The top-level nginx.conf a root-less nginx needs around the site file."""
    temp = workdir / "nginx-temp"
    temp.mkdir(exist_ok=True)
    return f"""daemon off;
worker_processes auto;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
events {{ worker_connections 8192; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


@dataclass
class Proxy:
    """A running nginx in front of ``backends``."""

    port: int
    process: subprocess.Popen
    workdir: Path

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def requests_per_server(self) -> dict[str, int]:
        """The requests nginx proxied, per app server (``up=`` in the access log): the
        check that the proxy was used and spread the load."""
        log = self.workdir / "nginx-access.log"
        counts: Counter[str] = Counter()
        if log.exists():
            with log.open("rb") as f:
                for line in f:
                    counts[line.rsplit(b" up=", 1)[-1].strip().decode() or "-"] += 1
        return dict(counts)


def start_nginx(backends: list[Server], workdir: Path, ready_path: str) -> Proxy:
    """Start nginx on a free port before ``backends`` and wait until it proxies."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
    port = free_port()
    site = workdir / "nginx-site.conf"
    site.write_text(site_config([s.address for s in backends], port, workdir))
    conf = workdir / "nginx.conf"
    conf.write_text(main_config(site, workdir))
    with (workdir / "nginx-stdout.log").open("ab") as out:
        process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(workdir)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    proxy = Proxy(port, process, workdir)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = workdir / "nginx-error.log"
            error = log.read_text() if log.exists() else ""
            raise RuntimeError(f"nginx exited ({process.returncode}): {error[-2000:]}")
        if answers(port, ready_path):
            return proxy
        time.sleep(0.1)
    proxy.stop()
    raise RuntimeError(f"nginx did not answer {ready_path} within 20 s")
