"""Real-browser fixtures: the app on a live port, Debian Chromium driven by Playwright.

The live server is the real app (CSRF on, the real clock) over the session's migrated
database and Redis. It runs in a thread of the test process, so a test sets up data and
checks the stored result through the same services and models as the rest of the suite
(``site.ctx()``). Without ``/usr/bin/chromium`` the tests skip locally and fail in CI
(the ``CI`` environment variable is set): a missing browser there must not pass silently.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from quiz import create_app
from quiz.clock import utcnow
from quiz.extensions import db
from tests.conftest import _clean, _config
from tests.factories import CATEGORIES, PASSWORD, Factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 12; Redmi 9A) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
)
LOCALES = {"zh": "zh-CN", "mn": "mn-CN"}
HTML_LANG = {"zh": "zh-Hans-CN", "mn": "mn-Mong-CN"}
TIMEOUT_MS = 10_000


def draw_rule(per_category: int) -> list[dict[str, Any]]:
    """A round of ``per_category`` questions from each of the two sample categories."""
    return [{"count": per_category, "category": c, "points": 10} for c in CATEGORIES]


def _require(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests are required)", pytrace=False)
    pytest.skip(reason)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Site:
    """The live app: its URL, and data set-up and checks inside its app context."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url
        self.make = Factories(utcnow)
        self._bank_id: int | None = None

    @contextmanager
    def ctx(self) -> Iterator[None]:
        """An app context of its own; its transaction ends before the block returns.

        Outside a request every SQLite transaction takes the write lock up front, so a
        session left open here would block the live server's saves.
        """
        with self.app.app_context():
            try:
                yield
                db.session.commit()
            finally:
                db.session.remove()

    def name(self, prefix: str) -> str:
        return f"{prefix}{uuid.uuid4().hex[:8]}"

    def round(self, **round_kwargs: Any) -> tuple[int, int]:
        """A published contest (region leagues) with one open round: (contest id, round id).

        The bank has every question in Chinese and Mongolian; the round offers both and
        draws two questions unless ``draw_rule`` says otherwise.
        """
        with self.ctx():
            if self._bank_id is None:
                self._bank_id = self.make.bank().id
            from quiz.banks.models import QuestionBank

            bank = db.session.get(QuestionBank, self._bank_id)
            contest = self.make.contest(
                slug=self.name("browser-"), title_zh="科普知识竞赛", title_mn="ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ"
            )
            now: datetime = utcnow()
            round_kwargs.setdefault("title_mn", "ᠠᠩᠬᠠᠨ ᠤ ᠱᠠᠯᠭᠠᠯᠲᠠ")
            round_kwargs.setdefault("opens_at", now - timedelta(hours=1))
            round_kwargs.setdefault("draw_rule", draw_rule(1))
            round_ = self.make.round(contest, bank, **round_kwargs)
            return contest.id, round_.id

    def round_over(self, bank: Any, draw_rule: list[dict], title_mn: str) -> tuple[int, int]:
        """A contest with one open round over ``bank`` (a library bank, imported here):
        (contest id, round id)."""
        from quiz.banks.services import import_bank

        with self.ctx():
            row = import_bank(bank, utcnow())[0]
            contest = self.make.contest(slug=self.name("browser-"), title_mn=title_mn)
            round_ = self.make.round(contest, row, draw_rule=draw_rule, title_mn=title_mn)
            ids = contest.id, round_.id
        return ids

    def user(self, contest_id: int | None = None, **kwargs: Any) -> str:
        """A participant (enrolled when ``contest_id`` is given): their username."""
        from quiz.contests.models import Contest
        from quiz.contests.services import enroll

        kwargs.setdefault("username", self.name("u"))
        with self.ctx():
            user = self.make.user(**kwargs)
            if contest_id is not None:
                enroll(user, db.session.get(Contest, contest_id), utcnow())
            return user.username


@pytest.fixture(scope="session")
def playwright_api() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not os.path.exists(CHROMIUM):
        _require(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    browser = playwright_api.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live_server(
    browser: Any, migrated: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The app with CSRF on and the real clock, served on 127.0.0.1 and a free port.

    The database is emptied once when it starts (the rest of the suite empties it per
    test); browser tests create their own contests and users with unique names.
    """
    config = _config(migrated, redis_url, tmp_path_factory.mktemp("live"))
    config["WTF_CSRF_ENABLED"] = True
    config.pop("QUIZ_CLOCK", None)
    app = create_app(config)
    _clean(app)
    redis.Redis.from_url(redis_url).flushdb()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Site(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def site(live_server: Site) -> Site:
    return live_server


def phone_options(language: str = "zh", **extra: Any) -> dict[str, Any]:
    return {
        "viewport": {"width": 360, "height": 640},
        "screen": {"width": 360, "height": 640},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": PHONE_UA,
        "locale": LOCALES[language],
        **extra,
    }


def desktop_options(language: str = "zh", **extra: Any) -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 800}, "locale": LOCALES[language], **extra}


@pytest.fixture
def new_context(browser: Any, site: Site) -> Iterator[Any]:
    """``new_context("phone"|"desktop", language, **options)``: closed after the test."""
    contexts: list[Any] = []

    def open_context(kind: str = "phone", language: str = "zh", **extra: Any) -> Any:
        options = (
            phone_options(language, **extra)
            if kind == "phone"
            else desktop_options(language, **extra)
        )
        context = browser.new_context(base_url=site.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Any:
    """``shot(page)`` saves tests/artifacts/<test>-<n>.png and returns the path.

    A phone shot is the screen as the phone shows it; a desktop shot is the whole page.
    """
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    count = 0

    def take(page: Any, full_page: bool | None = None) -> Path:
        nonlocal count
        count += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{stem}-{count}.png"
        fonts_ready(page)
        full = not is_phone(page) if full_page is None else full_page
        page.screenshot(path=str(path), full_page=full)
        return path

    return take


# --- page helpers (stable hooks only: URLs, form field names, classes from static/README.md)

QUESTION_URL = re.compile(r"/attempts/(\d+)/q/(\d+)")


def attempt_and_no(page: Any) -> tuple[int, int]:
    match = QUESTION_URL.search(page.url)
    assert match, f"not on a question page: {page.url}"
    return int(match.group(1)), int(match.group(2))


def is_phone(page: Any) -> bool:
    return (page.viewport_size or {}).get("width", 1280) < 500  # phone contexts have touch


def press(locator: Any) -> None:
    """Tap (phone) or click (desktop) the element, after checking nothing covers it.

    A phone's layout viewport grows to the width of a page that is wider than the screen
    (a Mongolian page runs sideways), and the phone then pans its visual viewport over
    it. Playwright's own hit test ignores that pan and blames the wrong element, so on
    such a page this scrolls the element into the visual viewport, does the hit test in
    page coordinates itself, and then taps without Playwright's check.
    """
    page = locator.page
    panned = page.evaluate("() => window.innerWidth > document.documentElement.clientWidth")
    if not panned:
        locator.tap() if is_phone(page) else locator.click()
        return
    locator.wait_for(state="visible")
    hit = locator.evaluate(
        """el => {
          el.scrollIntoView({block: 'nearest', inline: 'nearest'});
          const r = el.getBoundingClientRect();
          const h = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return h === el || el.contains(h) ? null : (h ? h.outerHTML.slice(0, 120) : 'nothing');
        }"""
    )
    assert hit is None, f"{locator} is covered by {hit}"
    locator.tap(force=True) if is_phone(page) else locator.click(force=True)


def submit(page: Any, form_selector: str) -> None:
    """Press the submit button of the form that matches (not the header's forms)."""
    press(page.locator(f"{form_selector} [type=submit]").first)


def register(page: Any, username: str, display_name: str, language: str) -> None:
    page.goto("/register")
    form = "form:has(input[name=username])"
    page.fill(f"{form} input[name=username]", username)
    page.fill(f"{form} input[name=password]", PASSWORD)
    page.fill(f"{form} input[name=display_name]", display_name)
    if page.locator(f"{form} select[name=region_code]").count():
        page.select_option(f"{form} select[name=region_code]", "150102")
    else:  # Mongolian pages: open the 盟市's disclosure, then pick the county.
        press(page.locator(f"{form} details:has(input[value='150102']) summary"))
        radio = page.locator(f"{form} input[name=region_code][value='150102']")
        radio.press("Space")
        assert radio.is_checked()
    # With the keyboard (the radio's label is a sibling, not a wrapper).
    page.locator(f"{form} input[name=language][value={language}]").press("Space")
    assert page.is_checked(f"{form} input[name=language][value={language}]")
    submit(page, form)
    page.wait_for_url(lambda url: "/register" not in url)


def log_in(page: Any, username: str) -> None:
    page.goto("/login")
    form = "form:has(input[name=username])"
    page.fill(f"{form} input[name=username]", username)
    page.fill(f"{form} input[name=password]", PASSWORD)
    submit(page, form)
    page.wait_for_url(lambda url: "/login" not in url)


def join(page: Any, contest_id: int) -> None:
    page.goto(f"/contests/{contest_id}")
    submit(page, f'form[action$="/contests/{contest_id}/enroll"]')
    page.wait_for_selector('form[action$="/start"]')


def start(page: Any, round_id: int, language: str) -> int:
    """Start the round from the contest page (already there): the attempt id."""
    form = f'form[action$="/rounds/{round_id}/start"]'
    page.check(f'{form} input[type=radio][value="{language}"]')
    submit(page, form)
    page.wait_for_url(QUESTION_URL)
    return attempt_and_no(page)[0]


def choose(page: Any, index: int = 0, *, wait_saved: bool = True) -> str:
    """Pick the option at ``index`` by its label (a tap on phones): its value."""
    option = page.locator("label.option").nth(index)
    press(option)
    value = option.locator("input").get_attribute("value")
    if wait_saved:
        page.wait_for_selector(".save-status.saved")
    return value


def checked(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "input[name=choice]:checked", "inputs => inputs.map(i => i.value)"
    )


def go(page: Any, action: str) -> None:
    """Press a quiz navigation button (next, prev, finish) and wait for the next page."""
    before = page.url
    press(page.locator(f'.quiz-nav [type=submit][value="{action}"]'))
    page.wait_for_url(lambda url: url != before)


def hand_in(page: Any) -> None:
    """On the finish page: confirm, and wait for the result."""
    submit(page, 'form[action*="/finish"]')
    page.wait_for_url(re.compile(r"/attempts/\d+/result"))


def countdown_seconds(page: Any) -> int:
    """The remaining time the countdown shows (mm:ss or h:mm:ss), in seconds."""
    text = page.locator(".countdown").first.inner_text().strip()
    match = re.search(r"(?:(\d+):)?(\d+):(\d\d)", text)
    assert match, f"countdown shows {text!r}"
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def fonts_ready(page: Any) -> None:
    page.evaluate("() => document.fonts.ready.then(() => true)")


def page_overflow(page: Any) -> dict[str, Any] | None:
    """None when the page does not scroll sideways; else the widths and the culprits.

    ``scrollWidth <= innerWidth`` alone proves nothing on a phone: there the layout
    viewport (``innerWidth``) grows to the page's width. Both are compared with the
    screen's width (the initial containing block, ``clientWidth``).
    """
    fonts_ready(page)
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          const screen = doc.clientWidth;
          if (doc.scrollWidth <= innerWidth && innerWidth <= screen) return null;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > screen + 0.5)
            .filter(el => !el.parentElement.closest('.table-wrap, .mn-block'))
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
          return {scrollWidth: doc.scrollWidth, innerWidth, screen, wide};
        }"""
    )


def mongolian_font(page: Any) -> dict[str, Any]:
    """Whether the bundled "Quiz Mongolian" face is loaded and applies to Mongolian text."""
    return page.evaluate(
        """async () => {
          await document.fonts.ready;
          const faces = [...document.fonts].filter(
            f => f.family.replace(/["']/g, '') === 'Quiz Mongolian');
          const block = document.querySelector('[lang="mn-Mong-CN"]');
          return {
            check: document.fonts.check('16px "Quiz Mongolian"', 'ᠮᠣᠩᠭᠣᠯ'),
            loaded: faces.some(f => f.status === 'loaded'),
            family: block ? getComputedStyle(block).fontFamily : null,
          };
        }"""
    )


def writing_mode(page: Any, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).writingMode")


def small_targets(page: Any, selector: str, minimum: float = 44) -> list[str]:
    """Elements matching ``selector`` narrower or shorter than ``minimum`` CSS pixels."""
    return page.eval_on_selector_all(
        selector,
        """(els, minimum) => els
             .map(el => [el, el.getBoundingClientRect()])
             .filter(([el, r]) => Math.min(r.width, r.height) < minimum - 0.5)
             .map(([el, r]) => `${el.tagName.toLowerCase()}.${el.className} ` +
                               `${Math.round(r.width)}x${Math.round(r.height)}`)""",
        minimum,
    )


# --- accessibility: axe-core (its JS comes in the axe-playwright-python wheel)

# Rules left out, each with its reason (none today). An entry here needs a written reason.
AXE_DISABLED: dict[str, str] = {}


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now: one line per rule and element.

    The script is injected through the DevTools protocol, so the page's CSP (no inline or
    eval'd script) does not apply to it.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in AXE_DISABLED},
    }
    found = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {' '.join(map(str, node['target']))} "
        f"-- {node.get('failureSummary', '').splitlines()[-1:]}"
        for v in found["violations"]
        for node in v["nodes"][:3]
    ]


MONGOLIAN_PROBE = r"""limit => {
  const mongolian = /[\u1800-\u18AF]/;
  const found = [...document.querySelectorAll('body *')]
    .filter(el => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}))
    .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && mongolian.test(n.data))
                  || (el.matches('input, textarea') && mongolian.test(el.value)))
    .slice(0, limit);
  found.forEach((el, i) => el.setAttribute('data-mn-probe', String(i)));
  return found.map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
}"""


def mongolian_rendering(page: Any, limit: int = 60) -> list[str]:
    """Elements whose Mongolian text Chromium drew with a font other than the bundled one.

    Chromium tells which fonts it really used for a node's text (the DevTools protocol's
    ``CSS.getPlatformFontsForNode``; inputs and textareas draw their value in a shadow
    tree, which is asked too). A Mongolian font that is not a web font means the page
    relied on the machine's own font: on most phones that is empty boxes.
    """
    described = page.evaluate(MONGOLIAN_PROBE, limit)
    if not described:
        return []
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        probes: dict[int, list[int]] = {}

        def subtree(node: dict[str, Any]) -> list[int]:
            ids = [node["nodeId"]]
            for child in node.get("children", []) + node.get("shadowRoots", []):
                ids += subtree(child)
            return ids

        def walk(node: dict[str, Any]) -> None:
            attributes = node.get("attributes", [])
            if "data-mn-probe" in attributes[::2]:
                index = int(attributes[attributes.index("data-mn-probe") + 1])
                shadow = [i for s in node.get("shadowRoots", []) for i in subtree(s)]
                probes[index] = [node["nodeId"], *shadow]
            for child in node.get("children", []) + node.get("shadowRoots", []):
                walk(child)
            if "contentDocument" in node:
                walk(node["contentDocument"])

        walk(root)
        wrong: list[str] = []
        for index, node_ids in sorted(probes.items()):
            fonts = [
                font
                for node_id in node_ids
                for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            ]
            mongolian = [f for f in fonts if "Mongolian" in f["familyName"]]
            if not mongolian or not all(f["isCustomFont"] for f in mongolian):
                wrong.append(f"{described[index]}: {fonts}")
        return wrong
    finally:
        cdp.detach()
