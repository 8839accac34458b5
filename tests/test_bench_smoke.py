"""The benchmark harness in its smoke mode, so it cannot rot unnoticed.

``python -m bench run --quick``, ``python -m bench contest --quick --servers 2``,
``python -m bench live --quick --servers 2`` and ``python -m bench open --quick`` start
real gunicorn servers on SQLite and an embedded Redis in a temporary folder, drive them
for a moment and print their tables. No timing is asserted: only that every scenario ran
without errors and that the contest reconciles (answers acknowledged = answers in SQL,
boards = their rebuild from SQL).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench.proxy import nginx_binary, site_config

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("QUIZ_", "BENCH_"))},
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # a shared 2-core machine under load: minutes, not seconds
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


def test_bench_run_quick_prints_every_figure():
    table = _run("run", "--quick")
    for figure in (
        "answer_ratio",
        "practice_answer_ratio",
        "live_answer_ratio",
        "live_state_ratio",
        "rank_ratio",
        "start_ratio",
        "answer p99",
        "answer p99 open-loop",
        "baseline p99 open-loop",
        "start burst 20 p99",
        "rebuild",
    ):
        assert figure in table
    [burst] = [line for line in table.splitlines() if "start burst 20 errors" in line]
    assert " yes " in burst, burst  # every start of the burst answered 201


def test_bench_open_quick_runs_the_open_loop_pair(tmp_path):
    """Only the open-loop pair (bench/steady.py), with the app under the GC probe
    (bench/gcprobe.py), whose notes must hold the workers' requests and, at exit, the
    objects frozen by deploy/gunicorn.conf.py's hook."""
    out = _run(
        "open",
        "--quick",
        env={"BENCH_APP_WSGI": "bench.gcprobe:app", "BENCH_GCPROBE_DIR": str(tmp_path)},
    )
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for name in ("answer_open", "insert_open"):
        assert "errors 0" in lines[name], out
    notes = [json.loads(x) for f in tmp_path.glob("*.jsonl") for x in f.read_text().splitlines()]
    assert any("/answers/" in n.get("req", "") for n in notes)
    assert any(n.get("frozen", 0) > 0 for n in notes)


def test_bench_contest_quick_reconciles_on_two_servers():
    """Two app servers behind the shipped nginx config (``bench/proxy.py``), as deployed:
    nginx must have proxied requests to both servers. Without nginx (a laptop) the run
    splits the participants directly; in CI (``CI`` set, nginx installed by .ci/run) a
    missing nginx fails."""
    table = _run("contest", "--quick", "--servers", "2")
    assert "2 server(s): answers acked = in SQL" in table
    assert "DIFFER" not in table and " NO " not in table
    [line] = [line for line in table.splitlines() if "2 server(s): participants" in line]
    if nginx_binary() is None and not os.environ.get("CI"):
        assert "split directly" in line
        return
    shares = re.search(r"via nginx \(([\d,]+)/([\d,]+) requests per app server\)", line)
    assert shares, line
    assert all(int(n.replace(",", "")) > 0 for n in shares.groups()), line


def test_bench_proxy_config_is_the_shipped_one():
    """The bench's nginx site is deploy/nginx.conf with only addresses and paths replaced."""
    site = site_config([("127.0.0.1", 8001), ("127.0.0.1", 8002)], 9000, Path("/tmp/x"))
    assert "server 127.0.0.1:8001 max_fails=3" in site
    assert "server 127.0.0.1:8002 max_fails=3" in site
    assert "app1:8000" not in site and "listen 127.0.0.1:9000;" in site
    assert "proxy_read_timeout 60s;" in site and "proxy_next_upstream" in site


def test_bench_live_quick_plays_a_game_on_two_servers():
    """``make bench-live`` in miniature: a dozen phones on two servers, every figure
    printed, every answer accepted and stored, the standings equal to SQL's."""
    table = _run("live", "--quick", "--servers", "2")
    assert "question within 1 s" in table  # a figure only: no timing is asserted
    for figure in ("answers accepted", "errors", "standings = SQL"):
        [line] = [line for line in table.splitlines() if figure in line]
        assert " yes " in line, line
