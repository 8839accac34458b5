"""Accounts: registration rules, login and logout, profile, language, API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from quiz.accounts.models import ApiToken, User
from quiz.extensions import db
from tests.factories import PASSWORD, post_login

GOOD = {
    "username": "Sarnai_01",
    "password": PASSWORD,
    "display_name": "萨仁奈",
    "region_code": "150102",
    "language": "mn",
}


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _page_form(**changes) -> dict[str, str]:
    data = {**GOOD, "school_id": "", **changes}
    return {k: v for k, v in data.items() if v is not None}


def _translated(app, locale: str, msgid: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Registration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "ab"),
        ("username", "a" * 33),
        ("username", "has space"),
        ("username", "名字abc"),
        ("username", "semi;colon"),
        ("username", ""),
        ("password", "seven77"),
        ("password", ""),
        ("display_name", ""),
        ("display_name", "   "),
        ("display_name", "长" * 33),
        ("region_code", "150100"),  # a 盟市 (league), not a county
        ("region_code", "999999"),
        ("region_code", ""),
        ("language", "en"),
        ("language", "mn-Mong"),
    ],
)
def test_api_registration_rules(client, field, value):
    response = client.post("/api/v1/auth/register", json={**GOOD, field: value})
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert all(isinstance(m, str) and m for m in error["fields"][field])
    assert _users() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "abc"},
        {"username": "a" * 32},
        {"username": "a.b-c_9"},
        {"password": "x7#kq2Lm"},  # exactly 8 characters, not a common one
        {"display_name": "巴特尔 Bat"},
        {"region_code": "152921", "language": "zh"},  # 阿拉善左旗
    ],
)
def test_api_registration_accepts_the_edges(client, changes):
    response = client.post("/api/v1/auth/register", json={**GOOD, **changes})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["username"] == changes.get("username", GOOD["username"])
    assert body["region"]["code"] == changes.get("region_code", "150102")
    assert body["roles"] == ["participant"]
    assert "password" not in str(body) and "scrypt" not in str(body)


def test_api_registration_reports_every_bad_field_at_once(client):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "username": "x",
            "password": "short",
            "display_name": "",
            "region_code": "150100",
            "language": "en",
        },
    )
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"username", "password", "display_name", "region_code", "language"}


def test_api_registration_refuses_non_json_and_wrong_types(client):
    response = client.post("/api/v1/auth/register", data="username=bat")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"
    response = client.post("/api/v1/auth/register", json={**GOOD, "username": 12345})
    assert response.status_code == 422
    assert "username" in response.json["error"]["fields"]
    assert _users() == 0


def test_usernames_are_unique_ignoring_case_in_api_and_pages(client, make):
    make.user("Bat")
    response = client.post("/api/v1/auth/register", json={**GOOD, "username": "bAT"})
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["username"]
    page = client.post("/register", data=_page_form(username="BAT"))
    assert page.status_code == 422
    assert 'id="username-errors"' in page.get_data(as_text=True)
    assert _users() == 1
    # The stored spelling is kept for display; login is case-insensitive.
    assert post_login(client, "bat").status_code == 302


def test_page_registration_logs_in_and_keeps_choices(client):
    page = client.get("/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Counties are grouped under their 盟市; 盟市 themselves cannot be chosen.
    assert '<optgroup label="呼和浩特市">' in html
    assert '<option value="150102">新城区</option>' in html
    assert 'value="150100"' not in html
    response = client.post("/register", data=_page_form())
    assert response.status_code == 302 and response.location == "/"
    user = db.session.scalar(select(User))
    assert (user.username, user.display_name, user.region_code, user.language) == (
        "Sarnai_01",
        "萨仁奈",
        "150102",
        "mn",
    )
    assert user.roles == {"participant"}
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "ab"},
        {"password": "short"},
        {"display_name": ""},
        {"region_code": "150100"},
        {"language": "en"},
    ],
)
def test_page_registration_refuses_bad_fields(client, changes):
    response = client.post("/register", data=_page_form(**changes))
    assert response.status_code == 422
    field = next(iter(changes))
    assert f'id="{field}-errors"' in response.get_data(as_text=True)
    assert _users() == 0
    assert client.get("/profile").status_code == 302  # not logged in


def test_passwords_are_stored_hashed(make):
    user = make.user("hashme")
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, PASSWORD)
    other = make.user("hashme2")
    assert other.password_hash != user.password_hash  # salted


# Login and logout --------------------------------------------------------------------


def test_login_and_logout(client, make):
    make.user("nara")
    response = post_login(client, "NARA")
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/profile").status_code == 200
    assert client.get("/logout").status_code == 405  # a link cannot log anyone out
    assert client.get("/profile").status_code == 200
    response = client.post("/logout", data={})
    assert response.status_code == 302
    response = client.get("/profile")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_wrong_password_is_401_with_a_message(app, client, make):
    make.user("nara")
    message = _translated(app, "zh_Hans_CN", "Wrong username or password.")
    for username, password in (("nara", "wrong-password"), ("nobody", PASSWORD)):
        response = post_login(client, username, password)
        assert response.status_code == 401
        assert message in response.get_data(as_text=True)
        assert client.get("/profile").status_code == 302


def test_login_session_ends_when_the_session_version_changes(client, make):
    user = make.user("nara")
    post_login(client, "nara")
    assert client.get("/profile").status_code == 200
    user.session_version += 1
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_inactive_accounts_cannot_log_in(client, make):
    user = make.user("nara")
    user.is_active_account = False
    db.session.commit()
    assert post_login(client, "nara").status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": "nara", "password": PASSWORD})
    assert response.status_code == 400


def _stays_on_site(location: str) -> bool:
    """Would a browser keep this redirect on our host? (Browsers read ``\\`` as ``/``.)"""
    from urllib.parse import urlsplit

    normalized = location.replace("\\", "/")
    parts = urlsplit(normalized)
    return normalized.startswith("/") and not parts.scheme and not parts.netloc


@pytest.mark.parametrize(
    "target", ["/profile", "/contests/1?tab=rounds", "/rounds/1/leaderboard?league=2"]
)
def test_login_next_goes_to_local_paths(client, make, target):
    from urllib.parse import quote

    make.user("nara")
    response = post_login(client, "nara", next_=quote(target, safe=""))
    assert response.status_code == 302 and response.location == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/profile",
        "https://evil.example",
        "https://evil.example/profile",
        "http:evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "profile",
    ],
)
def test_login_next_never_leaves_the_site(client, make, target):
    from urllib.parse import quote

    make.user("nara")
    response = post_login(client, "nara", next_=quote(target, safe=""))
    assert response.status_code == 302
    assert _stays_on_site(response.location), response.location
    if not target.startswith("/"):
        assert response.location == "/"


def test_login_page_link_from_a_protected_page_comes_back(client, make):
    make.user("nara")
    response = client.get("/profile")
    assert response.status_code == 302
    login_url = response.location
    assert login_url.startswith("/login?next=")
    response = client.post(login_url, data={"username": "nara", "password": PASSWORD})
    assert response.location == "/profile"


# Profile and language ----------------------------------------------------------------


def test_profile_update(client, make):
    user = make.user("nara", language="zh")
    post_login(client, "nara")
    response = client.post(
        "/profile",
        data={
            "display_name": "  娜拉  ",
            "region_code": "150203",
            "school_id": "",
            "language": "mn",
        },
    )
    assert response.status_code == 302 and response.location == "/profile"
    assert "lang=mn" in response.headers["Set-Cookie"]
    db.session.refresh(user)
    assert (user.display_name, user.region_code, user.language) == ("娜拉", "150203", "mn")
    html = client.get("/profile").get_data(as_text=True)
    assert '<html lang="mn-Mong-CN">' in html

    response = client.post(
        "/profile",
        data={"display_name": "", "region_code": "150200", "school_id": "", "language": "zh"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="display_name-errors"' in html and 'id="region_code-errors"' in html
    db.session.refresh(user)
    assert (user.display_name, user.region_code, user.language) == ("娜拉", "150203", "mn")


def test_language_switch_sets_cookie_and_account(client, make):
    user = make.user("nara", language="zh")
    post_login(client, "nara")
    assert '<html lang="zh-Hans-CN">' in client.get("/").get_data(as_text=True)
    response = client.post("/language/mn", data={"next": "/profile"})
    assert response.status_code == 302 and response.location == "/profile"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=mn;") and "HttpOnly" in cookie
    db.session.refresh(user)
    assert user.language == "mn"
    assert '<html lang="mn-Mong-CN">' in client.get("/").get_data(as_text=True)
    assert client.get("/language/zh").status_code == 405
    assert client.post("/language/en", data={}).status_code == 400
    response = client.post("/language/zh", data={"next": "https://evil.example"})
    assert response.location == "/"


def test_language_switch_for_visitors_uses_the_cookie(client):
    assert '<html lang="zh-Hans-CN">' in client.get("/").get_data(as_text=True)
    response = client.post("/language/mn", data={})
    assert response.status_code == 302
    assert '<html lang="mn-Mong-CN">' in client.get("/").get_data(as_text=True)
    assert _users() == 0


def test_browser_language_is_the_default_for_visitors(client):
    html = client.get("/", headers={"Accept-Language": "mn-CN,mn;q=0.9"}).get_data(as_text=True)
    assert '<html lang="mn-Mong-CN">' in html
    html = client.get("/", headers={"Accept-Language": "en-US,zh-CN;q=0.5"}).get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in html


# API tokens --------------------------------------------------------------------------


def _token(client, username: str = "nara") -> tuple[dict[str, str], str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}, response.json["expires_at"]


def test_token_for_wrong_credentials_is_400_invalid_credentials(client, make):
    make.user("nara")
    for body in (
        {"username": "nara", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "nara"},
    ):
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 400
        assert response.json["error"]["code"] == "invalid_credentials"
        assert response.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_tokens_are_stored_hashed_and_expire(app, client, clock, make):
    make.user("nara")
    headers, expires_at = _token(client)
    days = app.config["QUIZ_TOKEN_DAYS"]
    assert expires_at == (clock() + timedelta(days=days)).isoformat(timespec="milliseconds") + "Z"
    token = headers["Authorization"].split()[1]
    row = db.session.scalar(select(ApiToken))
    assert token not in row.token_hash and len(row.token_hash) == 64

    assert client.get("/api/v1/me", headers=headers).json["username"] == "nara"
    clock.advance(days=days, seconds=-1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(seconds=1)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"]


def test_revoked_and_unknown_tokens_are_401(client, make):
    make.user("nara")
    headers, _ = _token(client)
    row = db.session.scalar(select(ApiToken))
    row.revoked = True
    db.session.commit()
    for auth in (headers, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer "}):
        response = client.get("/api/v1/me", headers=auth)
        assert response.status_code == 401
        assert set(response.json["error"]) >= {"code", "message"}


def test_tokens_belong_to_their_user(client, make):
    make.user("nara")
    make.user("bat")
    nara, _ = _token(client, "nara")
    bat, _ = _token(client, "bat")
    assert client.get("/api/v1/me", headers=nara).json["username"] == "nara"
    assert client.get("/api/v1/me", headers=bat).json["username"] == "bat"
    assert client.get("/api/v1/me").status_code == 401


# Localized errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "locale"),
    [("mn-CN", "mn_Mong_CN"), ("mn-Mong-CN,zh;q=0.5", "mn_Mong_CN"), ("zh-CN", "zh_Hans_CN")],
)
def test_api_errors_come_in_the_callers_language(app, client, make, header, locale):
    make.user("nara")
    response = client.post(
        "/api/v1/auth/token",
        json={"username": "nara", "password": "wrong-password"},
        headers={"Accept-Language": header},
    )
    assert response.status_code == 400
    error = response.json["error"]
    assert set(error) == {"code", "message"} and error["code"] == "invalid_credentials"
    msgid = "Wrong username or password."
    expected = _translated(app, locale, msgid)
    assert error["message"] == expected
    if expected != msgid:  # the catalog has a translation: it is in the right script
        if locale == "zh_Hans_CN":
            assert _has_cjk(error["message"])
        else:
            assert any("\u1820" <= ch <= "\u18aa" for ch in error["message"])


def test_api_errors_follow_the_users_language_without_a_header(app, client, make):
    make.user("nara", language="mn")
    headers, _ = _token(client)
    response = client.get("/api/v1/attempts/999", headers=headers)
    assert response.status_code == 404
    error = response.json["error"]
    assert error["code"] == "attempt_not_found"
    assert error["message"] == _translated(app, "mn_Mong_CN", "This attempt does not exist.")
    zh = client.get("/api/v1/attempts/999", headers={**headers, "Accept-Language": "zh-CN"})
    assert zh.json["error"]["message"] == _translated(
        app, "zh_Hans_CN", "This attempt does not exist."
    )


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_registration_preselects_no_region(app, client, language):
    """A careless user must not join the first county's league by not choosing."""
    client.set_cookie("lang", language)
    html = client.get("/register").get_data(as_text=True)
    if language == "zh":
        select_html = html.split('<select id="region_code"', 1)[1].split("</select>", 1)[0]
        assert " required" in select_html.split(">", 1)[0]
        placeholder = _translated(app, "zh_Hans_CN", "Choose…")
        # The placeholder comes first and nothing is selected: the browser shows it.
        assert select_html.split(">", 1)[1].startswith(f'<option value="">{placeholder}</option>')
        assert "selected" not in select_html
    else:  # radios per league: none checked, no empty one
        fieldset = html.split('<fieldset class="field grouped-choice"', 1)[1].split("</fieldset>")[
            0
        ]
        assert 'name="region_code"' in fieldset
        assert "checked" not in fieldset and 'value=""' not in fieldset
    response = client.post("/register", data=_page_form(region_code=None, language=language))
    assert response.status_code == 422
    locale = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}[language]
    message = _translated(app, locale, "Choose your banner, county or district.")
    assert message != "Choose your banner, county or district."  # in the catalog
    errors = response.get_data(as_text=True).split('id="region_code-errors">', 1)[1]
    assert f"<li>{message}</li>" in errors.split("</ul>", 1)[0]
    response = client.post("/register", data=_page_form(region_code=""))
    assert response.status_code == 422 and _users() == 0
