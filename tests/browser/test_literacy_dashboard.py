"""The literacy dashboard on a 360×640 phone, in Chinese and in vertical Mongolian: the
filters, the tables with their bars and suppressed cells, the caveat on every table.
Each page passes axe-core; Chinese does not scroll sideways (the tables scroll in their
own box), and Mongolian text is drawn with the bundled font. Screenshots:
tests/artifacts/test_literacy_dashboard_on_a_phone-*.png."""

from __future__ import annotations

from datetime import datetime

import pytest

from quiz.accounts.models import Role
from quiz.extensions import db
from tests.browser.conftest import (
    HTML_LANG,
    axe_violations,
    fonts_ready,
    log_in,
    mongolian_rendering,
)
from tests.practice.test_literacy_dashboard import finished

pytestmark = pytest.mark.browser

MONTH = datetime(2031, 3, 10, 4, 0)  # a month of its own: other tests' self-tests stay out


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_literacy_dashboard_on_a_phone(site, new_context, shot, language):
    with site.ctx():
        for region, n in (("150102", 12), ("150103", 11), ("150104", 3)):
            for _ in range(n):
                finished(site.make.user(username=site.name("lit")), at=MONTH, region=region)
        db.session.commit()
    organizer = site.user(language=language, roles=(Role.ORGANIZER,))
    page = new_context("phone", language).new_page()
    log_in(page, organizer)
    page.goto("/console/practice/literacy?from=2031-03&to=2031-03&league=150100")
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[language]
    assert page.locator("p.caveat").count() == 6  # the top and each of the 5 tables
    assert page.locator("td.suppressed").count() == 2  # Yuquan (3) and the next smallest
    assert page.locator("table.literacy meter").count() > 0
    fonts_ready(page)
    problems = axe_violations(page)
    if language == "mn":
        problems += mongolian_rendering(page)
    else:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
    shot(page)
    assert not problems, problems
