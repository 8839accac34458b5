"""Enrollment: which league a participant lands in, once, and in which contests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.accounts.models import Role
from quiz.contests.models import Enrollment, League, Registration
from quiz.contests.services import add_league, enroll
from quiz.errors import Forbidden, ValidationFailed
from quiz.extensions import db
from tests.factories import PASSWORD


def _headers(client, user) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _enrollments() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment))


def _league(contest, code: str) -> League:
    return next(lg for lg in contest.leagues if lg.code == code)


def _age_groups(make):
    contest = make.contest(league_scheme="age_group")
    assert contest.leagues == []
    leagues = [
        add_league(contest, code=code, name_zh=name, kind="age_group")
        for code, name in (("primary", "小学组"), ("middle", "中学组"), ("public", "公众组"))
    ]
    return contest, leagues


# Region scheme -----------------------------------------------------------------------


def test_region_scheme_puts_a_county_into_its_league(client, make, clock):
    contest = make.contest()
    assert len(contest.leagues) == 12
    user = make.user(region_code="150102")
    enrollment, created = enroll(user, contest, clock())
    assert created and enrollment.league.code == "150100"
    assert enrollment.league.region_code == "150100"

    baotou = make.user(region_code="150203")
    response = client.post(
        f"/api/v1/contests/{contest.id}/enrollment", headers=_headers(client, baotou), json={}
    )
    assert response.status_code == 201, response.json
    assert response.json["league"]["code"] == "150200"
    assert response.json["league"]["name"]["zh"] == "包头市"


def test_region_scheme_refuses_another_league(client, make):
    contest = make.contest()
    user = make.user(region_code="150102")
    headers = _headers(client, user)
    url = f"/api/v1/contests/{contest.id}/enrollment"
    response = client.post(url, headers=headers, json={"league_id": _league(contest, "150200").id})
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["league_id"]
    assert _enrollments() == 0
    # Naming the right league is allowed.
    response = client.post(url, headers=headers, json={"league_id": _league(contest, "150100").id})
    assert response.status_code == 201
    assert response.json["league"]["code"] == "150100"


def test_a_league_of_another_contest_is_refused(client, make):
    contest = make.contest()
    other = make.contest()
    user = make.user()
    response = client.post(
        f"/api/v1/contests/{contest.id}/enrollment",
        headers=_headers(client, user),
        json={"league_id": _league(other, "150100").id},
    )
    assert response.status_code == 422
    assert "league_id" in response.json["error"]["fields"]
    assert _enrollments() == 0


def test_bad_league_id_types_are_refused(client, make):
    contest = make.contest()
    headers = _headers(client, make.user())
    url = f"/api/v1/contests/{contest.id}/enrollment"
    for bad in ("12", 1.5, True, [1]):
        response = client.post(url, headers=headers, json={"league_id": bad})
        assert response.status_code == 422, bad
    assert _enrollments() == 0


# Age groups / custom divisions ------------------------------------------------------


def test_age_group_contest_requires_a_league(client, make):
    contest, leagues = _age_groups(make)
    user = make.user()
    headers = _headers(client, user)
    url = f"/api/v1/contests/{contest.id}/enrollment"
    response = client.post(url, headers=headers, json={})
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["league_id"]
    assert _enrollments() == 0

    response = client.post(url, headers=headers, json={"league_id": leagues[1].id})
    assert response.status_code == 201, response.json
    assert response.json["league"] == {
        "id": leagues[1].id,
        "code": "middle",
        "kind": "age_group",
        "name": {"zh": "中学组", "mn": ""},
    }


def test_age_group_contest_refuses_a_league_of_another_contest(client, make):
    contest, _ = _age_groups(make)
    _, foreign = _age_groups(make)
    user = make.user()
    response = client.post(
        f"/api/v1/contests/{contest.id}/enrollment",
        headers=_headers(client, user),
        json={"league_id": foreign[0].id},
    )
    assert response.status_code == 422
    assert _enrollments() == 0
    with pytest.raises(ValidationFailed):
        enroll(user, contest, make.clock(), league_id=foreign[0].id)


def test_a_custom_contest_with_one_league_needs_no_choice(make, clock):
    contest = make.contest(league_scheme="custom")
    only = add_league(contest, code="all", name_zh="全体")
    enrollment, created = enroll(make.user(), contest, clock())
    assert created and enrollment.league_id == only.id


def test_age_group_choice_through_the_page(client, make):
    contest, leagues = _age_groups(make)
    user = make.user()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    page = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    for league in leagues:
        assert f'value="{league.id}"' in page and league.name_zh in page
    response = client.post(f"/contests/{contest.id}/enroll", data={})
    assert response.status_code == 302 and _enrollments() == 0
    response = client.post(f"/contests/{contest.id}/enroll", data={"league_id": leagues[2].id})
    assert response.status_code == 302
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.league_id == leagues[2].id


# Once only ---------------------------------------------------------------------------


def test_enrolling_twice_returns_the_same_enrollment(client, make, clock):
    contest = make.contest()
    user = make.user()
    headers = _headers(client, user)
    url = f"/api/v1/contests/{contest.id}/enrollment"
    first = client.post(url, headers=headers, json={})
    assert first.status_code == 201
    again = client.post(url, headers=headers)  # an empty body is fine too
    assert again.status_code == 200
    assert again.json == first.json
    assert _enrollments() == 1
    enrollment, created = enroll(user, contest, clock())
    assert not created and enrollment.league_id == first.json["league"]["id"]
    listed = client.get("/api/v1/contests", headers=headers).json["contests"]
    assert listed[0]["enrolled"] is True
    assert listed[0]["league"]["id"] == first.json["league"]["id"]


def test_enrolling_again_with_another_league_keeps_the_first(client, make):
    contest, leagues = _age_groups(make)
    headers = _headers(client, make.user())
    url = f"/api/v1/contests/{contest.id}/enrollment"
    assert client.post(url, headers=headers, json={"league_id": leagues[0].id}).status_code == 201
    again = client.post(url, headers=headers, json={"league_id": leagues[1].id})
    assert again.status_code == 200 and again.json["league"]["id"] == leagues[0].id
    assert _enrollments() == 1


def test_anonymous_enrollment_is_401(client, make):
    contest = make.contest()
    response = client.post(f"/api/v1/contests/{contest.id}/enrollment", json={})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


# Visibility --------------------------------------------------------------------------


def test_unpublished_contests_are_seen_only_by_their_organizers(client, make):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    other_organizer = make.user("org2", roles=(Role.ORGANIZER,))
    admin = make.user("root", roles=(Role.ADMIN,))
    participant = make.user("player")
    bank = make.bank(per_cell=2)
    draft = make.contest(organizer=organizer, published=False, slug="draft", title_zh="内部草稿赛")
    round_ = make.round(draft, bank)

    def visible(user) -> bool:
        headers = _headers(client, user)
        listed = client.get("/api/v1/contests", headers=headers).json["contests"]
        in_list = draft.id in [c["id"] for c in listed]
        board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=headers)
        assert in_list is (board.status_code == 200)
        return in_list

    assert visible(organizer) and visible(admin)
    assert not visible(participant) and not visible(other_organizer)

    headers = _headers(client, participant)
    response = client.post(f"/api/v1/contests/{draft.id}/enrollment", headers=headers, json={})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "contest_not_found"
    response = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    )
    assert response.status_code == 404
    assert _enrollments() == 0

    anonymous = client.get("/api/v1/contests").json["contests"]
    assert draft.id not in [c["id"] for c in anonymous]
    assert client.get(f"/contests/{draft.id}").status_code == 404
    assert "内部草稿赛" not in client.get("/").get_data(as_text=True)

    client.post("/login", data={"username": "player", "password": PASSWORD})
    assert client.get(f"/contests/{draft.id}").status_code == 404
    client.post("/logout", data={})
    client.post("/login", data={"username": "org", "password": PASSWORD})
    assert client.get(f"/contests/{draft.id}").status_code == 200
    assert "内部草稿赛" in client.get("/").get_data(as_text=True)


# Join codes --------------------------------------------------------------------------


def test_join_code_registration_refuses_a_wrong_code(client, make, clock):
    contest = make.contest()
    contest.registration = Registration.JOIN_CODE
    contest.join_code = "KEXUE-2026"
    db.session.commit()
    user = make.user()
    headers = _headers(client, user)
    url = f"/api/v1/contests/{contest.id}/enrollment"
    for body in ({}, {"join_code": "kexue-2026x"}, {"join_code": "WRONG"}, {"join_code": ""}):
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == 403, body
        assert response.json["error"]["code"] == "join_code_required"
    assert _enrollments() == 0
    with pytest.raises(Forbidden):
        enroll(user, contest, clock(), join_code="nope")

    client.post("/login", data={"username": user.username, "password": PASSWORD})
    response = client.post(f"/contests/{contest.id}/enroll", data={"join_code": "WRONG"})
    assert response.status_code == 302 and _enrollments() == 0

    response = client.post(url, headers=headers, json={"join_code": " KEXUE-2026 "})
    assert response.status_code == 201
    assert _enrollments() == 1


def test_allow_list_contests_refuse_self_enrollment(client, make):
    contest = make.contest()
    contest.registration = Registration.ALLOW_LIST
    db.session.commit()
    response = client.post(
        f"/api/v1/contests/{contest.id}/enrollment",
        headers=_headers(client, make.user()),
        json={},
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "not_invited"
    assert _enrollments() == 0
