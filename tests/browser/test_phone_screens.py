"""A participant's pages on a 360×640 phone, in Mongolian (vertical) and in Chinese.

The first screen of each page shows what the page is for, checked by where the elements
are (getBoundingClientRect inside the screen): the login button, the question with its
timer and progress, the score on the result page, the own rank on the leaderboard. The
timer and progress stay on screen when the page is scrolled to its end. A Mongolian page
is exactly as tall as the screen and scrolls sideways at full size (the phone does not
zoom out to fit it), with a visible cue while more lies to the right. Each page also
passes axe-core with no violation. Screenshots: tests/artifacts/phone-<language>-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    HTML_LANG,
    axe_violations,
    choose,
    fonts_ready,
    go,
    hand_in,
    join,
    log_in,
    mongolian_rendering,
    start,
)

pytestmark = pytest.mark.browser

SCREEN = {"width": 360, "height": 640}

# Where an element is, and whether all of it is on the first screen (the visual viewport).
ON_SCREEN = """(el) => {
  const v = window.visualViewport || {width: innerWidth, height: innerHeight};
  const within = r => r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5
    && r.right <= v.width + 0.5 && r.bottom <= v.height + 0.5;
  const box = el.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect();  // the text itself, e.g. all of "50 / 13"
  const round = r => [r.left, r.top, r.right, r.bottom].map(Math.round);
  return {inside: within(box) && (text.width === 0 || within(text)),
          box: round(box), text: round(text)};
}"""

PAGE = """() => {
  const d = document.documentElement;
  const cue = getComputedStyle(document.body, '::after');
  return {width: d.scrollWidth, height: d.scrollHeight, innerWidth, innerHeight,
          scrollLeft: d.scrollLeft, maxLeft: d.scrollWidth - d.clientWidth,
          cue: {content: cue.content, opacity: cue.opacity, position: cue.position,
                right: cue.right, width: cue.width}};
}"""


def on_screen(page: Any, selector: str) -> dict[str, Any]:
    locator = page.locator(selector).first
    locator.wait_for(state="attached")
    return locator.evaluate(ON_SCREEN)


def scroll_to_end(page: Any) -> None:
    """The page scrolled as far as it goes: to the right (Mongolian) or down (Chinese)."""
    page.evaluate(
        """() => { const d = document.documentElement;
                   d.scrollLeft = d.scrollWidth; d.scrollTop = d.scrollHeight; }"""
    )
    page.wait_for_timeout(50)


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_first_screens_on_a_phone(site, new_context, language):
    contest_id, round_id = site.round()
    username = site.user(language=language)
    page = new_context("phone", language).new_page()
    problems: dict[str, Any] = {}
    shots = 0

    def looked_at(name: str, must_show: dict[str, str]) -> dict[str, Any]:
        """Screenshot, page size, cue, the elements that must be on screen, fonts, axe."""
        nonlocal shots
        assert page.get_attribute("html", "lang") == HTML_LANG[language], (name, page.url)
        fonts_ready(page)
        shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone-{language}-{shots}-{name}.png"))
        size = page.evaluate(PAGE)
        found: dict[str, Any] = {}
        # The phone never zooms out to fit a page: the layout viewport stays the screen.
        if (size["innerWidth"], size["innerHeight"]) != (SCREEN["width"], SCREEN["height"]):
            found["zoomed out"] = size
        if language == "mn":
            if size["height"] > SCREEN["height"]:
                found["taller than the screen"] = size
            more = size["maxLeft"] > 1
            cue = size["cue"]
            if more != (cue["opacity"] == "1") or cue["position"] != "fixed":
                found["more-to-the-right cue"] = size
        elif size["width"] > SCREEN["width"]:
            found["wider than the screen"] = size
        for what, selector in must_show.items():
            where = on_screen(page, selector)
            if not where["inside"]:
                found[what] = where
        if wrong := mongolian_rendering(page):
            found["Mongolian not in the bundled font"] = wrong
        if violations := axe_violations(page):
            found["axe"] = violations
        if found:
            problems[name] = found
        return size

    page.goto("/login")
    looked_at("login", {"login button": "main form [type=submit]"})
    page.goto("/register")
    looked_at("register", {"first field": "main form input[name=username]"})
    log_in(page, username)
    looked_at("contests", {"contest": f'main a[href$="/contests/{contest_id}"]'})
    join(page, contest_id)
    looked_at("contest", {"heading": "main h1"})
    start(page, round_id, language)
    must = {
        "question": ".question-text",
        "timer": ".countdown",
        "progress": ".quiz-progress",
        "first option": "label.option",
    }
    looked_at("question", must)
    scroll_to_end(page)
    for what in ("timer", "progress"):
        where = on_screen(page, must[what])
        if not where["inside"]:
            problems.setdefault("question scrolled to the end", {})[what] = where
    if language == "mn":
        end = page.evaluate(PAGE)
        if end["maxLeft"] > 1 and end["cue"]["opacity"] != "0":
            problems.setdefault("question scrolled to the end", {})["cue still shown"] = end
    page.evaluate("() => { document.documentElement.scrollLeft = 0; }")
    for no in range(1, 3):
        choose(page, 0)
        go(page, "next" if no < 2 else "finish")
    looked_at("finish", {"hand-in button": 'form[action*="/finish"] [type=submit]'})
    hand_in(page)
    looked_at("result", {"score": ".score-big"})
    page.goto(f"/rounds/{round_id}/leaderboard")
    page.wait_for_selector("table.leaderboard tbody tr.me")
    looked_at("leaderboard", {"own rank": "[data-me-rank]"})
    rank = page.locator("[data-me-rank]").first.inner_text().strip()
    assert rank == page.locator("tr.me .col-rank").first.inner_text().strip() == "1"
    page.goto(f"/contests/{contest_id}/leaderboard")
    looked_at("contest-leaderboard", {"heading": "main h1"})
    page.goto("/profile")
    looked_at("profile", {"heading": "main h1"})
    page.goto("/account/password")
    looked_at("password", {"first field": "main form input[type=password]"})

    assert not problems, problems
