"""Two-factor login (TOTP) for teachers, organizers and admins: enrol, log in, recover, turn
off."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from quiz.accounts import two_factor
from quiz.accounts.models import RecoveryCode, Role
from quiz.extensions import db
from tests.factories import PASSWORD, post_login
from tests.security.scenario import check_security_headers, inline_code


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _enrol(client, clock) -> tuple[str, list[str]]:
    """Turn two-factor login on for the logged-in client; return the secret and codes."""
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    uri = re.search(r'href="(otpauth://totp/[^"]+)"', html).group(1).replace("&amp;", "&")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    shown = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', html).group(1)
    assert shown.replace(" ", "") == secret  # the same key as text, for typing it in
    response = client.post(
        "/account/two-factor/enable",
        data={"password": PASSWORD, "code": two_factor.code_at(secret, clock())},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([A-Z0-9-]{19})</code>", response.get_data(as_text=True))
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    return secret, codes


@pytest.fixture
def organizer(make):
    return make.user("org", roles=(Role.ORGANIZER,))


def test_enrolment_shows_a_secret_and_needs_a_code_and_the_password(client, clock, organizer):
    post_login(client, "org")
    page = client.get("/account/two-factor")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "otpauth://totp/" in html and "issuer=" in html
    assert check_security_headers(page) == [] and inline_code(html) == []
    uri = re.search(r'href="(otpauth://totp/[^"]+)"', html).group(1).replace("&amp;", "&")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    assert len(secret) >= 32  # 160 bits
    # The secret on offer stays the same across reloads until it is confirmed.
    assert secret in client.get("/account/two-factor").get_data(as_text=True).replace(" ", "")

    wrong_code = client.post(
        "/account/two-factor/enable", data={"password": PASSWORD, "code": "000000"}
    )
    assert wrong_code.status_code == 422 and 'id="code-errors"' in wrong_code.get_data(as_text=True)
    wrong_password = client.post(
        "/account/two-factor/enable",
        data={"password": "not-my-password", "code": two_factor.code_at(secret, clock())},
    )
    assert wrong_password.status_code == 422
    assert 'id="password-errors"' in wrong_password.get_data(as_text=True)
    db.session.refresh(organizer)
    assert not organizer.two_factor_enabled


def test_login_asks_for_the_code_once_two_factor_is_on(app, client, clock, organizer):
    post_login(client, "org")
    secret, _codes = _enrol(client, clock)
    db.session.refresh(organizer)
    assert organizer.two_factor_enabled
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and all(len(h) == 64 for h in stored)  # hashes, not codes

    browser = app.test_client()
    response = post_login(browser, "org", next_="/profile")
    assert response.status_code == 302 and response.location == "/login/two-factor"
    assert not _logged_in(browser)  # the password alone is not a login
    step = browser.get("/login/two-factor")
    assert step.status_code == 200 and inline_code(step.get_data(as_text=True)) == []
    clock.advance(seconds=31)  # a new time step: the enrolment code is used up
    assert browser.post("/login/two-factor", data={"code": "123456"}).status_code == 401
    assert not _logged_in(browser)
    code = two_factor.code_at(secret, clock())
    response = browser.post("/login/two-factor", data={"code": code})
    assert response.status_code == 302 and response.location == "/profile"
    assert _logged_in(browser)

    # The same code cannot be used again (someone who saw it over a shoulder).
    again = app.test_client()
    post_login(again, "org")
    assert again.post("/login/two-factor", data={"code": code}).status_code == 401
    # The next step's code works (clock drift of one step is allowed).
    next_code = two_factor.code_at(secret, clock() + timedelta(seconds=30))
    assert again.post("/login/two-factor", data={"code": next_code}).status_code == 302


def test_enabling_ends_other_sessions(app, client, clock, organizer):
    elsewhere = app.test_client()
    post_login(elsewhere, "org")
    post_login(client, "org")
    _enrol(client, clock)
    assert _logged_in(client)
    assert not _logged_in(elsewhere)


def test_recovery_codes_work_once(app, client, clock, organizer):
    post_login(client, "org")
    _secret, codes = _enrol(client, clock)
    browser = app.test_client()
    post_login(browser, "org")
    response = browser.post("/login/two-factor", data={"code": codes[0].lower().replace("-", " ")})
    assert response.status_code == 302 and _logged_in(browser)
    reuse = app.test_client()
    post_login(reuse, "org")
    assert reuse.post("/login/two-factor", data={"code": codes[0]}).status_code == 401
    assert reuse.post("/login/two-factor", data={"code": codes[1]}).status_code == 302
    db.session.refresh(organizer)
    assert two_factor.unused_recovery_codes(organizer) == 8


def test_the_code_step_expires_and_cannot_be_skipped(app, client, clock, organizer):
    post_login(client, "org")
    secret, _ = _enrol(client, clock)
    browser = app.test_client()
    post_login(browser, "org")
    for path in ("/profile", "/account/two-factor", "/account/password"):
        response = browser.get(path)
        assert response.status_code == 302 and response.location.startswith("/login")
    # Five minutes after the password, the half-done login is over.
    clock.advance(minutes=5, seconds=31)
    response = browser.post("/login/two-factor", data={"code": two_factor.code_at(secret, clock())})
    assert response.status_code == 302 and response.location == "/login"
    assert not _logged_in(browser)


def test_a_password_change_during_the_code_step_cancels_it(app, client, clock, organizer):
    post_login(client, "org")
    secret, _ = _enrol(client, clock)
    browser = app.test_client()
    post_login(browser, "org")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Another-steppe-9",
            "confirm_password": "Another-steppe-9",
        },
    )
    assert response.status_code == 302
    clock.advance(seconds=30)
    code = two_factor.code_at(secret, clock())
    assert browser.post("/login/two-factor", data={"code": code}).location == "/login"


def test_next_is_kept_through_the_code_step_but_only_if_local(app, client, clock, organizer):
    post_login(client, "org")
    secret, _ = _enrol(client, clock)
    for target, expected in (("/profile", "/profile"), ("https://evil.example/", "/")):
        clock.advance(seconds=30)
        browser = app.test_client()
        post_login(browser, "org", next_=target)
        response = browser.post(
            "/login/two-factor", data={"code": two_factor.code_at(secret, clock())}
        )
        assert response.location == expected


def test_api_tokens_need_more_than_the_password(client, clock, organizer):
    post_login(client, "org")
    _enrol(client, clock)
    response = client.post("/api/v1/auth/token", json={"username": "org", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "two_factor_required"
    assert response.json["error"]["message"]
    wrong = client.post("/api/v1/auth/token", json={"username": "org", "password": "nope-nope"})
    assert wrong.json["error"]["code"] == "invalid_credentials"


def test_api_tokens_for_two_factor_accounts_take_the_code_as_otp(client, clock, organizer):
    post_login(client, "org")
    secret, codes = _enrol(client, clock)
    clock.advance(seconds=30)
    url = "/api/v1/auth/token"
    code = two_factor.code_at(secret, clock())
    # A wrong password with a right code: the password is checked first.
    wrong_pw = client.post(url, json={"username": "org", "password": "nope-nope", "otp": code})
    assert wrong_pw.json["error"]["code"] == "invalid_credentials"
    bad = client.post(url, json={"username": "org", "password": PASSWORD, "otp": "000000"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "invalid_otp"
    assert bad.json["error"]["message"]
    good = client.post(url, json={"username": "org", "password": PASSWORD, "otp": code})
    assert good.status_code == 200, good.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good.json['token']}"})
    assert me.status_code == 200 and me.json["username"] == "org"
    # The same code again (a replay) is refused; a recovery code works once.
    again = client.post(url, json={"username": "org", "password": PASSWORD, "otp": code})
    assert again.json["error"]["code"] == "invalid_otp"
    recovery = {"username": "org", "password": PASSWORD, "otp": codes[0]}
    assert client.post(url, json=recovery).status_code == 200
    assert client.post(url, json=recovery).json["error"]["code"] == "invalid_otp"
    not_text = client.post(url, json={"username": "org", "password": PASSWORD, "otp": 123456})
    assert not_text.status_code == 422


def test_turning_it_off_needs_the_password_and_a_code(app, client, clock, organizer):
    post_login(client, "org")
    secret, _ = _enrol(client, clock)
    clock.advance(seconds=30)
    code = two_factor.code_at(secret, clock())
    refused = client.post(
        "/account/two-factor/disable", data={"password": "wrong-one", "code": code}
    )
    assert refused.status_code == 422
    refused = client.post(
        "/account/two-factor/disable", data={"password": PASSWORD, "code": "000000"}
    )
    assert refused.status_code == 422
    db.session.refresh(organizer)
    assert organizer.two_factor_enabled
    response = client.post("/account/two-factor/disable", data={"password": PASSWORD, "code": code})
    assert response.status_code == 302
    db.session.refresh(organizer)
    assert not organizer.two_factor_enabled and organizer.totp_secret is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert _logged_in(client)
    assert post_login(app.test_client(), "org").location == "/"  # password alone again


def test_participants_are_not_offered_it(client, make):
    """Staff only: teachers (issue 13), organizers and admins."""
    make.user("someone", roles=(Role.PARTICIPANT,))
    post_login(client, "someone")
    assert client.get("/account/two-factor").status_code == 403
    assert "/account/two-factor" not in client.get("/profile").get_data(as_text=True)


def test_admins_can_enrol(client, clock, make):
    make.user("root", roles=(Role.ADMIN,))
    post_login(client, "root")
    assert "/account/two-factor" in client.get("/profile").get_data(as_text=True)
    _enrol(client, clock)


def test_codes_are_accepted_one_step_either_side_only(clock):
    secret = two_factor.new_secret()
    now = clock()
    for seconds, accepted in ((-90, False), (-30, True), (0, True), (30, True), (90, False)):
        code = two_factor.code_at(secret, now + timedelta(seconds=seconds))
        assert (two_factor._matching_step(secret, code, now, None) is not None) is accepted
