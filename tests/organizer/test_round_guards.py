"""Fair edits: once a round has opened (or anyone started it), what decides a score is
frozen; refused edits name every refused field and change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from quiz.audit.models import AuditEvent
from quiz.contests.models import ReviewPolicy, Round
from quiz.edge.client import Actor
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.organizer import services
from quiz.organizer.services import RoundData
from quiz.play import services as play
from tests.factories import sample_bank
from tests.organizer.conftest import count

UNFAIR = {
    "bank_id": None,  # filled in with a second bank
    "draw_rule": [{"count": 2, "category": "life-health", "points": 10}],
    "points_by_difficulty": {"1": 5, "2": 15, "3": 20},
    "partial_credit": True,
    "speed_bonus": True,
    "time_limit_seconds": 900,
    "opens_at": "earlier",
    "live_scores": True,
}


def _snapshot(round_: Round) -> dict:
    db.session.refresh(round_)
    return {name: getattr(round_, name) for name in services.ROUND_FIELDS}


@pytest.fixture
def second_bank(make):
    from quiz.banks.services import import_bank

    row, _, _ = import_bank(sample_bank(4, bank_id="other-bank"), make.clock())
    return row


def test_before_opening_everything_may_change(world, organizer, clock, second_bank):
    round_ = world["round"]
    data = replace(
        RoundData.of(round_),
        bank_id=second_bank.id,
        draw_rule=[{"count": 2, "category": "life-health", "difficulty": 1}],
        points_by_difficulty={"1": 1, "2": 2, "3": 3},
        partial_credit=True,
        speed_bonus=True,
        time_limit_seconds=300,
        opens_at=round_.opens_at + timedelta(hours=1),
        closes_at=round_.closes_at - timedelta(hours=1),
        languages=["zh"],
        max_attempts=1,
        review_policy=ReviewPolicy.AFTER_FINISH,
    )
    assert services.unfair_changes(round_, data, clock()) == {}
    services.update_round(round_, data, Actor.of(organizer), clock())
    assert _snapshot(round_)["bank_id"] == second_bank.id
    assert _snapshot(round_)["speed_bonus"] is True
    event = db.session.query(AuditEvent).filter_by(action="round.update").one()
    assert event.before["time_limit_seconds"] == 600 and event.after["time_limit_seconds"] == 300


@pytest.mark.parametrize("field", sorted(UNFAIR))
def test_after_opening_each_frozen_field_is_refused(world, organizer, clock, second_bank, field):
    round_ = world["round"]
    clock.moment = round_.opens_at  # now >= opens_at: opened
    before = _snapshot(round_)
    value = UNFAIR[field]
    if field == "bank_id":
        value = second_bank.id
    if field == "opens_at":
        value = round_.opens_at - timedelta(minutes=5)
    data = replace(RoundData.of(round_), title_zh="新标题", **{field: value})
    with pytest.raises(ValidationFailed) as refused:
        services.update_round(round_, data, Actor.of(organizer), clock())
    assert field in refused.value.fields
    assert list(refused.value.fields) == [field]
    message = refused.value.field_messages()[field][0]
    assert message == str(services.FROZEN_FIELDS[field])  # the field named, localized
    db.session.rollback()
    assert _snapshot(round_) == before  # the title did not change either: all or nothing
    assert count(AuditEvent) == 0


def test_every_refused_field_is_named_at_once(world, organizer, clock):
    round_ = world["round"]
    clock.moment = round_.opens_at + timedelta(minutes=1)
    data = replace(
        RoundData.of(round_),
        time_limit_seconds=60,
        partial_credit=True,
        languages=["zh"],
        max_attempts=0 + 1,
        closes_at=round_.closes_at - timedelta(minutes=1),
        review_policy=ReviewPolicy.AFTER_FINISH,
    )
    round_.review_policy = ReviewPolicy.AFTER_CLOSE
    round_.max_attempts = 3
    db.session.commit()
    data.max_attempts = 2
    errors = services.unfair_changes(round_, data, clock())
    assert set(errors) == {
        "time_limit_seconds",
        "partial_credit",
        "languages",
        "max_attempts",
        "closes_at",
        "review_policy",
    }


def test_after_opening_fair_changes_are_accepted(world, organizer, clock):
    round_ = world["round"]
    round_.languages = ["zh"]
    round_.review_policy = ReviewPolicy.AFTER_FINISH
    db.session.commit()
    clock.moment = round_.opens_at + timedelta(minutes=1)
    data = replace(
        RoundData.of(round_),
        title_zh="初赛（延长）",
        title_mn="ᠰᠢᠨᠡ",
        closes_at=round_.closes_at + timedelta(hours=6),
        languages=["zh", "mn"],  # the bank has every question in Mongolian too
        max_attempts=3,
        review_policy=ReviewPolicy.NEVER,
        stage="semifinal",
    )
    services.update_round(round_, data, Actor.of(organizer), clock())
    after = _snapshot(round_)
    assert after["title_zh"] == "初赛（延长）"
    assert after["languages"] == ["zh", "mn"] and after["max_attempts"] == 3
    assert after["review_policy"] == ReviewPolicy.NEVER


def test_adding_a_language_the_bank_lacks_is_refused(make, organizer, clock):
    from quiz.banks.services import import_bank

    bank, _, _ = import_bank(sample_bank(4, bank_id="zh-only", with_mn=False), clock())
    contest = make.contest(organizer=organizer, slug="zh-only-contest")
    round_ = make.round(contest, bank, languages=["zh"])  # opened an hour ago
    data = replace(RoundData.of(round_), languages=["zh", "mn"])
    with pytest.raises(ValidationFailed) as refused:
        services.update_round(round_, data, Actor.of(organizer), clock())
    messages = refused.value.field_messages()
    # The bank has the questions in Chinese only: the message says how many per language.
    assert any(
        "ᠮᠣᠩᠭᠣᠯ 0" in m for m in messages.get("draw_rule", []) + messages.get("languages", [])
    )
    db.session.rollback()
    assert _snapshot(round_)["languages"] == ["zh"]


def test_an_attempt_locks_a_round_that_has_not_opened(world, organizer, make, clock):
    """An organizer's early test attempt (the round reopened later) also freezes it."""
    round_ = world["round"]
    contest = world["contest"]
    user = make.enrolled(contest)
    clock.moment = round_.opens_at
    play.start_attempt(user, round_, "zh", clock())
    clock.moment = round_.opens_at - timedelta(hours=2)
    assert services.round_locked(round_, clock())
    data = replace(RoundData.of(round_), time_limit_seconds=1200)
    with pytest.raises(ValidationFailed):
        services.update_round(round_, data, Actor.of(organizer), clock())


def test_the_edit_page_refuses_an_unfair_edit_and_keeps_the_round(client, world, organizer, clock):
    from tests.factories import log_in
    from tests.organizer.conftest import zh

    round_ = world["round"]
    clock.moment = round_.opens_at + timedelta(minutes=10)
    before = _snapshot(round_)
    log_in(client, organizer)
    page = client.get(f"/console/rounds/{round_.id}/edit").get_data(as_text=True)
    assert (
        zh(
            "This round has opened or been started. Titles, a later closing time, more attempts,"
            " an added language and showing answers later can still change; everything that"
            " decides a score is fixed."
        )
        in page
    )
    form = _form_of(round_)
    form["time_limit_minutes"] = "5"
    form["title_zh"] = "改了"
    response = client.post(f"/console/rounds/{round_.id}/edit", data=form)
    assert response.status_code == 422
    assert zh("The time limit cannot change after the round has opened.") in (
        response.get_data(as_text=True)
    )
    assert _snapshot(round_) == before


def _form_of(round_: Round) -> dict:
    from quiz.dates import to_local

    form = {
        "title_zh": round_.title_zh,
        "title_mn": round_.title_mn,
        "stage": round_.stage,
        "opens_at": to_local(round_.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": to_local(round_.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": str(round_.time_limit_seconds // 60),
        "bank_id": str(round_.bank_id),
        "languages": list(round_.languages),
        "max_attempts": str(round_.max_attempts),
        "review_policy": round_.review_policy,
        "points_1": "10",
        "points_2": "15",
        "points_3": "20",
        "certificate_min_points": str(round_.certificate_min_points),
        "action": "save",
    }
    for (category, difficulty), n in services.cells_from_rule(round_.draw_rule).items():
        form[f"cell:{category or '*'}:{difficulty or '*'}"] = str(n)
    for category, points in services.row_points_from_rule(round_.draw_rule).items():
        form[f"points:{category or '*'}"] = str(points)
    return form
