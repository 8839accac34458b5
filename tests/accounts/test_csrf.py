"""CSRF: every state-changing browser request needs a token; bearer API clients don't."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from quiz.accounts.models import User
from quiz.contests.models import Enrollment
from quiz.extensions import db
from quiz.play import services
from quiz.play.models import Answer, Attempt
from tests.factories import PASSWORD


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _csrf(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _refused(response) -> None:
    assert response.status_code == 400, response.status_code
    if response.is_json:
        assert response.json["error"]["code"] == "csrf_failed"
    else:
        with force_locale("zh_Hans_CN"):
            message = gettext("Your form expired. Please reload the page and try again.")
        assert message in response.get_data(as_text=True)


def _login(client, username: str) -> None:
    token = _csrf(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_login_and_register_need_a_token(client, make):
    make.user("nara")
    _refused(client.post("/login", data={"username": "nara", "password": PASSWORD}))
    _refused(
        client.post(
            "/login", data={"username": "nara", "password": PASSWORD, "csrf_token": "forged"}
        )
    )
    assert not _logged_in(client)
    form = {
        "username": "newcomer",
        "password": PASSWORD,
        "display_name": "新人",
        "region_code": "150102",
        "school_id": "",
        "language": "zh",
    }
    _refused(client.post("/register", data=form))
    assert _count(User) == 1
    assert not _logged_in(client)

    # The same forms with the page's token go through.
    token = _csrf(client, "/register")
    assert client.post("/register", data={**form, "csrf_token": token}).status_code == 302
    assert _count(User) == 2 and _logged_in(client)


def test_logout_needs_a_token(client, make):
    make.user("nara")
    _login(client, "nara")
    _refused(client.post("/logout", data={}))
    assert _logged_in(client)
    token = _csrf(client, "/profile")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _logged_in(client)


def test_enroll_and_start_need_a_token(client, make):
    contest, round_ = make.setup()
    make.user("nara")
    _login(client, "nara")
    _refused(client.post(f"/contests/{contest.id}/enroll", data={}))
    assert _count(Enrollment) == 0
    token = _csrf(client, f"/contests/{contest.id}")
    response = client.post(f"/contests/{contest.id}/enroll", data={"csrf_token": token})
    assert response.status_code == 302 and _count(Enrollment) == 1

    start = {f"r{round_.id}-language": "zh"}
    _refused(client.post(f"/rounds/{round_.id}/start", data=start))
    assert _count(Attempt) == 0
    token = _csrf(client, f"/contests/{contest.id}")
    response = client.post(f"/rounds/{round_.id}/start", data={**start, "csrf_token": token})
    assert response.status_code == 302 and _count(Attempt) == 1


def test_cookie_session_api_writes_need_a_token_bearer_ones_do_not(app, client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest, username="nara")
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    _login(client, "nara")
    url = f"/api/v1/attempts/{attempt.id}/answers/1"

    response = client.put(url, json={"choice": ["A"]})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    response = client.post(f"/api/v1/attempts/{attempt.id}/finish")
    assert response.status_code == 400
    assert _count(Answer) == 0
    db.session.refresh(attempt)
    assert attempt.finished_at is None

    token = _csrf(client, "/profile")
    response = client.put(url, json={"choice": ["A"]}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json
    assert _count(Answer) == 1

    bearer_client = app.test_client()
    issued = bearer_client.post(
        "/api/v1/auth/token", json={"username": "nara", "password": PASSWORD}
    )
    assert issued.status_code == 200  # anonymous endpoints need no token
    headers = {"Authorization": f"Bearer {issued.json['token']}"}
    response = bearer_client.put(
        f"/api/v1/attempts/{attempt.id}/answers/2", json={"choice": ["A"]}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert _count(Answer) == 2
    # A bearer header wins even when a session cookie rides along.
    response = client.put(
        f"/api/v1/attempts/{attempt.id}/answers/3", json={"choice": ["A"]}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert _count(Answer) == 3


def test_the_quiz_page_save_needs_a_token(client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest, username="nara")
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    _login(client, "nara")
    page = f"/attempts/{attempt.id}/q/1"
    _refused(client.post(page, data={"choice": ["A"]}))
    _refused(client.post(page, data={"choice": ["A"]}, headers={"X-Requested-With": "fetch"}))
    _refused(client.post(f"/attempts/{attempt.id}/finish", data={}))
    assert _count(Answer) == 0
    token = _csrf(client, page)
    response = client.post(
        page, data={"choice": ["A"], "csrf_token": token}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200 and response.json["saved"] is True
