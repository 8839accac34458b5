"""Practice and the wrong-answer book on a 360×640 phone, in Chinese and in vertical
Mongolian: start by topic, answer, see the marking with the key and the explanation,
find the question in the book, practise it from there. Each page passes axe-core, and
Mongolian text is drawn with the bundled font. Screenshots:
tests/artifacts/test_practice_on_a_phone-<language>-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from quiz.banks.models import Question
from quiz.extensions import db
from quiz.practice.models import PracticeItem
from tests.browser.conftest import (
    HTML_LANG,
    axe_violations,
    fonts_ready,
    log_in,
    mongolian_rendering,
    press,
    submit,
)

pytestmark = pytest.mark.browser


def _checked(page: Any, language: str, problems: dict[str, Any], name: str) -> None:
    fonts_ready(page)
    found = axe_violations(page)
    if language == "mn":
        found += mongolian_rendering(page)
    if found:
        problems[name] = found


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_practice_on_a_phone(site, new_context, shot, language):
    site.round()  # the site's bank: 24 questions in both languages
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    log_in(page, username)
    problems: dict[str, Any] = {}

    page.goto("/practice")
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[language]
    press(page.locator('input[name=category][value="life-health"]'))
    press(page.locator('input[name=count][value="5"]'))
    _checked(page, language, problems, "home")
    shot(page)
    submit(page, 'form[action$="/practice/start"]')
    page.wait_for_url("**/practice/*/q/1")
    _checked(page, language, problems, "question")
    shot(page)

    # A wrong answer (read from the database, as a test may), so the book gets it.
    session_id = int(page.url.split("/practice/")[1].split("/")[0])
    with site.ctx():
        item = db.session.get(PracticeItem, (session_id, 1))
        answer = db.session.get(Question, item.question_id).answer
        wrong = chr(65 + next(i for i, k in enumerate(item.option_order) if k not in answer))
    press(page.locator(f"label.option:has(input[value={wrong}])"))
    submit(page, "form.question-form")
    page.wait_for_selector("[data-practice-result]")
    marked = page.locator("[data-practice-result]")
    assert marked.get_attribute("data-practice-result") == "wrong"
    assert page.locator(".review-item li.correct").count() >= 1
    assert page.locator(".review-item .explanation").count() == 1
    _checked(page, language, problems, "marked")
    shot(page)

    page.goto("/practice/book")
    assert page.locator("[data-book-entry]").count() >= 1
    _checked(page, language, problems, "book")
    shot(page)
    submit(page, 'form[action$="/practice/start"]')
    page.wait_for_url("**/practice/*/q/1")
    assert page.locator("label.option").count() >= 2
    assert problems == {}, problems
