"""The organizer's live monitor refreshes itself (monitor.js) in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.accounts.models import Role, User
from quiz.clock import utcnow
from quiz.contests.models import ContestOrganizer, Round
from quiz.extensions import db
from quiz.play import services as play
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_monitor_counts_follow_the_round(site, new_context, shot, language):
    contest_id, round_id = site.round()
    organizer = site.user(roles=(Role.ORGANIZER,), language=language)
    player = site.user(contest_id)
    with site.ctx():
        user = db.session.scalar(select(User).where(User.username == organizer))
        db.session.add(ContestOrganizer(contest_id=contest_id, user_id=user.id))
    page = new_context("desktop", language).new_page()
    errors: list[str] = []
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    log_in(page, organizer)
    page.goto(f"/console/rounds/{round_id}/monitor")
    assert page.locator('[data-monitor="started"]').inner_text().strip() == "0"
    with site.ctx():
        user = db.session.scalar(select(User).where(User.username == player))
        attempt, _ = play.start_attempt(user, db.session.get(Round, round_id), "zh", utcnow())
        play.save_answer(attempt.id, user, 1, ["A"], utcnow())
    # monitor.js polls every 5 s; the server shares a snapshot for 2 s.
    page.wait_for_function(
        """() => document.querySelector('[data-monitor="started"]').textContent.trim() === '1'
             && document.querySelector('[data-monitor="active_now"]').textContent.trim() === '1'""",
        timeout=15_000,
    )
    assert page.locator("svg.monitor-chart rect").count() == 30
    assert errors == []
    shot(page)
