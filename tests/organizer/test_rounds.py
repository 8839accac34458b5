"""Creating rounds in the console: local times, the draw table, the bank's counts, and
server-side refusals with field errors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quiz.audit.models import AuditEvent
from quiz.banks.services import import_bank
from quiz.contests.models import Round
from quiz.extensions import db
from tests.factories import log_in, sample_bank
from tests.organizer.conftest import count, zh


def _new_round_form(bank_id: int, **changes) -> dict:
    form = {
        "title_zh": "复赛",
        "title_mn": "",
        "stage": "semifinal",
        "opens_at": "2026-10-01T09:00",
        "closes_at": "2026-10-01T21:30",
        "time_limit_minutes": "20",
        "bank_id": str(bank_id),
        "languages": ["zh", "mn"],
        "max_attempts": "2",
        "review_policy": "after_close",
        "speed_bonus": "y",
        "points_1": "10",
        "points_2": "20",
        "points_3": "30",
        "certificate_min_points": "1",
        "cell:life-health:1": "2",
        "cell:safety-emergency:3": "1",
        "cell:*:*": "3",
        "points:*": "20",
        "action": "save",
    }
    form.update(changes)
    return form


def test_a_round_is_created_from_the_table_in_beijing_time(client, world, organizer):
    contest, bank = world["contest"], world["bank"]
    log_in(client, organizer)
    page = client.get(f"/console/contests/{contest.id}/rounds/new").get_data(as_text=True)
    assert 'name="cell:life-health:1"' in page
    assert zh("of %(n)d", n=4) in page  # 4 questions per category and difficulty in both languages
    response = client.post(
        f"/console/contests/{contest.id}/rounds/new", data=_new_round_form(bank.id)
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    round_ = db.session.scalar(select(Round).where(Round.title_zh == "复赛"))
    assert round_.opens_at == datetime(2026, 10, 1, 1, 0)  # 09:00 in Shanghai is 01:00 UTC
    assert round_.closes_at == datetime(2026, 10, 1, 13, 30)
    assert round_.time_limit_seconds == 1200 and round_.max_attempts == 2
    assert round_.speed_bonus is True and round_.review_policy == "after_close"
    assert round_.points_by_difficulty == {"1": 10, "2": 20, "3": 30}
    # Narrow parts first, so the broad one takes what is left.
    assert round_.draw_rule == [
        {"count": 2, "category": "life-health", "difficulty": 1},
        {"count": 1, "category": "safety-emergency", "difficulty": 3},
        {"count": 3, "points": 20},
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.create"))
    assert event.after["speed_bonus"] is True and event.actor_id == organizer.id
    # The edit page shows the times back in Beijing time.
    edit = client.get(f"/console/rounds/{round_.id}/edit").get_data(as_text=True)
    assert 'value="2026-10-01T09:00"' in edit


def test_bad_rounds_are_refused_with_field_errors(client, world, organizer):
    contest, bank = world["contest"], world["bank"]
    log_in(client, organizer)
    rounds_before = count(Round)
    cases = [
        ({"closes_at": "2026-10-01T08:00"}, zh("The round must close after it opens.")),
        ({"time_limit_minutes": "241"}, zh("The time limit must be 10 seconds to 4 hours.")),
        ({"time_limit_minutes": "abc"}, zh("Give a whole number.")),
        ({"languages": []}, zh("Choose Chinese, Mongolian or both.")),
        ({"max_attempts": "0"}, zh("Allow 1 to %(n)d attempts.", n=100)),
        ({"points_2": "-5"}, zh("Points must be whole numbers from 0 to %(n)d.", n=1000)),
        ({"cell:life-health:1": "5"}, "中文 4, ᠮᠣᠩᠭᠣᠯ 4"),
        ({"cell:life-health:1": "x"}, zh("Counts must be whole numbers from 0 to 10000.")),
        ({"title_zh": " "}, zh("Give a Chinese title of 1 to 200 characters.")),
        ({"opens_at": "tomorrow"}, zh("Give a date and time.")),
    ]
    for change, message in cases:
        response = client.post(
            f"/console/contests/{contest.id}/rounds/new", data=_new_round_form(bank.id, **change)
        )
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    empty = {k: "" for k in _new_round_form(bank.id) if k.startswith("cell:")}
    response = client.post(
        f"/console/contests/{contest.id}/rounds/new", data=_new_round_form(bank.id, **empty)
    )
    assert response.status_code == 422
    assert zh("Draw at least one question.") in response.get_data(as_text=True)
    assert count(Round) == rounds_before


def test_the_worst_case_of_overlapping_parts_is_refused(world, clock):
    """Broad parts after narrow ones: counted as if the narrow ones took from the overlap."""
    from quiz.organizer.services import draw_rule_errors

    bank = world["bank"]  # 4 per (category, difficulty), 24 in all
    fits = [{"count": 4, "category": "life-health", "difficulty": 1}, {"count": 20}]
    assert draw_rule_errors(bank.id, ["zh", "mn"], fits) == []
    too_many = [{"count": 4, "category": "life-health", "difficulty": 1}, {"count": 21}]
    assert draw_rule_errors(bank.id, ["zh", "mn"], too_many)
    by_category = [{"count": 10, "category": "life-health"}, {"count": 3, "difficulty": 2}]
    # life-health has 4 of difficulty 2 that the first part may have taken: 8 - 4 >= 3.
    assert draw_rule_errors(bank.id, ["zh", "mn"], by_category) == []


def test_a_rule_is_checked_per_language(client, make, organizer, clock, world):
    zh_only, _, _ = import_bank(sample_bank(4, bank_id="zh-only", with_mn=False), clock())
    log_in(client, organizer)
    form = _new_round_form(zh_only.id)
    response = client.post(f"/console/contests/{world['contest'].id}/rounds/new", data=form)
    assert response.status_code == 422
    assert "ᠮᠣᠩᠭᠣᠯ 0" in response.get_data(as_text=True)
    form["languages"] = ["zh"]
    response = client.post(f"/console/contests/{world['contest'].id}/rounds/new", data=form)
    assert response.status_code == 302


def test_refresh_shows_another_banks_table_and_saves_nothing(client, world, organizer, clock):
    other, _, _ = import_bank(sample_bank(1, bank_id="small"), clock())
    log_in(client, organizer)
    rounds_before = count(Round)
    response = client.post(
        f"/console/contests/{world['contest'].id}/rounds/new",
        data=_new_round_form(other.id, action="refresh"),
    )
    assert response.status_code == 200
    assert zh("of %(n)d", n=1) in response.get_data(as_text=True)
    assert count(Round) == rounds_before
