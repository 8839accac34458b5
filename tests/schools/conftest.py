"""A school world: a school with a teacher and a class, built through the services."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest

from quiz.accounts.models import Role, User
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.schools import roster, services
from quiz.schools.models import School, SchoolClass

COUNTY = "150102"  # 新城区, in 呼和浩特市 (150100)
OTHER_COUNTY = "150103"


@dataclass
class SchoolWorld:
    admin: User
    school: School
    teacher: User
    school_class: SchoolClass


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def make_school(
    make: Any, clock: Any, admin: User, name: str, county: str = COUNTY, teacher: str = "t"
) -> SchoolWorld:
    school = services.create_school(
        Actor.of(admin), name_zh=name, name_mn="", region_code=county, now=clock()
    )
    teacher_user = make.user(teacher, roles=(Role.TEACHER,), region_code=county)
    services.add_teacher(
        Actor.of(admin), school, now=clock(), existing_username=teacher_user.username
    )
    school_class = services.create_class(
        Actor.of(teacher_user), school, grade=5, name="2", school_year=2026, now=clock()
    )
    return SchoolWorld(admin, school, teacher_user, school_class)


@pytest.fixture
def world(make, clock) -> SchoolWorld:
    admin = make.user("root", roles=(Role.ADMIN,))
    return make_school(make, clock, admin, "第一小学", teacher="teach1")


def import_students(
    world: SchoolWorld,
    clock: Any,
    names: list[tuple[str, str]],
    grade_class: SchoolClass | None = None,
):
    rows = [["Name", "Student number"], *[[n, number] for n, number in names]]
    return roster.import_roster(
        Actor.of(world.teacher),
        (grade_class or world.school_class).id,
        csv_bytes(rows),
        "list.csv",
        clock(),
    )


def take_round(user: User, round_: Any, clock: Any, pick: int = 0, seconds: int = 5) -> Any:
    """Start, answer every question with option number ``pick`` and finish."""
    from quiz.play import services as play
    from quiz.play.state import attempt_state

    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    state = attempt_state(attempt, "zh", clock())
    for question in state.questions:
        clock.advance(seconds=seconds)
        keys = [o.key for o in question.options]
        play.save_answer(attempt.id, user, question.no, [keys[pick % len(keys)]], clock())
    finished = play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    return finished


def students_of(world: SchoolWorld) -> list[User]:
    return [user for _s, user in services.class_students(world.school_class)]
