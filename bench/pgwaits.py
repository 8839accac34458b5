"""``python -m bench.pgwaits URL OUT SECONDS``: sample what PostgreSQL's backends of the
database in URL are waiting for, every 20 ms, into OUT (one JSON line per sample, on the
monotonic clock), to lay beside bench/gcprobe.py's notes."""

from __future__ import annotations

import json
import sys
import time

import psycopg
from sqlalchemy.engine import make_url


def main(argv: list[str]) -> int:
    url, out, seconds = make_url(argv[0]), argv[1], float(argv[2])
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname=postgres"
    end = time.perf_counter() + seconds
    with psycopg.connect(conninfo, autocommit=True) as conn, open(out, "w") as f:
        while time.perf_counter() < end:
            rows = conn.execute(
                "SELECT state, wait_event_type, wait_event, left(query, 40) FROM "
                "pg_stat_activity WHERE datname = %s AND state <> 'idle' AND pid <> "
                "pg_backend_pid()",
                (url.database,),
            ).fetchall()
            f.write(json.dumps({"t": time.perf_counter(), "rows": rows}) + "\n")
            time.sleep(0.02)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
