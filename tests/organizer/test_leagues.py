"""Leagues in the console: presets (盟市, age groups, schools), custom leagues, and
removal only while nobody uses a league."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.contests.models import League, LeagueScheme
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.organizer import services
from quiz.schools.models import School
from tests.factories import log_in
from tests.organizer.conftest import audit_actions, count, zh


@pytest.fixture
def custom(make, organizer):
    return make.contest(organizer=organizer, slug="custom", league_scheme=LeagueScheme.CUSTOM)


def test_age_group_preset_names_come_from_both_catalogs(client, organizer, custom):
    log_in(client, organizer)
    response = client.post(
        f"/console/contests/{custom.id}/leagues/preset", data={"preset-preset": "age_groups"}
    )
    assert response.status_code == 302
    leagues = {lg.code: lg for lg in db.session.scalars(select(League))}
    assert set(leagues) == {"primary", "middle", "public"}
    assert leagues["primary"].name_zh == "小学组"
    assert leagues["middle"].name_zh == "中学组" and leagues["public"].name_zh == "公众组"
    assert all("\u1820" <= lg.name_mn[0] <= "\u18aa" for lg in leagues.values())
    assert all(lg.kind == LeagueScheme.AGE_GROUP for lg in leagues.values())
    # Again: nothing to add, said so, nothing doubled.
    page = client.post(
        f"/console/contests/{custom.id}/leagues/preset",
        data={"preset-preset": "age_groups"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert zh("No league was added: the contest has them all already.") in page
    assert count(League) == 3
    assert "league.preset" in audit_actions(custom.id)


def test_region_and_school_presets(client, organizer, custom):
    db.session.add_all(
        [
            School(name_zh="呼和浩特第一中学", name_mn="", region_code="150102"),
            School(name_zh="包头一中", name_mn="", region_code="150203"),
        ]
    )
    db.session.commit()
    log_in(client, organizer)
    url = f"/console/contests/{custom.id}/leagues/preset"
    client.post(url, data={"preset-preset": "regions"})
    assert count(League) == 12
    client.post(url, data={"preset-preset": "regions"})
    assert count(League) == 12
    client.post(url, data={"preset-preset": "schools", "preset-region_code": "150100"})
    schools = db.session.scalars(select(League).where(League.kind == "school")).all()
    assert [lg.name_zh for lg in schools] == ["呼和浩特第一中学"]
    page = client.post(
        url,
        data={"preset-preset": "schools", "preset-region_code": "150102"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert zh("Choose a league or city.") in page  # a county is not a 盟市


def test_custom_league_add_edit_remove(client, organizer, custom):
    log_in(client, organizer)
    url = f"/console/contests/{custom.id}/leagues"
    assert (
        client.post(url, data={"code": "g1", "name_zh": "一组", "name_mn": ""}).status_code == 302
    )
    response = client.post(url, data={"code": "g1", "name_zh": "重复", "name_mn": ""})
    assert response.status_code == 422
    assert zh("Another league of this contest has this code.") in response.get_data(as_text=True)
    response = client.post(url, data={"code": "bad code", "name_zh": "", "name_mn": ""})
    assert response.status_code == 422
    league = db.session.scalar(select(League).where(League.code == "g1"))
    response = client.post(
        f"/console/leagues/{league.id}/edit",
        data={"code": "g1", "name_zh": "第一组", "name_mn": "ᠨᠢᠭᠡ"},
    )
    assert response.status_code == 302
    db.session.refresh(league)
    assert league.name_zh == "第一组" and league.name_mn == "ᠨᠢᠭᠡ"
    client.post(f"/console/leagues/{league.id}/remove")
    assert count(League) == 0
    assert audit_actions(custom.id) == ["league.create", "league.update", "league.delete"]


def test_a_league_in_use_is_not_removed(client, organizer, world, make, clock):
    contest = world["contest"]
    user = make.user(region_code="150102")
    enrollment, _ = enroll(user, contest, clock())
    log_in(client, organizer)
    response = client.post(f"/console/leagues/{enrollment.league_id}/remove", follow_redirects=True)
    assert zh("People have joined this league: it cannot be removed.") in response.get_data(
        as_text=True
    )
    assert db.session.get(League, enrollment.league_id) is not None
    assert "league.delete" not in audit_actions(contest.id)
    with pytest.raises(Exception) as refused:
        services.remove_league(
            db.session.get(League, enrollment.league_id), Actor.of(user), clock()
        )
    assert getattr(refused.value, "code", "") == "league_in_use"
