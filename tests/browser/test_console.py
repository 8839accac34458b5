"""Every console and school page, in Chinese and in Mongolian, on a 1280×800 desktop.

Each page is screenshotted (tests/artifacts/console-<language>-<page>.png, to be looked
at) and checked: the whole stylesheet applies (the browser kept as many top-level rules
as tools/check_css.py parses: an unclosed brace once turned the console rules into
nested rules that match nothing), nothing sticks out of the screen sideways in Chinese,
Mongolian text gets the bundled font (inputs and textareas too), the live monitor's chart
is drawn in the chart colour at its size, and axe-core finds no violation.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    HTML_LANG,
    axe_violations,
    fonts_ready,
    log_in,
    mongolian_rendering,
    page_overflow,
)
from tests.browser.console_world import ConsoleWorld, build, console_pages

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_css", ROOT / "tools" / "check_css.py")
assert _spec and _spec.loader
check_css = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_css)


def parsed_rule_count(name: str) -> int:
    import tinycss2

    css = (ROOT / "static" / "css" / name).read_text(encoding="utf-8")
    return len(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


@pytest.fixture(scope="module")
def world(live_server) -> ConsoleWorld:
    return build(live_server)


# What the browser made of the page: the stylesheets' rule counts, the fonts, the sizes.
LOOK = """() => {
  const sheets = {};
  for (const sheet of document.styleSheets) {
    if (sheet.href) sheets[sheet.href.split('/').pop().split('?')[0]] = sheet.cssRules.length;
  }
  const fields = [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
    .filter(el => !getComputedStyle(el).fontFamily.replace(/"/g, '').startsWith('Quiz Mongolian'))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '[name=' + el.name + ']');
  const huge = [...document.querySelectorAll('main *')]
    .filter(el => el.offsetParent && parseFloat(getComputedStyle(el).fontSize) > 36
                  && !el.closest('.score-big'))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className.baseVal ?? el.className);
  const doc = document.documentElement;
  const fontCheck = document.fonts.check('16px "Quiz Mongolian Script"', 'ᠮᠣᠩᠭᠣᠯ')
    && document.fonts.check('16px "Quiz Mongolian"', 'ᠮᠣᠩᠭᠣᠯ');
  return {sheets, fields, huge, fontCheck, width: doc.scrollWidth, height: doc.scrollHeight};
}"""

CHART = """() => {
  const svg = document.querySelector('svg.monitor-chart');
  if (!svg) return null;
  const box = svg.getBoundingClientRect();
  const rect = svg.querySelector('rect');
  const label = svg.querySelector('.chart-label');
  return {width: box.width, height: box.height,
          fill: rect ? getComputedStyle(rect).fill : null,
          label: label ? label.getBoundingClientRect().height : null};
}"""


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_every_console_page(site, world, new_context, language, tmp_path):
    page = new_context("desktop", language).new_page()
    log_in(page, world.staff[language])
    rule_counts = {name: parsed_rule_count(name) for name in ("app.css", "schools.css")}
    problems: dict[str, Any] = {}
    sizes: dict[str, tuple[int, int]] = {}

    def check(name: str) -> None:
        assert page.get_attribute("html", "lang") == HTML_LANG[language], (name, page.url)
        fonts_ready(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        look = page.evaluate(LOOK)
        # The whole page, up to 4,000 px each way (a bigger capture costs seconds).
        clip = {"x": 0, "y": 0, "width": min(look["width"], 4000)}
        clip["height"] = min(look["height"], 4000)
        page.screenshot(
            path=str(ARTIFACTS / f"console-{language}-{name}.png"), full_page=True, clip=clip
        )
        sizes[name] = (look["width"], look["height"])
        found: dict[str, Any] = {}
        for sheet, count in look["sheets"].items():
            if count != rule_counts.get(sheet, count):
                found["rules"] = f"{sheet}: {count} rules in the browser, {rule_counts[sheet]}"
        if not look["fontCheck"]:
            found["bundled Mongolian faces not loaded"] = True
        if wrong := mongolian_rendering(page):
            found["Mongolian text drawn without the bundled font"] = wrong
        if look["fields"]:
            found["fields without the Mongolian face first"] = look["fields"]
        if look["huge"]:
            found["text over 36 px"] = look["huge"]
        if language == "zh" and (wide := page_overflow(page)):
            found["wider than the screen"] = wide
        if violations := axe_violations(page):
            found["axe"] = violations
        if found:
            problems[name] = found

    for name, url in console_pages(world):
        response = page.goto(url)
        assert response.status < 400, (name, url, response.status)
        if name == "question":  # Mongolian typed into the Chinese wording, too
            page.fill("textarea[name=zh_text]", "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ")
        check(name)
        if name == "bank":  # an upright Mongolian word stays inside its export button
            outside = page.eval_on_selector_all(
                ".board-filter a:has(.mn-label)",
                """links => links.filter(a => {
                     const o = a.getBoundingClientRect();
                     const i = a.querySelector('.mn-label').getBoundingClientRect();
                     return i.top < o.top + 2 || i.bottom > o.bottom - 2
                       || i.left < o.left + 2 || i.right > o.right - 2;
                   }).map(a => a.textContent.trim())""",
            )
            if outside:
                problems.setdefault(name, {})["label outside its button"] = outside
        if name.startswith("monitor"):
            chart = page.evaluate(CHART)
            drawn = chart["fill"] not in (None, "rgb(0, 0, 0)") and chart["label"] < 30
            if not (drawn and 200 <= chart["width"] <= 800 and chart["height"] <= 320):
                problems.setdefault(name, {})["chart"] = chart

    # The pages a POST shows: the import preview, the login cards, a new teacher's password.
    exported = page.request.get(f"/console/banks/{world.bank_id}/export?format=yaml")
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_bytes(exported.body())
    page.goto("/console/banks/import")
    page.set_input_files('input[type="file"]', str(bank_file))
    page.fill('input[name="new_slug"]', site.name("import-"))
    page.fill('input[name="title_zh"]', "科普知识题库")
    page.locator('form[enctype] [type="submit"]').first.click()
    page.wait_for_url("**/console/banks/import/*")
    check("bank-import-preview")

    page.goto(f"/classes/{world.class_id}")
    page.locator('form[action$="/passwords"] [type="submit"]').click()
    page.wait_for_load_state()
    check("login-cards")

    page.goto("/schools")
    form = page.locator('form[action="/schools"]')
    form.locator('input[name="name_zh"]').fill(f"新学校{language}")
    form.locator('select[name="region_code"], input[name="region_code"]').first.wait_for()
    if form.locator('select[name="region_code"]').count():
        form.locator('select[name="region_code"]').select_option("150102")
    else:
        form.locator("details:has(input[value='150102']) summary").click()
        form.locator("input[name=region_code][value='150102']").check()
    form.locator('input[name="username"]').fill(site.name("teacher"))
    form.locator('input[name="display_name"]').fill(STAFF_DISPLAY[language])
    form.locator('[type="submit"]').click()
    page.wait_for_load_state()
    check("teacher-password")

    icons = page.eval_on_selector_all('link[rel~="icon"]', "links => links.map(l => l.href)")
    assert len(icons) == 2, icons
    for href in icons:
        assert page.request.get(href).status == 200, href

    (ARTIFACTS / f"console-{language}-sizes.txt").write_text(
        "\n".join(f"{name}: {w}x{h}" for name, (w, h) in sizes.items()), encoding="utf-8"
    )
    assert not problems, problems


STAFF_DISPLAY = {"zh": "新老师", "mn": "ᠰᠢᠨᠡ ᠪᠠᠭᠰᠢ"}
