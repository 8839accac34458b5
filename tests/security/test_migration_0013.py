"""0013_redteam_b on a database with data: self-claimed schools are cleared (and audited),
invitations are bound only to accounts that existed when listed; the downgrade restores
the claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from quiz import create_app
from quiz.extensions import db
from tests.conftest import _config

USER = (
    "INSERT INTO users (id, username, username_key, password_hash, display_name, region_code,"
    " language, is_active_account, session_version, must_change_password, created_at,"
    " school_id) VALUES (:id, :name, :name, 'x', :name, '150102', 'zh', 1, 1, 0, :at, :school)"
)


@pytest.fixture
def fresh_app(tmp_path: Path, redis_url: str):
    url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    app = create_app(_config(url, redis_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_self_claimed_schools_are_cleared_and_invites_bound_safely(fresh_app):
    upgrade(revision="0010_admin")
    with db.engine.begin() as conn:
        for school in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO schools (id, name_zh, name_mn, region_code)"
                    " VALUES (:id, :name, '', '150102')"
                ),
                {"id": school, "name": f"school {school}"},
            )
        conn.execute(
            text(
                "INSERT INTO school_classes (id, school_id, grade, name, school_year, created_at)"
                " VALUES (1, 1, 5, '2', 2026, '2026-09-01 00:00:00')"
            )
        )
        users = [
            (1, "pupil", "2026-09-01 00:00:00", 1),  # on school 1's class list
            (2, "teacher", "2026-09-01 00:00:00", 1),  # school 1's teacher
            (3, "claimer", "2026-09-01 00:00:00", 2),  # said so at registration
            (4, "mover", "2026-09-01 00:00:00", 2),  # on school 1's list, claims 2
            (5, "nobody", "2026-09-01 00:00:00", None),
            (6, "early", "2026-09-01 00:00:00", None),  # existed when invited
            (7, "late", "2026-10-01 00:00:00", None),  # registered after the invite
        ]
        for user_id, name, at, school in users:
            conn.execute(text(USER), {"id": user_id, "name": name, "at": at, "school": school})
        for user_id in (1, 4):
            conn.execute(
                text(
                    "INSERT INTO school_students (user_id, school_id, class_id, student_number,"
                    " created_at) VALUES (:id, 1, 1, :no, '2026-09-01 00:00:00')"
                ),
                {"id": user_id, "no": str(user_id)},
            )
        conn.execute(
            text(
                "INSERT INTO school_teachers (school_id, user_id, added_at)"
                " VALUES (1, 2, '2026-09-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contests (id, slug, title_zh, title_mn, description_zh,"
                " description_mn, league_scheme, registration, published, starts_at,"
                " created_by_id, created_at) VALUES (1, 'c', 't', 't', '', '', 'custom',"
                " 'allow_list', 1, '2026-09-01 00:00:00', 2, '2026-09-01 00:00:00')"
            )
        )
        for key in ("early", "late", "ghost"):
            conn.execute(
                text(
                    "INSERT INTO contest_invites (contest_id, username_key, invited_at)"
                    " VALUES (1, :key, '2026-09-15 00:00:00')"
                ),
                {"key": key},
            )

    upgrade(revision="0013_redteam_b")
    assert _rows("SELECT id, school_id FROM users ORDER BY id") == [
        (1, 1),
        (2, 1),
        (3, None),
        (4, None),
        (5, None),
        (6, None),
        (7, None),
    ]
    events = _rows(
        "SELECT object_id, school_id, operator, actor_id FROM audit_events"
        " WHERE action = 'user.school_claim_cleared' ORDER BY object_id"
    )
    assert events == [("3", 2, "migration", None), ("4", 2, "migration", None)]
    assert _rows("SELECT username_key, user_id FROM contest_invites ORDER BY username_key") == [
        ("early", 6),
        ("ghost", None),
        ("late", None),
    ]

    downgrade(revision="0010_admin")
    assert "user_id" not in {c["name"] for c in inspect(db.engine).get_columns("contest_invites")}
    assert _rows("SELECT count(*) FROM contest_invites") == [(3,)]
    assert _rows("SELECT id, school_id FROM users WHERE school_id IS NOT NULL ORDER BY id") == [
        (1, 1),
        (2, 1),
        (3, 2),
        (4, 2),
    ]
    assert _rows("SELECT count(*) FROM audit_events") == [(0,)]
