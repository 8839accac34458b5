"""The admin console's account search on 600,000 accounts (docs/performance.md).

    python -m bench.admin_search --database-url postgresql+psycopg://…/scratch [--users N]

Resets the schema of the given database (a scratch database only!), migrates it, loads
N accounts (default 600,000: names, e-mail on one in ten, schools, roles) with one
``INSERT … SELECT generate_series`` per table, then times each kind of search through
``quiz.admin.services.find_users`` (median of 5, warm) and prints PostgreSQL's plan of the
slowest. PostgreSQL only: the indexes it exercises are the pattern-ops ones.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from sqlalchemy import create_engine, text

USERS = 600_000


def _load(url: str, users: int) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schools (id, name_zh, name_mn, region_code) "
                "SELECT g, '第' || g || '中学', 'surguguli ' || g, '150102' "
                "FROM generate_series(1, 2340) g"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, password_hash, display_name, "
                "region_code, school_id, language, is_active_account, session_version, "
                "created_at, must_change_password, email) "
                "SELECT g, 'user' || g, 'user' || g, '!', "
                "(ARRAY['巴特尔','萨仁','王','李','Batu','Naran'])[1 + g % 6] || g, "
                "(SELECT code FROM regions WHERE level = 'county' "
                "  ORDER BY code OFFSET (g % 100) LIMIT 1), "
                "CASE WHEN g % 3 = 0 THEN 1 + g % 2340 END, 'zh', g % 500 <> 0, 1, "
                "now() - (g || ' seconds')::interval, false, "
                "CASE WHEN g % 10 = 0 THEN 'user' || g || '@example.org' END "
                "FROM generate_series(1, :n) g"
            ),
            {"n": users},
        )
        conn.execute(
            text(
                "INSERT INTO user_roles (user_id, role) SELECT g, CASE "
                "WHEN g % 5000 = 0 THEN 'organizer' WHEN g % 200 = 0 THEN 'teacher' "
                "WHEN g = 1 THEN 'admin' ELSE 'participant' END FROM generate_series(1, :n) g"
            ),
            {"n": users},
        )
        conn.execute(text("SELECT setval('users_id_seq', :n)"), {"n": users})
        conn.execute(text("ANALYZE"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--reuse", action="store_true", help="Search the accounts loaded before.")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from quiz import create_app
    from quiz.admin.services import UserQuery, find_users
    from quiz.extensions import db

    if not args.reuse:
        engine = create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "QUIZ_ENV": "testing",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "QUIZ_REDIS_URL": "redis://127.0.0.1:6379/12",
        }
    )
    if not args.reuse:
        with app.app_context():
            upgrade()
            db.engine.dispose()
        started = time.perf_counter()
        _load(args.database_url, args.users)
        print(f"loaded {args.users:,} accounts in {time.perf_counter() - started:.1f} s")

    searches: dict[str, Any] = {
        "first page, no filter": (UserQuery(), None),
        "username prefix 'user12345'": (UserQuery(text="user12345"), None),
        "name prefix '巴特尔1' (18,520 match)": (UserQuery(text="巴特尔1"), None),
        "username prefix 'u' (all match)": (UserQuery(text="u"), None),
        "whole e-mail": (UserQuery(text="user590@example.org"), None),
        "role organizer": (UserQuery(role="organizer"), None),
        "role admin (1 account)": (UserQuery(role="admin"), None),
        "league 150200": (UserQuery(region="150200"), None),
        "school name prefix '第17'": (UserQuery(school="第17"), None),
        "disabled only": (UserQuery(disabled_only=True), None),
        "role teacher + league 150100": (UserQuery(role="teacher", region="150100"), None),
        "page 100 of participants": (UserQuery(role="participant"), args.users - 5000),
    }
    with app.app_context():
        print(f"{'search':<36} {'rows':>5} {'median ms':>10}")
        for label, (query, before) in searches.items():
            timings = []
            for _ in range(6):
                t0 = time.perf_counter()
                found, _ = find_users(query, before)
                timings.append((time.perf_counter() - t0) * 1000)
                db.session.rollback()
            print(f"{label:<36} {len(found):>5} {statistics.median(timings[1:]):>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
