"""The quiz page under real conditions: reloads, a dropped connection, no JavaScript."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from quiz.clock import utcnow
from quiz.extensions import db
from quiz.play.models import Answer, Attempt
from tests.browser.conftest import (
    HTML_LANG,
    attempt_and_no,
    checked,
    choose,
    countdown_seconds,
    go,
    hand_in,
    log_in,
    mongolian_font,
    page_overflow,
    press,
    start,
    submit,
    writing_mode,
)

pytestmark = pytest.mark.browser


def _ready(site, new_context, language: str, kind: str = "phone", **options):
    """A logged-in, enrolled participant on question 1 of a fresh attempt."""
    contest_id, round_id = site.round()
    username = site.user(contest_id, language=language)
    page = new_context(kind, language, **options).new_page()
    log_in(page, username)
    page.goto(f"/contests/{contest_id}")
    attempt_id = start(page, round_id, language)
    return page, attempt_id


def _answers(site, attempt_id: int) -> tuple[dict[int, Answer], Attempt]:
    with site.ctx():
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge_all()
    return {row.no: row for row in rows}, attempt


def _server_remaining(site, attempt_id: int) -> float:
    with site.ctx():
        deadline: datetime = db.session.get(Attempt, attempt_id).deadline
    return (deadline - utcnow()).total_seconds()


def _timer(page) -> tuple[int, float]:
    """What the countdown shows, and when it was read."""
    return countdown_seconds(page), time.monotonic()


def _same_deadline(before: tuple[int, float], after: tuple[int, float]) -> None:
    """The second reading counts down to the same deadline as the first (±2 s)."""
    expected = before[0] - (after[1] - before[1])
    assert abs(after[0] - expected) <= 2, f"showed {before[0]} s, then {after[0]} s"


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_reload_mid_quiz_resumes_with_the_same_time_and_answers(site, new_context, shot, language):
    page, attempt_id = _ready(site, new_context, language)
    first = choose(page, 1)
    go(page, "next")
    second = choose(page, 0)
    assert checked(page) == [second]
    page.wait_for_timeout(1200)  # let the timer run a little

    shown = _timer(page)
    page.reload()
    after = _timer(page)
    assert attempt_and_no(page) == (attempt_id, 2)
    assert checked(page) == [second]
    _same_deadline(shown, after)
    assert abs(after[0] - _server_remaining(site, attempt_id)) <= 2
    if language == "mn":
        assert writing_mode(page, '.question[lang="mn-Mong-CN"]') == "vertical-lr"
    shot(page)

    # Back to question 1: its answer is still chosen.
    go(page, "prev")
    assert checked(page) == [first]
    # Switching the language of the questions mid-attempt keeps answers and timer.
    other = "zh" if language == "mn" else "mn"
    before = _timer(page)
    press(page.locator(f'.attempt-lang a[href*="lang={other}"]'))
    page.wait_for_url(re.compile(rf"lang={other}"))
    assert attempt_and_no(page) == (attempt_id, 1)
    assert checked(page) == [first]
    _same_deadline(before, _timer(page))
    assert page.locator('.question[lang="mn-Mong-CN"]').count() == (other == "mn")
    answers, attempt = _answers(site, attempt_id)
    assert sorted(answers) == [1, 2] and attempt.answered_count == 2


def test_offline_answers_are_kept_and_stored_once_when_back_online(site, new_context):
    page, attempt_id = _ready(site, new_context, "zh")
    choose(page, 0)
    go(page, "next")
    no = attempt_and_no(page)[1]
    status = page.locator(".save-status")

    # Only the saves count: a page asset still loading when the network drops (the icon,
    # on a loaded machine) fails too, and is not what this test is about.
    failed: list[str] = []
    page.on(
        "requestfailed",
        lambda request: None if "/static/" in request.url else failed.append(request.method),
    )
    page.context.set_offline(True)
    choose(page, 0, wait_saved=False)
    page.wait_for_selector(".save-status.offline")
    choose(page, 1, wait_saved=False)  # changed while offline: the newer state wins
    latest = checked(page)
    give_up = time.monotonic() + 5
    while len(failed) < 3 and time.monotonic() < give_up:  # two saves, then a retry
        page.wait_for_timeout(100)
    assert failed == ["POST"] * len(failed) and len(failed) >= 3, failed
    assert "offline" in (status.get_attribute("class") or "")
    answers, _ = _answers(site, attempt_id)
    assert no not in answers

    page.context.set_offline(False)
    page.wait_for_selector(".save-status.saved", timeout=5000)
    assert page.locator(".question-dots .dot.current.answered").count() == 1
    answers, row = _answers(site, attempt_id)
    assert sorted(answers) == [1, 2] and row.answered_count == 2
    stored = answers[no]
    assert stored.revisions == 1, "the offline choices reached the server more than once"
    # The stored choice is the one checked last (stored by original key: compare by reload).
    assert len(stored.choice) == len(latest)
    page.reload()
    assert checked(page) == latest


def test_a_save_whose_reply_is_lost_is_retried_and_counted_once(site, new_context):
    """The server stored the answer but the phone never heard back: it retries, once."""
    page, attempt_id = _ready(site, new_context, "zh")
    calls: list[int] = []

    def drop_first_reply(route):
        if route.request.method != "POST":
            route.continue_()
            return
        calls.append(1)
        if len(calls) == 1:
            route.fetch()  # reaches the server, which stores the answer
            route.abort("connectionreset")  # the reply is lost on the way back
        else:
            route.continue_()

    page.route(re.compile(r"/attempts/\d+/q/\d+"), drop_first_reply)
    choose(page, 0, wait_saved=False)
    page.wait_for_selector(".save-status.saved", timeout=8000)
    assert len(calls) == 2
    answers, attempt = _answers(site, attempt_id)
    assert list(answers) == [1] and attempt.answered_count == 1
    assert answers[1].revisions == 2  # the same answer written twice, counted once


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_the_quiz_works_without_javascript(site, new_context, shot, language):
    contest_id, round_id = site.round()
    username = site.user(language=language)
    page = new_context("phone", language, java_script_enabled=False).new_page()
    page.goto("/login")
    wide = {"login": page_overflow(page)}
    log_in(page, username)
    assert page.get_attribute("html", "lang") == HTML_LANG[language]
    page.goto(f"/contests/{contest_id}")
    submit(page, f'form[action$="/contests/{contest_id}/enroll"]')
    page.wait_for_selector('form[action$="/start"]')
    attempt_id = start(page, round_id, language)
    if language == "mn":
        assert writing_mode(page, '.question[lang="mn-Mong-CN"]') == "vertical-lr"
        font = mongolian_font(page)  # page scripts are off; the test's own evaluate runs
        assert font["loaded"], font
    wide["question"] = page_overflow(page)
    count = int(re.search(r"/\s*(\d+)", page.locator(".quiz-progress").inner_text()).group(1))
    for no in range(1, count + 1):
        choose(page, no % 2, wait_saved=False)
        go(page, "next" if no < count else "finish")
        if no < count:  # the plain form post saved it; the next page shows the dot
            assert page.locator(".question-dots .dot.answered").count() == no
    shot(page)
    hand_in(page)
    answers, attempt = _answers(site, attempt_id)
    assert len(answers) == count == attempt.answered_count
    assert attempt.finish_reason == "submitted"
    assert page.locator(".score-big").count() == 1
    wide["result"] = page_overflow(page)
    if language == "zh":  # Chinese pages fit the phone's width
        assert not any(wide.values()), wide
    shot(page)
