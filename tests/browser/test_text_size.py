"""Reading comfort on a 360-px phone: with the "larger" text size (issue 17 item 7) the
quiz page's option buttons and its submit buttons are neither clipped nor overlapping,
nor under the fixed quiz bar, and the page does not scroll the wrong way: a Chinese page
never sideways, a Mongolian (vertical) page never down (it scrolls sideways by design,
docs/architecture.md).
Screenshots: tests/artifacts/text-larger-<language>-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    HTML_LANG,
    fonts_ready,
    join,
    log_in,
    page_overflow,
    start,
    submit,
)

pytestmark = pytest.mark.browser

SCREEN = {"width": 360, "height": 640}

# Each control: its box, whether its own content overflows it (clipped), and every pair
# of controls whose boxes overlap by more than a pixel.
CONTROLS = """(selectors) => {
  const els = selectors.flatMap(s => [...document.querySelectorAll(s)]);
  const box = el => el.getBoundingClientRect();
  const clipped = els.filter(el => el.scrollWidth > el.clientWidth + 1
                                || el.scrollHeight > el.clientHeight + 1)
    .map(el => [el.className, el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]);
  const overlaps = [];
  for (let i = 0; i < els.length; i++) {
    for (let j = i + 1; j < els.length; j++) {
      if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
      const a = box(els[i]), b = box(els[j]);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push([els[i].textContent.trim(), els[j].textContent.trim()]);
    }
  }
  const d = document.documentElement;
  const outside = els.map(box).filter(r => r.width === 0 || r.height === 0
      || r.left + d.scrollLeft < -0.5 || r.top + d.scrollTop < -0.5
      || r.right + d.scrollLeft > d.scrollWidth + 0.5
      || r.bottom + d.scrollTop > d.scrollHeight + 0.5).length;
  // A fixed bar (the Mongolian quiz bar) must not cover any control.
  const bar = document.querySelector('.quiz-bar');
  const fixed = bar && getComputedStyle(bar).position === 'fixed' ? box(bar) : null;
  const covered = fixed ? els.filter(el => box(el).top < fixed.bottom - 0.5)
    .map(el => [el.textContent.trim(), Math.round(box(el).top), Math.round(fixed.bottom)]) : [];
  return {count: els.length, clipped, overlaps, outside, covered,
          rootFont: getComputedStyle(d).fontSize,
          scrollWidth: d.scrollWidth, scrollHeight: d.scrollHeight, innerHeight};
}"""

SELECTORS = ["label.option", ".quiz-nav button"]


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_larger_text_keeps_the_quiz_page_usable_at_360_px(site, new_context, language):
    contest_id, round_id = site.round()
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    log_in(page, username)
    page.goto(f"/contests/{contest_id}")
    with page.expect_navigation():
        submit(page, '.size-switch form[action$="/text-size/larger"]')
    assert "text-larger" in (page.get_attribute("html", "class") or "")
    join(page, contest_id)
    start(page, round_id, language)
    assert page.get_attribute("html", "lang") == HTML_LANG[language]
    assert "text-larger" in (page.get_attribute("html", "class") or "")
    fonts_ready(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"text-larger-{language}-question.png"))
    page.screenshot(
        path=str(ARTIFACTS / f"text-larger-{language}-question-full.png"), full_page=True
    )
    found: dict[str, Any] = page.evaluate(CONTROLS, SELECTORS)
    problems: dict[str, Any] = {}
    if found["rootFont"] != "21px":  # 131.25 % of 16 px
        problems["root font size"] = found["rootFont"]
    if found["count"] < 3:
        problems["controls found"] = found["count"]
    for what in ("clipped", "overlaps", "covered"):
        if found[what]:
            problems[what] = found[what]
    if found["outside"]:
        problems["outside the page"] = found["outside"]
    if language == "zh":
        if overflow := page_overflow(page):
            problems["scrolls sideways"] = overflow
    elif found["scrollHeight"] > SCREEN["height"]:
        problems["Mongolian page taller than the screen"] = found
    assert not problems, problems
