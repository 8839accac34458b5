"""The science-literacy self-test on a 360×640 phone, in Chinese and in vertical
Mongolian: the start page says it is not the official survey, a question with progress
and time left, finishing, and the result with score, band, part bars, the weakest
benchmarks and every answer explained. Each page passes axe-core, and Mongolian text is
drawn with the bundled font. Screenshots: tests/artifacts/test_selftest_on_a_phone-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from quiz.banks.models import Question
from quiz.clock import utcnow
from quiz.extensions import db
from quiz.practice import assessment
from quiz.practice.models import Assessment, AssessmentItem
from tests.browser.conftest import (
    HTML_LANG,
    axe_violations,
    fonts_ready,
    log_in,
    mongolian_rendering,
    press,
    submit,
)
from tests.practice.literacy_bank import import_literacy_bank

pytestmark = pytest.mark.browser


def _checked(page: Any, language: str, problems: dict[str, Any], name: str) -> None:
    fonts_ready(page)
    found = axe_violations(page)
    if language == "mn":
        found += mongolian_rendering(page)
    if found:
        problems[name] = found


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_selftest_on_a_phone(site, new_context, shot, language):
    with site.ctx():
        import_literacy_bank(utcnow())
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    log_in(page, username)
    problems: dict[str, Any] = {}

    page.goto("/self-test")
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[language]
    assert page.locator("[data-selftest-notice]").count() == 1
    press(page.locator('input[name=age_group][value="30-39"]'))
    _checked(page, language, problems, "start")
    shot(page)
    submit(page, 'form[action$="/self-test/start"]')
    page.wait_for_url("**/self-test/*/q/1")
    assert page.locator(".quiz-progress").inner_text().strip() == "1 / 50"
    assert page.locator("[data-time-left]").count() == 1
    assert page.locator(".explanation, li.correct").count() == 0  # no key before the end
    _checked(page, language, problems, "question")
    shot(page)

    # The first question through the page, the rest straight into the database.
    press(page.locator("label.option").first)
    submit(page, "form.question-form")
    page.wait_for_url("**/self-test/*/q/2")
    test_id = int(page.url.split("/self-test/")[1].split("/")[0])
    with site.ctx():
        found = db.session.get(Assessment, test_id)
        assert found.age_group == "30-39"
        for no in range(2, 41):
            item = db.session.get(AssessmentItem, (test_id, no))
            answer = db.session.get(Question, item.question_id).answer
            keys = [chr(65 + item.option_order.index(k)) for k in answer]
            assessment.answer(found, no, keys, utcnow())
    page.goto(f"/self-test/{test_id}/q/50")
    submit(page, "form:has([data-selftest-finish])")
    page.wait_for_url(f"**/self-test/{test_id}")
    band = page.locator("[data-selftest-band]").get_attribute("data-selftest-band")
    assert band in ("literate", "advanced", "basic")
    assert page.locator("meter").count() == 4
    assert page.locator("[data-weak-benchmark]").count() == 3
    assert page.locator(".review-item").count() == 50
    assert page.locator(".review-item .explanation").count() == 50
    _checked(page, language, problems, "result")
    shot(page)
    page.goto("/me/history")
    assert page.locator(f"[data-history-selftest='{test_id}']").count() == 1
    # Practising a weak benchmark from the result page.
    page.goto(f"/self-test/{test_id}")
    submit(page, "[data-weak-benchmark] form")
    page.wait_for_url("**/practice/*/q/1")
    assert problems == {}, problems
