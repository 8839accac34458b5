"""Previewing a round writes nothing; the audit page lists a contest's events."""

from __future__ import annotations

import re

import redis
from sqlalchemy import select

from quiz.audit.models import AuditEvent
from quiz.contests.models import Enrollment
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.organizer import services
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.services import draw_items
from tests.factories import log_in
from tests.organizer.conftest import count, zh


def _everything(redis_url: str) -> tuple:
    client = redis.Redis.from_url(redis_url)
    return (
        count(Attempt),
        count(AttemptItem),
        count(Answer),
        count(Enrollment),
        count(AuditEvent),
        sorted(client.keys("*")),
    )


def test_preview_draws_like_an_attempt_and_writes_nothing(client, world, organizer, redis_url):
    round_ = world["round"]
    log_in(client, organizer)
    before = _everything(redis_url)
    response = client.get(f"/console/rounds/{round_.id}/preview?seed=12345&lang=mn")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The same drawing code as a real attempt: same questions in the same order.
    items = draw_items(round_, 12345)
    shown = services.preview(round_, "mn", 12345)
    assert [q.no for q in shown] == [i["no"] for i in items]
    assert [q.points for q in shown] == [i["points"] for i in items]
    assert shown[0].text in html and 'class="question mn-block"' in html
    assert html.count("disabled") >= len(items)  # read-only
    assert _everything(redis_url) == before
    # Another seed draws another set; nothing is written either way.
    client.get(f"/console/rounds/{round_.id}/preview")
    assert _everything(redis_url) == before


def test_preview_of_a_round_the_bank_cannot_serve_says_so(client, world, organizer):
    round_ = world["round"]
    round_.draw_rule = [{"count": 500}]
    db.session.commit()
    log_in(client, organizer)
    response = client.get(f"/console/rounds/{round_.id}/preview?seed=1")
    assert response.status_code == 200
    assert count(Attempt) == 0


def test_the_audit_page_lists_events_newest_first_in_pages(client, world, organizer, clock):
    contest = world["contest"]
    for number in range(services.AUDIT_PAGE + 5):
        services.add_invites(contest, [f"user{number:03d}"], Actor.of(organizer), clock())
    other = world["round"]
    services.update_round(other, _retitled(other), Actor.of(organizer), clock())
    log_in(client, organizer)
    page = client.get(f"/console/contests/{contest.id}/audit").get_data(as_text=True)
    assert page.index(zh("Round changed")) < page.index(zh("Names added to the list"))
    assert "round.update" not in page and "title_zh" not in page
    assert "初赛 → 决赛前" in page and organizer.username in page
    assert page.count('class="audit-row"') == services.AUDIT_PAGE  # one page
    next_link = re.search(r'href="([^"]*before=\d+)"', page).group(1).replace("&amp;", "&")
    older = client.get(next_link).get_data(as_text=True)
    assert older.count('class="audit-row"') == 6
    assert "user000" in older and "user000" not in page
    ids = [e.id for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()))]
    assert len(ids) == services.AUDIT_PAGE + 6


def _retitled(round_):
    data = services.RoundData.of(round_)
    data.title_zh = "决赛前"
    return data


def test_the_audit_page_speaks_the_readers_language_and_time_zone(client, world, organizer):
    """Issue 14: no ``round.freeze`` or ``frozen_at``, no UTC and no ISO moments."""
    from datetime import datetime

    from quiz.results import services as results

    round_ = world["round"]
    round_.opens_at = datetime(2026, 12, 6, 10, 0)
    db.session.commit()
    results.freeze(round_, Actor.of(organizer), datetime(2026, 12, 6, 18, 1, 20, 156994))
    for language, when, label, field in (
        ("zh", "2026年12月7日 02:01", "Leaderboards frozen", "Leaderboards frozen at"),
        ("mn", "2026.12.07 02:01", "Leaderboards frozen", "Leaderboards frozen at"),
    ):
        organizer.language = language
        db.session.commit()
        log_in(client, organizer)
        page = client.get(f"/console/contests/{round_.contest_id}/audit").get_data(as_text=True)
        from flask_babel import force_locale, gettext

        with force_locale({"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}[language]):
            assert gettext(label) in page and gettext(field) in page
        assert page.count(when) >= 2  # when it happened, and the value recorded
        for stored in ("round.freeze", "frozen_at", "2026-12-06", "T18:01", "156994"):
            assert stored not in page, (language, stored)
        client.post("/logout")
