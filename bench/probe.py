"""A measured operation in a fresh process, so its memory is its own.

``python -m bench.probe rebuild CONTEST_ID...`` rebuilds every board of each contest from
SQL (the same ``rebuild_contest`` as ``quiz leaderboard rebuild``), one after the other,
and prints one JSON line per contest: seconds, results replayed, resident memory before
the rebuild and its peak (VmHWM, reset before each rebuild) after.
Streaming means the peak stays near the starting size whatever the number of results.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so the peak is the rebuild's."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rebuild(contest_ids: list[int]) -> list[dict]:
    from quiz import create_app
    from quiz.clock import utcnow
    from quiz.extensions import db, redis_store
    from quiz.leaderboards.services import rebuild_contest

    app = create_app()
    reports = []
    with app.app_context():
        redis_store.client.ping()
        db.session.execute(db.text("SELECT 1"))
        for contest_id in contest_ids:
            before = _status_mib("VmRSS")
            _reset_peak()
            started = time.perf_counter()
            count = rebuild_contest(contest_id, utcnow())
            seconds = time.perf_counter() - started
            reports.append(
                {
                    "results": count,
                    "seconds": seconds,
                    "rate": count / seconds if seconds else 0.0,
                    "rss_before_mib": before,
                    "peak_rss_mib": _status_mib("VmHWM"),
                }
            )
    return reports


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "rebuild":
        print("usage: python -m bench.probe rebuild CONTEST_ID...", file=sys.stderr)
        return 2
    for report in rebuild([int(a) for a in argv[1:]]):
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
