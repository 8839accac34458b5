"""Which language a request is answered in (issue 3, "Language choice").

An explicit choice wins (the switch on every page, saved on the account and in a cookie),
then Accept-Language with every mn* tag meaning mn_Mong_CN and every zh* tag
zh_Hans_CN, then Chinese. Pages carry the matching <html lang>; the API follows the
same choice (bearer clients state theirs in Accept-Language).
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from quiz.i18n import LANGUAGE_COOKIE, LOCALES, language_from_header
from tests.factories import PASSWORD, log_in

MN_HTML = '<html lang="mn-Mong-CN">'
ZH_HTML = '<html lang="zh-Hans-CN">'
MONGOLIAN = re.compile("[\u1820-\u18aa]")


def _html_lang(response) -> str:
    match = re.search(r"<html lang=\"([^\"]+)\">", response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def _translated(app, language: str, msgid: str) -> str:
    with app.test_request_context(), force_locale(LOCALES[language]):
        return gettext(msgid)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("mn", "mn"),
        ("mn-CN", "mn"),
        ("mn-Mong", "mn"),
        ("mn-Mong-CN", "mn"),
        ("mn-MN", "mn"),  # CLDR's Cyrillic Mongolia: still our only Mongolian
        ("MN_mong_cn", "mn"),
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh-TW", "zh"),
        ("zh-Hant-HK", "zh"),
        ("en-US,zh-CN;q=0.5", "zh"),
        ("en, mn;q=0.1", "mn"),
        ("zh;q=0.5, mn-CN;q=0.9", "mn"),
        ("mn-CN;q=0.9, zh-CN", "zh"),
        ("mn;q=0, zh;q=0.1", "zh"),  # q=0: "not this one"
        ("mn;q=oops, zh;q=0.2", "zh"),
        ("en-US, fr", None),
        ("", None),
        (None, None),
    ],
)
def test_accept_language_maps_every_mn_and_zh_tag(header, expected) -> None:
    assert language_from_header(header) == expected


def test_visitors_get_chinese_by_default(client) -> None:
    assert _html_lang(client.get("/")) == "zh-Hans-CN"
    assert _html_lang(client.get("/", headers={"Accept-Language": "en-US,fr;q=0.8"})) == (
        "zh-Hans-CN"
    )


@pytest.mark.parametrize("header", ["mn-CN", "mn-Mong", "mn-MN", "mn", "en;q=0.9, mn;q=0.5"])
def test_visitors_get_mongolian_for_every_mn_tag(client, header) -> None:
    response = client.get("/login", headers={"Accept-Language": header})
    assert _html_lang(response) == "mn-Mong-CN"
    # The page really is in Mongolian: its title comes from the mn catalog.
    assert MONGOLIAN.search(response.get_data(as_text=True).split("<title>")[1].split("<")[0])


def test_the_cookie_beats_the_browser_for_visitors(client) -> None:
    client.set_cookie(LANGUAGE_COOKIE, "mn")
    assert _html_lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "mn-Mong-CN"
    client.set_cookie(LANGUAGE_COOKIE, "zh")
    assert _html_lang(client.get("/", headers={"Accept-Language": "mn-CN"})) == "zh-Hans-CN"
    client.set_cookie(LANGUAGE_COOKIE, "en")  # not a language we speak: ignored
    assert _html_lang(client.get("/", headers={"Accept-Language": "mn-CN"})) == "mn-Mong-CN"


def test_the_account_beats_cookie_and_browser(client, make) -> None:
    make.user("nara", language="mn")
    log_in(client, "nara")
    client.set_cookie(LANGUAGE_COOKIE, "zh")
    for path in ("/", "/profile", "/contests/999"):
        response = client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert _html_lang(response) == "mn-Mong-CN", path


def test_the_switch_is_on_every_page_and_saves_the_choice(client, make) -> None:
    contest, round_ = make.setup()
    user = make.enrolled(contest, username="nara", language="zh")
    for path in ("/", "/login", "/register", "/contests/999"):
        html = client.get(path).get_data(as_text=True)
        assert 'action="/language/mn"' in html and 'action="/language/zh"' in html, path
    log_in(client, "nara")
    pages = (
        "/",
        f"/contests/{contest.id}",
        "/profile",
        f"/rounds/{round_.id}/leaderboard",
        f"/contests/{contest.id}/leaderboard?view=projector",
    )
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'action="/language/mn"' in html and 'action="/language/zh"' in html, path
        # The current language is marked for screen readers.
        assert re.search(r'lang="zh-Hans-CN"\s+aria-current="true"', html), path

    response = client.post("/language/mn", data={"next": f"/contests/{contest.id}"})
    assert response.status_code == 302 and response.location == f"/contests/{contest.id}"
    assert "lang=mn;" in response.headers["Set-Cookie"]
    from quiz.extensions import db

    db.session.refresh(user)
    assert user.language == "mn"
    # A new browser without the cookie still gets Mongolian: it is on the account.
    other = client.application.test_client()
    log_in(other, "nara")
    assert _html_lang(other.get("/", headers={"Accept-Language": "zh-CN"})) == "mn-Mong-CN"


def test_html_lang_of_error_pages(client) -> None:
    response = client.get("/contests/999", headers={"Accept-Language": "mn-CN"})
    assert response.status_code == 404
    assert _html_lang(response) == "mn-Mong-CN"
    assert MONGOLIAN.search(response.get_data(as_text=True))


# API --------------------------------------------------------------------------------


def test_api_anonymous_follows_accept_language(app, client) -> None:
    for header, language in (("mn-MN", "mn"), ("zh-TW", "zh"), ("en", "zh")):
        response = client.post(
            "/api/v1/auth/token",
            json={"username": "nobody", "password": "wrong-password"},
            headers={"Accept-Language": header},
        )
        assert response.status_code == 400
        assert response.json["error"]["message"] == _translated(
            app, language, "Wrong username or password."
        ), header


def test_api_in_a_browser_follows_the_pages_choice(app, client, make) -> None:
    """The live leaderboard polls the API from the page: it must speak the page's language,
    not the browser's (a zh-CN browser of a user who chose Mongolian)."""
    contest, round_ = make.setup()
    make.enrolled(contest, username="nara", language="mn")
    log_in(client, "nara")
    headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
    response = client.get("/api/v1/attempts/999", headers=headers)
    assert response.status_code == 404
    assert response.json["error"]["message"] == _translated(
        app, "mn", "This attempt does not exist."
    )
    # The polled board names the leagues in Mongolian.
    attempt = client.post(f"/api/v1/rounds/{round_.id}/attempts", json={"language": "mn"})
    assert attempt.status_code == 201, attempt.json
    assert client.post(f"/api/v1/attempts/{attempt.json['id']}/finish").status_code == 200
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=headers).json
    league = next(lg for lg in contest.leagues if lg.region_code == "150100")
    assert board["entries"][0]["league"] == league.name_mn
    assert MONGOLIAN.search(league.name_mn)


def test_api_visitor_cookie_beats_the_header(app, client) -> None:
    client.set_cookie(LANGUAGE_COOKIE, "mn")
    response = client.post(
        "/api/v1/auth/token",
        json={"username": "nobody", "password": "wrong-password"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.json["error"]["message"] == _translated(
        app, "mn", "Wrong username or password."
    )


def test_api_bearer_clients_state_the_language_in_the_header(app, client, make) -> None:
    make.user("nara", language="mn")
    token = client.post("/api/v1/auth/token", json={"username": "nara", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {token.json['token']}"}
    msgid = "This attempt does not exist."
    plain = client.get("/api/v1/attempts/999", headers=auth)
    assert plain.json["error"]["message"] == _translated(app, "mn", msgid)  # the account
    zh = client.get("/api/v1/attempts/999", headers={**auth, "Accept-Language": "zh-CN"})
    assert zh.json["error"]["message"] == _translated(app, "zh", msgid)  # the app's choice
    other = client.get("/api/v1/attempts/999", headers={**auth, "Accept-Language": "en"})
    assert other.json["error"]["message"] == _translated(app, "mn", msgid)


def test_both_catalogs_really_translate(app) -> None:
    msgid = "Wrong username or password."
    zh, mn = _translated(app, "zh", msgid), _translated(app, "mn", msgid)
    assert zh != msgid and re.search("[\u4e00-\u9fff]", zh)
    assert mn != msgid and MONGOLIAN.search(mn)
