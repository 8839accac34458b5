"""Metrics under gunicorn with two workers, configured by deploy/gunicorn.conf.py.

Each worker counts in its own process; every scrape, whichever worker answers it, must
report the sum of both (prometheus_client's multiprocess mode), and the health checks
answer from either worker.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "gunicorn-test-token"
REQUESTS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def _healthz_count(body: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "quiz_requests_total" and sample.labels.get("endpoint") == "ops.healthz"
    )


def test_two_workers_report_one_sum(migrated, redis_url, tmp_path):
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        "QUIZ_ENV": "production",
        "QUIZ_SECRET_KEY": "gunicorn-test-secret",
        "QUIZ_DATABASE_URL": migrated,
        "QUIZ_REDIS_URL": redis_url,
        "QUIZ_SECURE_COOKIES": "0",
        "QUIZ_METRICS_TOKEN": TOKEN,
        "QUIZ_LOG_FORMAT": "json",
        "QUIZ_BIND": f"127.0.0.1:{port}",
        "QUIZ_WORKERS": "2",
        "QUIZ_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "quiz:create_app()",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not become ready"
            time.sleep(0.3)
        # Both workers up (each writes its own files), then requests on fresh connections.
        while len({p.name.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}) < 2:
            assert time.monotonic() < deadline, "the second worker did not start"
            time.sleep(0.3)
        for _ in range(REQUESTS):
            assert _get(base + "/healthz")[0] == 200
        totals = [_healthz_count(_get(base + "/metrics", TOKEN)[1]) for _ in range(6)]
        assert totals == [REQUESTS] * 6
        assert json.loads(_get(base + "/healthz")[1]) == {"status": "ok"}
        assert _get(base + "/")[0] == 200  # a page: one access line
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # The workers' access lines are JSON, each with its request id.
    access = [
        json.loads(line)
        for line in (tmp_path / "gunicorn.log").read_text().splitlines()
        if line.startswith("{") and '"message": "request"' in line
    ]
    assert access and all(len(line["request_id"]) == 32 for line in access)
