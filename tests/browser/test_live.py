"""A whole live game in real browsers: the host's console, the projector at 1920×1080 and
three phones (one in Mongolian, vertical; one a guest) playing every question, the
projector reloaded in the middle without losing the game."""

from __future__ import annotations

import pytest

from quiz.accounts.models import Role
from quiz.contests.models import ContestOrganizer, Round, RoundMode
from quiz.extensions import db
from tests.browser.conftest import log_in, press

pytestmark = pytest.mark.browser


def _live_round(site) -> tuple[int, int, str]:
    contest_id, round_id = site.round()
    with site.ctx():
        round_ = db.session.get(Round, round_id)
        round_.mode = RoundMode.LIVE
        round_.question_seconds = 60
        host = site.make.user(username=site.name("host"), roles=(Role.ORGANIZER,))
        db.session.add(ContestOrganizer(contest_id=contest_id, user_id=host.id))
        return contest_id, round_id, host.username


def _join(page, pin: str, *, nickname: str | None = None) -> None:
    page.goto("/live")
    page.fill("input[name=pin]", pin)
    press(page.locator("main form [type=submit]").first)
    page.wait_for_url("**/live/join**")
    if nickname:
        page.fill("input[name=display_name]", nickname)
    press(page.locator("main form [type=submit]").first)
    page.wait_for_url("**/live/*")
    page.wait_for_selector(".live-wait")


def _host_click(host, action: str) -> None:
    host.locator(f"button[data-action={action}]").click()
    host.wait_for_load_state()


def test_a_live_game_on_a_projector_and_three_phones(site, new_context, shot):
    _contest_id, round_id, host_name = _live_round(site)
    zh_player = site.user(display_name="乌日娜")
    mn_player = site.user(display_name="ᠪᠠᠲᠤ", language="mn")

    console = new_context("desktop", "zh")
    host = console.new_page()
    log_in(host, host_name)
    host.goto(f"/console/rounds/{round_id}/live")
    host.check("input[name=allow_guests]")
    host.locator("form[action$='/live/games'] [type=submit]").click()
    host.wait_for_url("**/console/live/*")
    pin = host.locator(".live-pin").inner_text().strip()
    game_id = int(host.url.rsplit("/", 1)[1])
    assert host.locator("img.live-qr").evaluate("img => img.naturalWidth") > 100

    hall = new_context("desktop", "zh", viewport={"width": 1920, "height": 1080})
    projector = hall.new_page()
    log_in(projector, host_name)
    projector.goto(f"/console/live/{game_id}/projector")
    projector.wait_for_selector(".live-lobby:not(.hidden)")
    assert projector.locator(".live-pin").inner_text().strip() == pin

    phones = []
    for username, language in ((zh_player, "zh"), (mn_player, "mn")):
        phone = new_context("phone", language).new_page()
        log_in(phone, username)
        _join(phone, pin)
        phones.append(phone)
    guest = new_context("phone", "zh").new_page()
    _join(guest, pin, nickname="小明")
    phones.append(guest)
    projector.wait_for_function(
        "() => document.querySelectorAll('.live-names li').length === 3", timeout=10_000
    )
    shot(projector)

    for question in (1, 2):
        _host_click(host, "advance")  # the question opens
        for phone in phones:
            phone.wait_for_selector(".live-option", timeout=10_000)
        projector.wait_for_selector(".live-options-big")
        mn_question = phones[1].locator(".live-question")
        assert mn_question.get_attribute("lang") == "mn-Mong-CN"
        assert mn_question.evaluate("el => getComputedStyle(el).writingMode") == "vertical-lr"
        assert int(phones[0].locator(".live-clock").inner_text() or 0) > 0
        if question == 1:
            shot(phones[1])
            projector.reload()  # the hall PC's browser reloads: the game is still there
            projector.wait_for_selector(".live-options-big")
        for n, phone in enumerate(phones):
            options = phone.locator(".live-option")
            press(options.nth(n % options.count()))
            if phone.locator(".live-send").count():
                press(phone.locator(".live-send"))
            phone.wait_for_selector(".live-sent")
        host.wait_for_function(
            "() => document.querySelector('.live-answered').textContent.trim() === '3'",
            timeout=10_000,
        )
        _host_click(host, "advance")  # everyone answered: end the question now
        for phone in phones:
            phone.wait_for_selector(".live-verdict")
        projector.wait_for_selector(".live-bars .live-bar-right")
        assert projector.locator(".live-standings li").count() == 3
        if question == 1:
            shot(projector)
            shot(phones[0])

    _host_click(host, "advance")  # no question left: the game ends
    projector.wait_for_selector(".live-podium li")
    assert projector.locator(".live-podium li").count() == 3  # the podium (3 places)
    for phone in phones:
        phone.wait_for_selector(".live-place")
    size = projector.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert size[0] <= size[1], "the projector page must fit 1920 px"
    shot(projector)
    shot(phones[1])


def test_an_answer_not_taken_shows_the_servers_reason_and_the_options_again(
    site, new_context, shot
):
    """A refused answer (here the rate limit's 429, as the server words it for a Mongolian
    phone) is not taken: the phone says why, in the server's words, and offers the
    options again. Only the answer request is answered by the test; the game is real."""
    import json

    from flask_babel import force_locale, gettext

    _contest_id, round_id, host_name = _live_round(site)
    player = site.user(display_name="ᠰᠠᠷᠠᠨ", language="mn")
    host = new_context("desktop", "zh").new_page()
    log_in(host, host_name)
    host.goto(f"/console/rounds/{round_id}/live")
    host.locator("form[action$='/live/games'] [type=submit]").click()
    host.wait_for_url("**/console/live/*")
    pin = host.locator(".live-pin").inner_text().strip()
    phone = new_context("phone", "mn").new_page()
    log_in(phone, player)
    _join(phone, pin)
    with site.ctx(), force_locale("mn_Mong_CN"):
        message = gettext("Too many requests. Please wait a moment and try again.")
    refusal = {"error": {"code": "rate_limited", "message": message, "retry_after": 30}}
    sent: list[str] = []

    def refuse(route) -> None:
        sent.append(route.request.method)
        route.fulfill(
            status=429,
            content_type="application/json",
            headers={"Retry-After": "30"},
            body=json.dumps(refusal),
        )

    phone.route("**/api/v1/live-games/*/answers/*", refuse)
    _host_click(host, "advance")
    phone.wait_for_selector(".live-option", timeout=10_000)
    options = phone.locator(".live-option")
    press(options.first)
    if phone.locator(".live-send").count():
        press(phone.locator(".live-send"))
    refused = phone.locator(".live-refused")
    refused.wait_for()
    assert sent == ["PUT"]
    assert refused.inner_text().strip() == message
    assert refused.get_attribute("role") == "alert"
    assert phone.locator(".live-option").count() == options.count() > 0  # try again
    assert phone.locator(".live-sent").count() == 0
    shot(phone)
    # No answer at all (the hall's Wi-Fi drops the request): the page's own words.
    phone.unroute("**/api/v1/live-games/*/answers/*")
    phone.route("**/api/v1/live-games/*/answers/*", lambda route: route.abort())
    if phone.locator(".live-send").count():  # several to choose: the choice is kept
        assert phone.locator(".live-option[aria-pressed=true]").count() == 1
        press(phone.locator(".live-send"))
    else:
        press(phone.locator(".live-option").first)
    phone.wait_for_function(
        "text => { const shown = document.querySelector('.live-refused');"
        " return shown !== null && shown.textContent !== text; }",
        arg=message,
    )
    assert phone.locator(".live-refused").inner_text().strip()
    assert phone.locator(".live-option").count() > 0
