"""0002_security upgrades a database with users in it, and downgrades, losing nothing else.

On SQLite, batch mode may rebuild a table, and dropping a table that others reference
with ``ON DELETE CASCADE`` would take their rows with it; this checks that the roles,
tokens and enrollments of existing users survive both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from quiz import create_app
from quiz.extensions import db
from tests.conftest import _config


@pytest.fixture
def fresh_app(tmp_path: Path, redis_url: str):
    url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    app = create_app(_config(url, redis_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("users", "user_roles", "api_tokens", "contests", "contest_organizers")
        }


def test_upgrade_and_downgrade_keep_existing_accounts(fresh_app):
    upgrade(revision="0001_initial")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, password_hash, display_name,"
                " region_code, language, is_active_account, session_version, created_at)"
                " VALUES (1, 'Org', 'org', 'x', 'Org', '150102', 'zh', 1, 3,"
                " '2026-01-01 00:00:00')"
            )
        )
        conn.execute(text("INSERT INTO user_roles (user_id, role) VALUES (1, 'organizer')"))
        conn.execute(
            text(
                "INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at, revoked)"
                " VALUES (1, 1, 'h', '2026-01-01 00:00:00', '2026-02-01 00:00:00', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contests (id, slug, title_zh, title_mn, description_zh,"
                " description_mn, league_scheme, registration, published, starts_at,"
                " created_by_id, created_at) VALUES (1, 'c', 't', 't', '', '', 'region',"
                " 'open', 1, '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(text("INSERT INTO contest_organizers (contest_id, user_id) VALUES (1, 1)"))
    before = _counts()

    upgrade()
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert {"totp_secret", "totp_enabled_at", "totp_last_step", "password_changed_at"} <= columns
    assert inspect(db.engine).has_table("recovery_codes")
    assert _counts() == before
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT session_version, totp_enabled_at FROM users")).one()
    assert tuple(row) == (3, None)

    downgrade(revision="0001_initial")
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert "totp_secret" not in columns
    assert not inspect(db.engine).has_table("recovery_codes")
    assert _counts() == before
