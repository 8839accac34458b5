"""Schools, teachers and classes: who creates what, and who sees which school."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.edge.client import Actor
from quiz.errors import Forbidden, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.schools import services
from quiz.schools.models import SchoolTeacher
from tests.schools.conftest import make_school


def test_organizer_creates_a_school_and_its_first_teacher_with_a_one_time_password(
    app, client, make, clock
):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    client.post("/login", data={"username": "org", "password": "correct-horse-9"})
    response = client.post(
        "/schools",
        data={
            "name_zh": "第二中学",
            "region_code": "150102",
            "username": "wang.t",
            "display_name": "王老师",
            "language": "zh",
        },
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    teacher = db.session.scalar(select(services.User).where(services.User.username == "wang.t"))
    assert teacher.must_change_password and teacher.roles == {"teacher"}
    assert teacher.school_id is not None and teacher.region_code == "150102"
    import re

    password = re.search(r"<code>([a-z2-9]{10})</code>", html).group(1)
    assert password not in teacher.password_hash
    actions = [
        (e.action, e.school_id, e.actor_id)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert actions == [
        ("school.create", teacher.school_id, organizer.id),
        ("school.teacher_add", teacher.school_id, organizer.id),
    ]


def test_school_form_errors(app, client, make, clock):
    make.user("org", roles=(Role.ORGANIZER,))
    client.post("/login", data={"username": "org", "password": "correct-horse-9"})
    response = client.post(
        "/schools",
        data={"name_zh": "X", "region_code": "150100", "username": "ab.c", "display_name": "A"},
    )
    assert response.status_code == 422  # a 盟市 is not a 旗县
    assert db.session.scalar(select(services.School.id)) is None


def test_teachers_add_colleagues_and_classes_only_in_their_school(app, make, clock, world):
    colleague, password = services.add_teacher(
        Actor.of(world.teacher), world.school, now=clock(), username="li.t", display_name="李老师"
    )
    assert password and colleague.must_change_password
    assert services.teacher_school_ids(colleague) == {world.school.id}
    other = make_school(make, clock, world.admin, "第三小学", teacher="teach3")
    with pytest.raises(NotFound):
        services.add_teacher(
            Actor.of(world.teacher), other.school, now=clock(), username="x.y", display_name="X"
        )
    with pytest.raises(NotFound):
        services.create_class(
            Actor.of(world.teacher), other.school, grade=1, name="1", school_year=2026, now=clock()
        )
    with pytest.raises(ValidationFailed) as bad:
        services.create_class(
            Actor.of(world.teacher), world.school, grade=13, name="", school_year=1990, now=clock()
        )
    assert set(bad.value.fields) == {"grade", "name", "school_year"}
    with pytest.raises(ValidationFailed):  # the same class twice
        services.create_class(
            Actor.of(world.teacher), world.school, grade=5, name="2", school_year=2026, now=clock()
        )
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "school.class_create")
    ).all()
    assert {e.school_id for e in events} == {world.school.id, other.school.id}


def test_existing_user_becomes_teacher_but_a_student_cannot(app, make, clock, world):
    from tests.schools.conftest import import_students, students_of

    person = make.user("someone")
    teacher, password = services.add_teacher(
        Actor.of(world.admin), world.school, now=clock(), existing_username="someone"
    )
    assert password is None and "teacher" in teacher.roles
    assert db.session.get(SchoolTeacher, (world.school.id, person.id)) is not None
    import_students(world, clock, [("Aa", "1")])
    student = students_of(world)[0]
    with pytest.raises(ValidationFailed):
        services.add_teacher(
            Actor.of(world.admin), world.school, now=clock(), existing_username=student.username
        )
    with pytest.raises(ValidationFailed):
        services.add_teacher(
            Actor.of(world.admin), world.school, now=clock(), existing_username="nobody-here"
        )


def test_organizer_sees_schools_of_their_contests_read_only(app, make, clock, world):
    from quiz.contests.services import enroll

    organizer = make.user("org", roles=(Role.ORGANIZER,))
    with pytest.raises(NotFound):
        services.get_school(organizer, world.school.id)
    contest = make.contest(organizer=organizer)
    from tests.schools.conftest import import_students, students_of

    import_students(world, clock, [("Aa", "1")])
    enroll(students_of(world)[0], contest, clock())
    assert services.get_school(organizer, world.school.id) == world.school
    with pytest.raises(Forbidden):
        services.get_school(organizer, world.school.id, manage=True)
    assert [s.id for s in services.visible_schools(organizer)] == [world.school.id]
