"""Backup and restore of PostgreSQL with pg_dump/pg_restore, as docs/operations.md says.

Runs in the PostgreSQL profile (`make test-pg`), where it is required: the suite's own
database is populated, dumped in the custom format while the app holds connections,
restored into a new database, and a new app on the restored database gives the same
results (every table's rows, every score, the boards rebuilt from it). The SQLite file's
backup is tested in test_backup.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quiz import create_app
from quiz.extensions import db
from tests.conftest import _config
from tests.security.test_backup import _results, play_round

pytestmark = pytest.mark.skipif(
    not os.environ.get("QUIZ_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the PostgreSQL profile runs it (make test-pg); SQLite: test_backup.py",
)


def _libpq(url) -> list[str]:
    return [
        f"--host={url.host or '127.0.0.1'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
    ]


def test_pg_dump_restores_to_the_same_results(app, make, clock, redis_url, tmp_path) -> None:
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "install postgresql-client"
    contest, round_ = make.setup()
    play_round(make, clock, contest, round_, people=4, step=2)
    expected = _results()

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    dump = tmp_path / "quiz.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", *_libpq(url), url.database],
        check=True,
        env=env,
        timeout=120,
    )
    restored_name = f"{url.database}_restore_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}"'))
        conn.execute(text(f'CREATE DATABASE "{restored_name}"'))
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={restored_name}",
                *_libpq(url),
                str(dump),
            ],
            check=True,
            env=env,
            timeout=120,
        )
        restored_url = url.set(database=restored_name).render_as_string(hide_password=False)
        restored = create_app(
            {**_config(restored_url, redis_url, tmp_path / "restored"), "QUIZ_CLOCK": clock}
        )
        with restored.app_context():
            got = _results()
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()
    assert got["scores"] == expected["scores"] and len(got["scores"]) == 4
    assert got["boards"] == expected["boards"] and len(got["boards"][round_.id]) == 3
    assert got["tables"] == expected["tables"]
