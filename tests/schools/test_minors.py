"""Minors' data: only what the contest needs, password resets, the school's export and
deleting a student's data (anonymised, results kept, boards rebuilt)."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, inspect, select

from quiz.accounts.models import User
from quiz.audit.models import AuditEvent
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.store import BoardKeys
from quiz.play.models import Attempt
from quiz.schools import enrolling, rankings, services
from quiz.schools.models import SchoolStudent
from tests.factories import post_login
from tests.schools.conftest import import_students, students_of, take_round


def test_student_accounts_hold_no_phone_or_id_number(app):
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    columns |= {c["name"] for c in inspect(db.engine).get_columns("school_students")}
    assert not {
        name
        for name in columns
        if any(w in name for w in ("phone", "id_number", "identity", "birth"))
    }


def test_reset_password_gives_a_new_one_time_password_and_ends_sessions(
    app, client, make, clock, world
):
    import_students(world, clock, [("Aa", "1")])
    student = students_of(world)[0]
    card = services.reset_password(Actor.of(world.teacher), student.id, clock())
    assert post_login(client, student.username, card.one_time_password).status_code == 302
    assert client.get("/").location.endswith("/account/password")
    again = services.reset_password(Actor.of(world.teacher), student.id, clock())
    # The old session ended with the reset; the old password no longer works.
    assert client.get("/account/password").status_code == 302
    assert (
        post_login(app.test_client(), student.username, card.one_time_password).status_code == 401
    )
    assert (
        post_login(app.test_client(), student.username, again.one_time_password).status_code == 302
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "student.password_reset",
                AuditEvent.school_id == world.school.id,
            )
        )
        == 2
    )


def test_school_export_holds_students_and_results(app, client, make, clock, world):
    contest, round1 = make.setup()
    import_students(world, clock, [("Aa", "1"), ("Bb", "2")])
    enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    take_round(students_of(world)[0], round1, clock)
    post_login(client, world.teacher.username)
    response = client.get(f"/schools/{world.school.id}/export.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    students = list(book["学生"].iter_rows(values_only=True))
    assert [row[4] for row in students[1:]] == ["Aa", "Bb"]
    results = list(book["成绩"].iter_rows(values_only=True))
    assert len(results) == 2 and results[1][1] == "Aa"


def test_delete_anonymises_keeps_results_and_rebuilds_boards(app, client, make, clock, world):
    contest, round1 = make.setup()
    import_students(world, clock, [("Aa", "1"), ("Bb", "2")])
    enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    gone, stays = students_of(world)
    take_round(gone, round1, clock, pick=1)
    take_round(stays, round1, clock, pick=0)
    people = BoardKeys(contest.id).people
    client_redis = rankings.school_store().client
    assert "Aa" in client_redis.hget(people, f"{gone.id:010d}")
    post_login(client, world.teacher.username)
    assert client.post(f"/students/{gone.id}/delete", data={}).status_code == 302  # not confirmed
    assert db.session.get(User, gone.id).display_name == "Aa"
    response = client.post(f"/students/{gone.id}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, gone.id)
    assert (user.display_name, user.username, user.is_active_account, user.school_id) == (
        "-",
        f"deleted-{gone.id}",
        False,
        None,
    )
    assert db.session.get(SchoolStudent, gone.id) is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.user_id == gone.id)
        )
        == 1
    )
    # The boards no longer show the name; the school counts only the remaining student.
    assert "Aa" not in client_redis.hget(people, f"{gone.id:010d}")
    [entry] = rankings.ranking(contest.id, "county", world.school.region_code, "rate")
    assert (entry.participants, entry.enrolled) == (1, 1)
    live = rankings.school_store().dump(contest.id)
    boards.rebuild(clock(), [contest.id])
    assert rankings.school_store().dump(contest.id) == live
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "student.delete_data"))
    assert event.school_id == world.school.id and "Aa" not in str(event.after)
    assert post_login(app.test_client(), f"deleted-{gone.id}", "anything-at-all").status_code == 401
