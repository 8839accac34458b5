"""Issue 13: a school's members come from its class lists and its teachers, never from the
person. Before, anyone could pick any school at registration or in the profile, then
counted in its ranking and opened its pupils' school to the organizers of their contests.
"""

from __future__ import annotations

import pytest

from quiz.accounts.models import Role, User
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.schools import services
from quiz.schools.rankings import school_entries
from tests.factories import PASSWORD, post_login
from tests.schools.conftest import import_students

REGISTRATION = {
    "username": "claimer",
    "password": "Steppe-wind-2026",
    "display_name": "Claimer",
    "region_code": "150102",
    "language": "zh",
}


def test_registration_page_cannot_name_a_school(client, world):
    response = client.post("/register", data={**REGISTRATION, "school_id": str(world.school.id)})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username_key == "claimer"))
    assert user.school_id is None
    assert 'name="school_id"' not in client.get("/register").get_data(as_text=True)


def test_api_registration_refuses_a_school_and_says_why(client, world):
    response = client.post(
        "/api/v1/auth/register", json={**REGISTRATION, "school_id": world.school.id}
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"school_id"}
    assert db.session.scalar(db.select(User).where(User.username_key == "claimer")) is None
    response = client.post("/api/v1/auth/register", json={**REGISTRATION, "school_id": None})
    assert response.status_code == 201
    assert response.json["school"] is None


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.TEACHER, Role.ORGANIZER, Role.ADMIN])
def test_the_profile_cannot_join_or_leave_a_school(client, make, clock, world, role):
    person = make.user("person", roles=(role,))
    post_login(client, "person")
    form = {
        "display_name": "Person",
        "region_code": "150102",
        "language": "zh",
        "school_id": str(world.school.id),
    }
    assert client.post("/profile", data=form).status_code == 302
    db.session.refresh(person)
    assert person.school_id is None

    # A pupil on the class list keeps the school whatever the form says, and sees it.
    import_students(world, clock, [("巴特尔", "1")])
    pupil = db.session.scalar(db.select(User).where(User.display_name == "巴特尔"))
    client.post("/logout")
    services.reset_password(Actor.of(world.admin), pupil.id, clock())
    pupil.must_change_password = False
    pupil.password_hash = services.hash_password(PASSWORD)
    db.session.commit()
    post_login(client, pupil.username)
    page = client.get("/profile").get_data(as_text=True)
    assert world.school.name_zh in page
    client.post("/profile", data={**form, "display_name": "巴特尔", "school_id": ""})
    db.session.refresh(pupil)
    assert pupil.school_id == world.school.id


def test_a_non_member_neither_counts_for_a_school_nor_opens_it_to_organizers(
    client, make, clock, world
):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    outsider = make.user("outsider")
    post_login(client, "outsider")
    client.post(
        "/profile",
        data={
            "display_name": "Outsider",
            "region_code": "150102",
            "language": "zh",
            "school_id": str(world.school.id),
        },
    )
    enroll(outsider, contest, clock())
    assert not services.can_view_school(organizer, world.school.id)
    assert world.school not in services.visible_schools(organizer)
    assert school_entries(contest.id) == []
