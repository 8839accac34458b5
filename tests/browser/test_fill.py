"""A fill-in question on a 360×640 phone, in vertical Mongolian and in Chinese: the text
box is on the first screen, takes typing, and the answer is saved (and graded) through
the page. Screenshots: tests/artifacts/."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.play.models import Answer
from tests.browser.conftest import attempt_and_no, join, log_in, start
from tests.browser.test_phone_screens import ON_SCREEN, PAGE
from tests.play.test_fill import fill_bank

pytestmark = pytest.mark.browser


def _round(site):
    bank = fill_bank()
    bank = type(bank)(
        id=site.name("fill-"),
        title=bank.title,
        categories=bank.categories,
        questions=bank.questions[:1],  # the one-blank question
    )
    rule = [{"count": 1, "category": "science", "points": 10}]
    return site.round_over(bank, rule, "ᠬᠣᠭᠣᠰᠣᠨ ᠣᠷᠣᠨ")


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_fill_in_on_a_phone(site, new_context, shot, language):
    contest_id, round_id = _round(site)
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    log_in(page, username)
    join(page, contest_id)
    start(page, round_id, language)
    box = page.locator('.blanks input[name="text"]')
    assert box.count() == 1
    place = box.first.evaluate(ON_SCREEN)
    assert place["inside"], place
    box.first.fill("ｈ２ｏ")
    shot(page)
    size = page.evaluate(PAGE)
    if language == "mn":
        assert size["height"] <= size["innerHeight"] + 1, size
    else:
        assert size["width"] <= size["innerWidth"] + 1, size
    attempt_id, _ = attempt_and_no(page)
    box.first.press("Tab")  # leaving the box saves it in the background (quiz.js)
    for _ in range(50):
        with site.ctx():
            answer = db.session.query(Answer).filter_by(attempt_id=attempt_id).first()
            saved = answer is not None and answer.choice == ["ｈ２ｏ"] and answer.correct
        if saved:
            break
        page.wait_for_timeout(100)
    assert saved
