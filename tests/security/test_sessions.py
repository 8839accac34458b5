"""Sessions: cookie flags, a new session at login, logout and password change end the
other sessions, idle and absolute timeouts by the app's clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from quiz.accounts.models import ApiToken
from quiz.extensions import db
from tests.factories import PASSWORD, post_login

NEW_PASSWORD = "Steppe-wind-2026"


def _logged_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app, value: str) -> Any:
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


# Cookie flags ---------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    make.user("nara")
    response = post_login(client, "nara")
    (cookie,) = _set_cookie_headers(response, "session")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Not Secure outside production (a laptop serves plain http)...
    assert "Secure" not in cookie


class TestProduction:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"QUIZ_ENV": "production"}

    def test_cookies_are_secure_and_hsts_is_sent(self, app, client, make):
        assert app.config["SESSION_COOKIE_SECURE"] is True
        make.user("nara")
        response = client.post(
            "/login",
            data={"username": "nara", "password": PASSWORD},
            base_url="https://localhost",
        )
        assert response.status_code == 302
        (cookie,) = _set_cookie_headers(response, "session")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        response = client.post("/language/mn", data={}, base_url="https://localhost")
        (cookie,) = _set_cookie_headers(response, "lang")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


class TestDevelopmentKey:
    """`make run` (QUIZ_ENV=development, no QUIZ_SECRET_KEY) used to sign sessions with a
    key in the source: a cookie signed with it logged in as anyone, admin included."""

    OLD_KEY = "development-only-insecure-key"

    @pytest.fixture
    def config_overrides(self, tmp_path) -> dict[str, Any]:
        return {
            "QUIZ_ENV": "development",
            "SECRET_KEY": None,
            "QUIZ_INSTANCE_PATH": str(tmp_path / "instance"),
        }

    def test_a_cookie_forged_with_the_old_key_is_refused(self, app, client, make):
        make.user("boss")
        assert post_login(client, "boss").status_code == 302
        assert _logged_in(client)
        # What the session holds, signed again with the key from the source.
        real = app.session_interface.get_signing_serializer(app)
        payload = real.loads(_session_cookie(client))
        forger = Flask("forger")
        forger.secret_key = self.OLD_KEY
        forged = app.session_interface.get_signing_serializer(forger).dumps(payload)
        assert not _logged_in(_with_cookie(app, forged))
        # ...while the same payload signed with the instance's key is a real session.
        assert _logged_in(_with_cookie(app, real.dumps(payload)))
        key_file = Path(app.instance_path) / "secret_key"
        assert key_file.read_text().strip() == app.config["SECRET_KEY"] != self.OLD_KEY


# A new session at login ------------------------------------------------------------------


def test_login_starts_a_new_session_and_the_old_cookie_stays_anonymous(app, client, make):
    make.user("nara")
    # An attacker plants a session (fixation) before the victim logs in.
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    planted = _session_cookie(client)
    response = post_login(client, "nara")
    assert response.status_code == 302
    after = _session_cookie(client)
    assert after != planted
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session and isinstance(session["auth_at"], int)
    assert _logged_in(client)
    # The pre-login cookie does not authenticate, in the attacker's browser or anywhere.
    assert not _logged_in(_with_cookie(app, planted))


def test_register_starts_a_new_session_too(client):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    response = client.post(
        "/register",
        data={
            "username": "newcomer",
            "password": NEW_PASSWORD,
            "display_name": "新人",
            "region_code": "150102",
            "school_id": "",
            "language": "zh",
        },
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


# Logout and password change end the other sessions -----------------------------------------


def test_logout_ends_every_session_of_the_user(app, client, make):
    make.user("nara")
    make.user("bat")
    phone, laptop, someone_else = app.test_client(), app.test_client(), app.test_client()
    for browser in (phone, laptop):
        assert post_login(browser, "nara").status_code == 302
    assert post_login(someone_else, "bat").status_code == 302
    stolen = _session_cookie(laptop)
    assert phone.post("/logout", data={}).status_code == 302
    assert not _logged_in(phone)
    assert not _logged_in(laptop)
    assert not _logged_in(_with_cookie(app, stolen))  # a copied cookie is dead too
    assert _logged_in(someone_else)  # other people are untouched
    assert post_login(laptop, "nara").status_code == 302 and _logged_in(laptop)


def test_password_change_keeps_this_session_and_ends_all_others(app, client, make):
    user = make.user("nara")
    other_browser = app.test_client()
    assert post_login(client, "nara").status_code == 302
    assert post_login(other_browser, "nara").status_code == 302
    token = client.post("/api/v1/auth/token", json={"username": "nara", "password": PASSWORD}).json[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    page = client.get("/account/password")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location == "/profile"
    assert _logged_in(client)
    assert not _logged_in(other_browser)
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked)) is True
    assert db.session.get(type(user), user.id).password_changed_at is not None
    # The old password is gone, the new one works.
    assert post_login(app.test_client(), "nara").status_code == 401
    assert post_login(app.test_client(), "nara", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"current_password": "wrong-password"}, "current_password"),
        ({"new_password": "password123", "confirm_password": "password123"}, "new_password"),
        ({"new_password": "Nara_Steppe", "confirm_password": "Nara_Steppe"}, "new_password"),
        ({"new_password": "eppets_aran", "confirm_password": "eppets_aran"}, "new_password"),
        ({"new_password": "short", "confirm_password": "short"}, "new_password"),
        ({"new_password": PASSWORD, "confirm_password": PASSWORD}, "new_password"),
        ({"confirm_password": "something-else"}, "confirm_password"),
    ],
)
def test_password_change_rules(app, client, make, form, field):
    make.user("nara_steppe")
    other_browser = app.test_client()
    assert post_login(client, "nara_steppe").status_code == 302
    assert post_login(other_browser, "nara_steppe").status_code == 302
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
        **form,
    }
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.get_data(as_text=True)
    # Nothing changed: both sessions live, the old password still works.
    assert _logged_in(client) and _logged_in(other_browser)
    assert post_login(app.test_client(), "nara_steppe").status_code == 302


def test_password_equal_to_the_username_ignoring_case_is_refused(app, client, make):
    make.user("steppe_wind")
    post_login(client, "steppe_wind")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Steppe_Wind",
            "confirm_password": "Steppe_Wind",
        },
    )
    assert response.status_code == 422
    with force_locale("zh_Hans_CN"):
        message = gettext("The password must not be your username.")
    assert message in response.get_data(as_text=True)


# Idle and absolute timeouts ------------------------------------------------------------------


def test_idle_timeout_logs_out_after_two_hours_without_a_request(app, client, clock, make):
    assert app.config["QUIZ_SESSION_IDLE_MINUTES"] == 120
    make.user("nara")
    post_login(client, "nara")
    for _ in range(3):  # active: each request within the idle window keeps it alive
        clock.advance(minutes=110)
        assert _logged_in(client)
    clock.advance(minutes=120, seconds=1)
    response = client.get("/profile")
    assert response.status_code == 302 and response.location.startswith("/login")
    page = client.get(response.location).get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        assert gettext("Your session has expired. Please log in again.") in page
    assert not _logged_in(client)


def test_absolute_timeout_logs_out_after_twelve_hours_however_active(app, client, clock, make):
    assert app.config["QUIZ_SESSION_MAX_HOURS"] == 12
    make.user("nara")
    post_login(client, "nara")
    for _ in range(7):
        clock.advance(minutes=100)
        assert _logged_in(client)
    clock.advance(minutes=12 * 60 - 700)
    assert _logged_in(client)  # exactly 12 hours: still in
    clock.advance(seconds=1)
    assert not _logged_in(client)


def test_expired_session_answers_401_to_the_api(client, clock, make):
    make.user("nara")
    post_login(client, "nara")
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(hours=3)
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


class TestConfiguredTimeouts:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"QUIZ_SESSION_IDLE_MINUTES": 5, "QUIZ_SESSION_MAX_HOURS": 1}

    def test_the_settings_are_used(self, client, clock, make):
        make.user("nara")
        post_login(client, "nara")
        clock.advance(minutes=4)
        assert _logged_in(client)
        clock.advance(minutes=5, seconds=1)
        assert not _logged_in(client)
        post_login(client, "nara")
        for _ in range(15):
            clock.advance(minutes=4)
            assert _logged_in(client)
        clock.advance(minutes=1)
        assert not _logged_in(client)  # 61 minutes after login


def test_a_session_without_login_time_is_not_accepted(client, make):
    """A cookie signed before timeouts existed (or forged without them) must log in again."""
    user = make.user("nara")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    assert not _logged_in(client)


def test_bearer_tokens_do_not_depend_on_the_session_clock(client, clock, make):
    make.user("nara")
    token = client.post("/api/v1/auth/token", json={"username": "nara", "password": PASSWORD}).json[
        "token"
    ]
    clock.advance(hours=13)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_bearer_header_outranks_the_session_cookie(app, client, make, clock) -> None:
    """With both, the request is the token's: a cookie session cannot skip the CSRF check
    by adding an Authorization header, and a wrong token is a 401 whatever the cookie."""
    from tests.factories import issue_token

    cookie_user = make.user("cookieuser")
    token_user = make.user("tokenuser")
    assert (
        client.post("/login", data={"username": "cookieuser", "password": PASSWORD}).status_code
        == 302
    )
    assert client.get("/api/v1/me").json["username"] == "cookieuser"
    token, _ = issue_token(token_user, clock(), 30)
    db.session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["username"] == "tokenuser"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert cookie_user.id != token_user.id
