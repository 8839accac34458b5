"""The whole participant journey in a real browser, in both languages, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.play.models import Answer, Attempt
from tests.browser.conftest import (
    HTML_LANG,
    choose,
    draw_rule,
    go,
    hand_in,
    join,
    mongolian_font,
    page_overflow,
    press,
    register,
    small_targets,
    start,
    writing_mode,
)

pytestmark = pytest.mark.browser

TOUCH_TARGETS = "label.option, .quiz-nav [type=submit], .question-dots .dot, .attempt-lang a"
DISPLAY = {"zh": "走完全程", "mn": "ᠪᠠᠲᠤ ᠮᠥᠩᠬᠡ"}


@pytest.mark.parametrize("kind", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh", "mn"])
def test_register_join_timed_quiz_result_and_leaderboard(site, new_context, shot, language, kind):
    contest_id, round_id = site.round(draw_rule=draw_rule(2))
    page = new_context(kind, language).new_page()
    overflowing: dict[str, object] = {}

    def looked_at(label: str) -> None:
        """Every page is in the chosen language and, on a phone, never scrolls sideways."""
        assert page.get_attribute("html", "lang") == HTML_LANG[language], (label, page.url)
        if kind == "phone" and language == "zh":  # Mongolian pages may run sideways
            wide = page_overflow(page)
            if wide:
                overflowing[label] = wide

    username = site.name("walker")
    display = f"{DISPLAY[language]} {username[-4:]}"
    page.goto("/register")
    looked_at("register")
    register(page, username, display, language)
    looked_at("contests")
    join(page, contest_id)
    looked_at("contest")
    attempt_id = start(page, round_id, language)

    # The timed quiz: a live countdown from the server's deadline.
    timer = page.locator(".countdown[role=timer]")
    first = timer.inner_text()
    page.wait_for_function(
        "text => document.querySelector('.countdown').textContent.trim() !== text.trim()",
        arg=first,
        timeout=3000,
    )
    progress = page.locator(".quiz-progress").inner_text()
    count = int(re.search(r"/\s*(\d+)", progress).group(1))
    assert count == 4, progress

    if language == "mn":
        block = '.question[lang="mn-Mong-CN"]'
        assert writing_mode(page, block) == "vertical-lr"
        font = mongolian_font(page)
        assert font["check"] and font["loaded"], font
        assert font["family"].replace('"', "").startswith("Quiz Mongolian"), font
    looked_at("question 1")
    if kind == "phone":  # large touch targets
        assert not small_targets(page, TOUCH_TARGETS)
    shot(page)

    for no in range(1, count + 1):
        choose(page, 0)
        if no < count:
            go(page, "next")
            looked_at(f"question {no + 1}")
        else:
            go(page, "finish")
    looked_at("finish")
    hand_in(page)
    looked_at("result")
    shot(page)

    with site.ctx():
        attempt = db.session.get(Attempt, attempt_id)
        stored = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt_id)
        )
        assert attempt.finished_at is not None and attempt.finish_reason == "submitted"
        assert attempt.answered_count == stored == count
        points, max_points = attempt.points, attempt.max_points
    score = page.locator(".score-big").inner_text()
    assert re.sub(r"\s", "", score) == f"{points}/{max_points}", score

    press(page.locator(f'a[href$="/rounds/{round_id}/leaderboard"]').first)
    page.wait_for_selector("table.leaderboard tbody tr.me")
    looked_at("leaderboard")
    mine = page.locator("table.leaderboard tbody tr.me")
    assert display in mine.inner_text()
    assert mine.locator(".col-rank").inner_text().strip() == "1"
    shot(page)

    if kind == "desktop":
        page.goto(f"/rounds/{round_id}/leaderboard?view=projector")
        assert page.locator("body.projector table.leaderboard tbody tr.me").count() == 1
        shot(page)

    assert not overflowing, f"pages wider than the phone: {overflowing}"
