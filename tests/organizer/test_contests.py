"""The console home, contest create/edit, join codes and co-organizers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.contests.models import Contest, ContestOrganizer, League, Registration
from quiz.contests.services import enroll
from quiz.extensions import db
from tests.factories import log_in
from tests.organizer.conftest import audit_actions, count, zh


def _contest_form(**changes) -> dict:
    form = {
        "title_zh": "青少年科普知识竞赛",
        "title_mn": "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ",
        "slug": "youth-2026",
        "description_zh": "说明",
        "description_mn": "",
        "starts_at": "2026-10-01T08:00",
        "published": "y",
        "league_scheme": "region",
        "registration": "open",
        "join_code": "",
    }
    form.update(changes)
    return form


def test_home_lists_only_the_contests_one_runs(client, make, organizer, world):
    other = make.user("other", roles=(Role.ORGANIZER,))
    make.contest(organizer=other, slug="not-mine", title_zh="别人的比赛")
    admin = make.user("root", roles=(Role.ADMIN,))
    enroll(make.user(), world["contest"], make.clock())
    log_in(client, organizer)
    page = client.get("/console").get_data(as_text=True)
    assert "测试赛" in page and "别人的比赛" not in page
    assert '<td class="num">12</td><td class="num">1</td>' in page  # leagues, participants
    client.post("/logout")
    log_in(client, admin)
    page = client.get("/console").get_data(as_text=True)
    assert "测试赛" in page and "别人的比赛" in page


def test_create_a_region_contest(client, organizer, clock):
    log_in(client, organizer)
    response = client.post("/console/contests/new", data=_contest_form())
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest).where(Contest.slug == "youth-2026"))
    assert contest.starts_at == datetime(2026, 10, 1, 0, 0)  # 08:00 Beijing time
    assert contest.published and contest.registration == Registration.OPEN
    assert count(League) == 12
    assert db.session.get(ContestOrganizer, (contest.id, organizer.id)) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contest.create"))
    assert event.after["title_zh"] == "青少年科普知识竞赛" and event.contest_id == contest.id
    assert response.location.endswith(f"/console/contests/{contest.id}")


def test_bad_contests_are_refused_and_nothing_is_stored(client, organizer, world):
    log_in(client, organizer)
    before = count(Contest)
    cases = [
        ({"title_zh": ""}, zh("Give a Chinese title of 1 to 200 characters.")),
        ({"slug": "Bad Slug!"}, zh("Use 2 to 64 lowercase letters, digits or hyphens.")),
        ({"slug": "setup-test"}, zh("This short name is taken.")),
        ({"starts_at": ""}, zh("Give a date and time.")),
        ({"league_scheme": "planets"}, zh("Choose how leagues are formed.")),
        ({"registration": "lottery"}, zh("Choose how people join.")),
        (
            {"registration": "join_code", "join_code": "no spaces"},
            zh("Use %(n)d to 32 letters, digits or hyphens.", n=6),
        ),
    ]
    for change, message in cases:
        response = client.post("/console/contests/new", data=_contest_form(**change))
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert count(Contest) == before


def test_edit_with_a_generated_join_code(client, organizer, world, make, clock):
    contest = world["contest"]
    log_in(client, organizer)
    form = _contest_form(slug=contest.slug, registration="join_code", published="")
    response = client.post(f"/console/contests/{contest.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(contest)
    assert contest.registration == Registration.JOIN_CODE and len(contest.join_code) == 8
    assert not contest.published
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contest.update"))
    assert event.before["registration"] == "open" and event.after["join_code"] == contest.join_code
    # A new code replaces it; the old one stops working.
    old = contest.join_code
    client.post(f"/console/contests/{contest.id}/join-code")
    db.session.refresh(contest)
    assert contest.join_code != old
    user = make.user()
    assert enroll(user, contest, clock(), join_code=contest.join_code)[1] is True
    assert "contest.join_code" in audit_actions(contest.id)


def test_the_league_scheme_is_fixed_once_people_joined(client, organizer, world, make, clock):
    contest = world["contest"]
    enroll(make.user(), contest, clock())
    log_in(client, organizer)
    response = client.post(
        f"/console/contests/{contest.id}/edit",
        data=_contest_form(slug=contest.slug, league_scheme="custom", title_zh="改名"),
    )
    assert response.status_code == 422
    assert zh("People have joined already: the league scheme can no longer change.") in (
        response.get_data(as_text=True)
    )
    db.session.refresh(contest)
    assert contest.league_scheme == "region" and contest.title_zh == "测试赛"


def test_co_organizers(client, organizer, world, make):
    contest = world["contest"]
    helper = make.user("helper", roles=(Role.ORGANIZER,))
    participant = make.user("kid")
    log_in(client, organizer)
    url = f"/console/contests/{contest.id}/organizers"
    response = client.post(url, data={"username": "kid"})
    assert response.status_code == 422
    assert zh("This account is not an organizer.") in response.get_data(as_text=True)
    response = client.post(url, data={"username": "nobody-here"})
    assert zh("No account has this username.") in response.get_data(as_text=True)
    assert client.post(url, data={"username": "HELPER"}).status_code == 302
    assert client.post(url, data={"username": "helper"}).status_code == 422  # already

    client.post("/logout")
    log_in(client, helper)
    assert client.get(f"/console/contests/{contest.id}").status_code == 200
    client.post("/logout")
    log_in(client, organizer)
    client.post(f"{url}/{helper.id}/remove")
    client.post("/logout")
    log_in(client, helper)
    assert client.get(f"/console/contests/{contest.id}").status_code == 403
    client.post("/logout")
    log_in(client, organizer)
    # The last organizer stays.
    response = client.post(f"{url}/{organizer.id}/remove", follow_redirects=True)
    assert zh("A contest keeps at least one organizer.") in response.get_data(as_text=True)
    assert db.session.get(ContestOrganizer, (contest.id, organizer.id)) is not None
    assert participant.id not in {
        row.user_id for row in db.session.scalars(select(ContestOrganizer))
    }
    actions = audit_actions(contest.id)
    assert actions.count("contest.organizer_add") == 1
    assert actions.count("contest.organizer_remove") == 1
