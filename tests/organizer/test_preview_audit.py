"""Previewing a round writes nothing; the audit page lists a contest's events."""

from __future__ import annotations

import re

import redis
from sqlalchemy import select

from quiz.audit.models import AuditEvent
from quiz.contests.models import Enrollment
from quiz.extensions import db
from quiz.organizer import services
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.services import draw_items
from tests.organizer.conftest import count, log_in


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
        services.add_invites(contest, [f"user{number:03d}"], organizer, clock())
    other = world["round"]
    services.update_round(other, _retitled(other), organizer, clock())
    log_in(client, organizer)
    page = client.get(f"/console/contests/{contest.id}/audit").get_data(as_text=True)
    assert page.index("round.update") < page.index("contest.invites_add")
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
