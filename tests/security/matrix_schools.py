"""Access rows for the school console (quiz/schools/routes.py).

``extend`` puts the scenario's teacher in school S1 with class C1 and student ST1 (who
is enrolled in contest P, so P's organizer sees S1, read only), and creates school S2
with its own teacher, class C2 and student ST2, which only admins see. Another school's
school, class or student answers 404 to a teacher; an organizer of a contest the school
takes part in reads but gets 403 on changes; the other organizer gets 404.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from quiz.accounts.models import Role
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.schools import roster, services
from tests.security.matrix import LOGIN, U_ONLY, Case

STAFF_200 = (LOGIN, 403, 200, 200, 200, 200)
S1_VIEW = (LOGIN, 403, 200, 404, 200, 200)  # teacher, P's organizer (read), admin
S1_MANAGE_200 = (LOGIN, 403, 200, 404, 403, 200)
S2_ADMIN_ONLY = (LOGIN, 403, 404, 404, 404, 200)


def _class_list(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["Name", "Student number"], *rows])
    return out.getvalue().encode()


def extend(scenario: Any, make: Any, clock: Any) -> None:
    admin = scenario.users["admin"]
    teacher = scenario.users["teacher"]
    s1 = services.create_school(
        Actor.of(admin), name_zh="矩阵一小", name_mn="", region_code="150102", now=clock()
    )
    services.add_teacher(Actor.of(admin), s1, now=clock(), existing_username=teacher.username)
    c1 = services.create_class(
        Actor.of(teacher), s1, grade=5, name="1", school_year=2026, now=clock()
    )
    roster.import_roster(Actor.of(teacher), c1.id, _class_list([["Aa", "1"]]), "c1.csv", clock())
    s2 = services.create_school(
        Actor.of(admin), name_zh="矩阵二小", name_mn="", region_code="150102", now=clock()
    )
    other_teacher = make.user("teach2", roles=(Role.TEACHER,))
    services.add_teacher(Actor.of(admin), s2, now=clock(), existing_username=other_teacher.username)
    c2 = services.create_class(
        Actor.of(other_teacher), s2, grade=8, name="1", school_year=2026, now=clock()
    )
    roster.import_roster(
        Actor.of(other_teacher), c2.id, _class_list([["Zz", "9"]]), "c2.csv", clock()
    )
    [(_s, st1)] = services.class_students(c1)
    [(_s, st2)] = services.class_students(c2)
    enroll(st1, make_published(scenario), clock())
    scenario.ids.update(
        {"S1": s1.id, "C1": c1.id, "ST1": st1.id, "S2": s2.id, "C2": c2.id, "ST2": st2.id}
    )


def make_published(scenario: Any) -> Any:
    from quiz.contests.models import Contest
    from quiz.extensions import db

    return db.session.get(Contest, scenario.ids["P"])


ROWS: dict[str, list[Case]] = {
    "schools.index": [Case("GET", "/schools", STAFF_200)],
    # An empty form: refused with the page again (organizers), nothing created.
    "schools.create": [Case("POST", "/schools", (LOGIN, 403, 403, 422, 422, 422))],
    "schools.school": [
        Case("GET", "/schools/{S1}", S1_VIEW),
        Case("GET", "/schools/{S2}", S2_ADMIN_ONLY),
    ],
    # Organizers add teachers to any school (an empty form: 422 where they see the
    # school, else back to the list); teachers only to their own.
    "schools.add_teacher": [
        Case("POST", "/schools/{S1}/teachers", (LOGIN, 403, 422, 302, 422, 422)),
        Case("POST", "/schools/{S2}/teachers", (LOGIN, 403, 404, 302, 302, 422)),
    ],
    "schools.create_class": [
        Case("POST", "/schools/{S1}/classes", (LOGIN, 403, 422, 404, 403, 422)),
        Case("POST", "/schools/{S2}/classes", (LOGIN, 403, 404, 404, 404, 422)),
    ],
    "schools.export_school": [
        Case("GET", "/schools/{S1}/export.xlsx", S1_MANAGE_200),
        Case("GET", "/schools/{S2}/export.xlsx", S2_ADMIN_ONLY),
    ],
    "schools.roster_template": [
        Case("GET", "/schools/roster-template/mn.xlsx", STAFF_200),
        Case("GET", "/schools/roster-template/zh.csv", STAFF_200),
    ],
    "schools.school_class": [
        Case("GET", "/classes/{C1}", S1_VIEW),
        Case("GET", "/classes/{C2}", S2_ADMIN_ONLY),
    ],
    # No file: the form is refused (422) where the user may import.
    "schools.import_roster": [
        Case("POST", "/classes/{C1}/roster", (LOGIN, 403, 422, 404, 403, 422)),
        Case("POST", "/classes/{C2}/roster", (LOGIN, 403, 404, 404, 404, 422)),
    ],
    "schools.reset_class_passwords": [
        Case("POST", "/classes/{C1}/passwords", S1_MANAGE_200),
        Case("POST", "/classes/{C2}/passwords", S2_ADMIN_ONLY),
    ],
    # No contest chosen: refused with the page again.
    "schools.enroll_class": [
        Case("POST", "/classes/{C1}/enroll", (LOGIN, 403, 422, 404, 403, 422)),
        Case("POST", "/classes/{C2}/enroll", (LOGIN, 403, 404, 404, 404, 422)),
    ],
    "schools.export_class": [
        Case("GET", "/classes/{C1}/export.xlsx", S1_VIEW),
        Case("GET", "/classes/{C2}/export.xlsx", S2_ADMIN_ONLY),
    ],
    "schools.student": [
        Case("GET", "/students/{ST1}", S1_VIEW),
        Case("GET", "/students/{ST2}", S2_ADMIN_ONLY),
    ],
    "schools.reset_password": [
        Case("POST", "/students/{ST1}/password", S1_MANAGE_200),
        Case("POST", "/students/{ST2}/password", S2_ADMIN_ONLY),
    ],
    # Unconfirmed (no tick): back to the student page, nothing deleted.
    "schools.delete_student": [
        Case("POST", "/students/{ST1}/delete", (LOGIN, 403, 302, 404, 403, 302)),
        Case("POST", "/students/{ST2}/delete", (LOGIN, 403, 404, 404, 404, 302)),
    ],
    "schools.contest_rankings": [
        Case("GET", "/contests/{P}/schools", (LOGIN, 200, 200, 200, 200, 200)),
        Case("GET", "/contests/{U}/schools", U_ONLY),
    ],
}
