"""The soak script in its quick mode (~15 s of mixed traffic against gunicorn), so it
cannot rot; the 10-minute run (``python -m bench.soak``) is recorded in docs/security.md.

It fails on any unexpected status or connection error, on answers acknowledged but not
stored (or stored but never acknowledged), and on workers' memory growing more than 10 %
between the end of the warm-up and the end of the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_soak_has_no_errors_and_no_memory_growth():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZ_", "BENCH_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "result             OK" in done.stdout
    assert "errors             0" in done.stdout
