"""Getting back in and staying in control: the profile lists the person's browser sessions
and apps (bearer tokens) and ends them; the API lists and revokes tokens; teachers can
turn on two-factor login and an admin can require it of a role."""

from __future__ import annotations

import re

from sqlalchemy import select

from quiz.accounts import two_factor
from quiz.accounts.models import ApiToken, LoginSession, Role
from quiz.admin import services as admin
from quiz.edge.client import Actor
from quiz.extensions import db
from tests.factories import PASSWORD, issue_token, log_in
from tests.security.test_two_factor import _enrol


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _token(client, username: str, agent: str = "QuizApp/2.0 (Android)") -> str:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.json
    return response.json["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_profile_lists_sessions_and_one_can_be_ended(app, client, make):
    make.user("nara")
    laptop, phone = client, app.test_client()
    log_in(laptop, "nara", agent="Firefox/128")
    log_in(phone, "nara", agent="MobileSafari/17")
    html = laptop.get("/profile").get_data(as_text=True)
    assert "Firefox/128" in html and "MobileSafari/17" in html
    assert html.count('action="/account/sessions/') == 3  # two sessions, "everywhere else"
    phone_row = db.session.scalar(
        select(LoginSession).where(LoginSession.client == "MobileSafari/17")
    )
    # Ending the phone's session from the laptop: the phone is out, the laptop stays.
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert not _logged_in(phone) and _logged_in(laptop)
    assert "MobileSafari/17" not in laptop.get("/profile").get_data(as_text=True)
    # Another person's session id is "not found", and changes nothing.
    make.user("other")
    other = app.test_client()
    log_in(other, "other")
    other_row = db.session.scalar(
        select(LoginSession).where(LoginSession.user_id != phone_row.user_id)
    )
    assert laptop.post(f"/account/sessions/{other_row.id}/end").status_code == 404
    assert _logged_in(other)


def test_log_out_everywhere_else_keeps_this_browser(app, client, make):
    make.user("nara")
    others = [app.test_client() for _ in range(2)]
    for browser in others:
        log_in(browser, "nara")
    log_in(client, "nara")
    assert client.post("/account/sessions/end-others").status_code == 302
    assert _logged_in(client) and not any(_logged_in(b) for b in others)


def test_a_forged_cookie_without_the_session_key_does_not_log_in(client, make):
    user = make.user("nara")
    log_in(client, "nara")
    with client.session_transaction() as session:
        session.pop("sid")
    assert not _logged_in(client)
    log_in(client, "nara")
    with client.session_transaction() as session:
        session["sid"] = "guessed"
    assert not _logged_in(client)
    assert user.session_version == 1  # nothing else had to change


def test_apps_are_listed_and_revoked_on_the_profile_and_in_the_api(app, client, make, clock):
    make.user("nara")
    phone = _token(client, "nara", "QuizApp/2.0 (Android)")
    tablet = _token(client, "nara", "QuizApp/2.0 (iPad)")
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(phone)).json["tokens"]
    assert [t["client"] for t in listed] == ["QuizApp/2.0 (iPad)", "QuizApp/2.0 (Android)"]
    assert [t["current"] for t in listed] == [False, True]
    assert "token" not in listed[0] and phone not in str(listed)

    # The profile page shows both apps; revoking the tablet there stops it at once.
    log_in(client, "nara")
    html = client.get("/profile").get_data(as_text=True)
    assert "QuizApp/2.0 (iPad)" in html and "QuizApp/2.0 (Android)" in html
    tablet_id = listed[0]["id"]
    assert client.post(f"/account/tokens/{tablet_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=_bearer(tablet)).status_code == 401
    assert client.post(f"/account/tokens/{tablet_id}/revoke").status_code == 404

    # DELETE /auth/token logs the calling app out; another account's token id is 404.
    make.user("other")
    others = _token(client, "other")
    others_id = db.session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
    response = client.delete(f"/api/v1/auth/tokens/{others_id}", headers=_bearer(phone))
    assert response.status_code == 404 and response.json["error"]["code"] == "token_not_found"
    assert client.get("/api/v1/me", headers=_bearer(others)).status_code == 200
    response = client.delete("/api/v1/auth/token", headers=_bearer(phone))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(phone)).status_code == 401
    # With a browser session (no bearer token) there is no "current token" to revoke.
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 400 and response.json["error"]["code"] == "no_bearer_token"


def test_revoking_one_token_by_id_in_the_api(client, make):
    make.user("nara")
    phone = _token(client, "nara", "A")
    tablet = _token(client, "nara", "B")
    tablet_id = db.session.scalar(select(ApiToken.id).where(ApiToken.client == "B"))
    response = client.delete(f"/api/v1/auth/tokens/{tablet_id}", headers=_bearer(phone))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(tablet)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(phone)).status_code == 200


def test_profile_email_is_optional_and_validated(client, make):
    user = make.user("nara")
    log_in(client, "nara")
    form = {"display_name": "Nara", "region_code": "150102", "language": "zh", "school_id": ""}
    bad = client.post("/profile", data={**form, "email": "nara at home"})
    assert bad.status_code == 200 and 'id="email-errors"' in bad.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email is None and user.display_name == "nara"  # nothing saved
    assert client.post("/profile", data={**form, "email": " Nara@Example.ORG "}).status_code == 302
    db.session.refresh(user)
    assert user.email == "nara@example.org"
    assert client.post("/profile", data={**form, "email": ""}).status_code == 302
    db.session.refresh(user)
    assert user.email is None


def test_teachers_can_turn_on_two_factor_login(client, clock, make):
    teacher = make.user("teach", roles=(Role.TEACHER,))
    log_in(client, "teach")
    assert "/account/two-factor" in client.get("/profile").get_data(as_text=True)
    _enrol(client, clock)
    db.session.refresh(teacher)
    assert teacher.two_factor_enabled
    participant = make.user("kid")
    assert participant.two_factor_enabled is False
    kid = client.application.test_client()
    log_in(kid, "kid")
    assert kid.get("/account/two-factor").status_code == 403


def test_an_admin_can_require_two_factor_login_of_a_role(app, client, clock, make):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    teacher_user = make.user("teach", roles=(Role.TEACHER,))
    root = make.user("root", roles=(Role.ADMIN,))
    old_token, _ = issue_token(organizer, clock(), 30)
    teacher_token, _ = issue_token(teacher_user, clock(), 30)
    admin.set_two_factor_required_roles(
        ["organizer"], actor=Actor(root.id, "127.0.0.1"), now=clock()
    )
    db.session.commit()
    assert two_factor.required_roles() == ["organizer"]
    # The organizer's existing app tokens stop; the teacher's (not required) go on.
    assert client.get("/api/v1/me", headers=_bearer(old_token)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(teacher_token)).status_code == 200

    # The organizer's next login leads to the set-up page and nowhere else...
    log_in(client, "org")
    response = client.get("/console")
    assert response.status_code == 302 and response.location == "/account/two-factor"
    assert client.get("/api/v1/me").status_code == 403
    # ... and no API token until it is set up.
    response = client.post("/api/v1/auth/token", json={"username": "org", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "two_factor_setup_required"
    _enrol(client, clock)
    db.session.refresh(organizer)
    assert organizer.two_factor_enabled
    assert client.get("/console").status_code == 200
    # Teachers were not required: straight in.
    teacher = app.test_client()
    log_in(teacher, "teach")
    assert teacher.get("/schools").status_code == 200


def test_the_session_key_is_random_and_only_its_hash_is_stored(client, make):
    make.user("nara")
    log_in(client, "nara")
    with client.session_transaction() as session:
        key = session["sid"]
    assert len(key) >= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", key)
    row = db.session.scalar(select(LoginSession))
    assert row.key_hash != key and len(row.key_hash) == 64
