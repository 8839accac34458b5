"""Enrolling a class in one step; the league follows the contest's scheme."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.audit.models import AuditEvent
from quiz.contests.models import Enrollment, League, LeagueScheme
from quiz.contests.services import add_league
from quiz.edge.client import Actor
from quiz.errors import Conflict, NotFound
from quiz.extensions import db
from quiz.schools import enrolling, services
from tests.schools.conftest import import_students, make_school, students_of


def _leagues_of(contest_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Enrollment.user_id, League.code)
        .join(League, League.id == Enrollment.league_id)
        .where(Enrollment.contest_id == contest_id)
    )
    return dict(rows.all())


def test_region_contest_puts_the_class_in_the_schools_league(app, make, clock, world):
    import_students(world, clock, [("Aa", "1"), ("Bb", "2")])
    contest = make.contest()
    result = enrolling.enroll_class(
        Actor.of(world.teacher), world.school_class.id, contest.id, clock()
    )
    assert (result.enrolled, result.already) == (2, 0)
    assert set(_leagues_of(contest.id).values()) == {"150100"}
    again = enrolling.enroll_class(
        Actor.of(world.teacher), world.school_class.id, contest.id, clock()
    )
    assert (again.enrolled, again.already) == (0, 2)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.class_enroll"))
    assert event.school_id == world.school.id and event.contest_id == contest.id


def test_age_groups_by_grade_created_when_missing(app, make, clock, world):
    contest = make.contest(league_scheme=LeagueScheme.AGE_GROUP)
    add_league(contest, code="primary", name_zh="小学组", kind="age_group")
    middle = services.create_class(
        Actor.of(world.teacher), world.school, grade=8, name="1", school_year=2026, now=clock()
    )
    import_students(world, clock, [("Aa", "1")])
    import_students(world, clock, [("Cc", "3")], grade_class=middle)
    enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    enrolling.enroll_class(Actor.of(world.teacher), middle.id, contest.id, clock())
    by_user = _leagues_of(contest.id)
    assert sorted(by_user.values()) == ["middle", "primary"]
    created = db.session.scalar(
        select(League).where(League.contest_id == contest.id, League.code == "middle")
    )
    assert created.kind == "age_group" and created.name_zh == "中学组" and created.name_mn


def test_school_scheme_creates_the_schools_league(app, make, clock, world):
    contest = make.contest(league_scheme=LeagueScheme.SCHOOL)
    import_students(world, clock, [("Aa", "1")])
    result = enrolling.enroll_class(
        Actor.of(world.teacher), world.school_class.id, contest.id, clock()
    )
    assert (
        result.league.school_id == world.school.id and result.league.name_zh == world.school.name_zh
    )


def test_custom_scheme_with_choices_and_other_schools_class_refused(app, make, clock, world):
    contest = make.contest(league_scheme=LeagueScheme.CUSTOM)
    add_league(contest, code="a", name_zh="甲")
    add_league(contest, code="b", name_zh="乙")
    import_students(world, clock, [("Aa", "1")])
    with pytest.raises(Conflict):
        enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    other = make_school(make, clock, world.admin, "第三小学", teacher="teach3")
    with pytest.raises(NotFound):
        enrolling.enroll_class(
            Actor.of(world.teacher), other.school_class.id, make.contest().id, clock()
        )
    assert db.session.scalar(select(Enrollment.id)) is None


def test_enrol_through_the_page(app, client, make, clock, world):
    import_students(world, clock, [("Aa", "1")])
    contest = make.contest()
    client.post("/login", data={"username": world.teacher.username, "password": "correct-horse-9"})
    response = client.post(
        f"/classes/{world.school_class.id}/enroll", data={"contest_id": contest.id}
    )
    assert response.status_code == 302
    assert set(_leagues_of(contest.id)) == {u.id for u in students_of(world)}
