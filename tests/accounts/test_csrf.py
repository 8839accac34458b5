"""CSRF: every state-changing browser request needs a token; bearer API clients don't."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from quiz.accounts.models import User
from quiz.contests.models import Enrollment
from quiz.extensions import db
from quiz.play import services
from quiz.play.models import Answer, Attempt
from tests.factories import PASSWORD, csrf_token, log_in


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _refused(response) -> None:
    assert response.status_code == 400, response.status_code
    if response.is_json:
        assert response.json["error"]["code"] == "csrf_failed"
    else:
        with force_locale("zh_Hans_CN"):
            message = gettext("Your form expired. Please reload the page and try again.")
        assert message in response.get_data(as_text=True)


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
    token = csrf_token(client, "/register")
    assert client.post("/register", data={**form, "csrf_token": token}).status_code == 302
    assert _count(User) == 2 and _logged_in(client)


def test_logout_needs_a_token(client, make):
    make.user("nara")
    log_in(client, "nara", with_csrf=True)
    _refused(client.post("/logout", data={}))
    assert _logged_in(client)
    token = csrf_token(client, "/profile")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _logged_in(client)


def test_enroll_and_start_need_a_token(client, make):
    contest, round_ = make.setup()
    make.user("nara")
    log_in(client, "nara", with_csrf=True)
    _refused(client.post(f"/contests/{contest.id}/enroll", data={}))
    assert _count(Enrollment) == 0
    token = csrf_token(client, f"/contests/{contest.id}")
    response = client.post(f"/contests/{contest.id}/enroll", data={"csrf_token": token})
    assert response.status_code == 302 and _count(Enrollment) == 1

    start = {f"r{round_.id}-language": "zh"}
    _refused(client.post(f"/rounds/{round_.id}/start", data=start))
    assert _count(Attempt) == 0
    token = csrf_token(client, f"/contests/{contest.id}")
    response = client.post(f"/rounds/{round_.id}/start", data={**start, "csrf_token": token})
    assert response.status_code == 302 and _count(Attempt) == 1


def test_cookie_session_api_writes_need_a_token_bearer_ones_do_not(app, client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest, username="nara")
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    log_in(client, "nara", with_csrf=True)
    url = f"/api/v1/attempts/{attempt.id}/answers/1"

    response = client.put(url, json={"choice": ["A"]})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    response = client.post(f"/api/v1/attempts/{attempt.id}/finish")
    assert response.status_code == 400
    assert _count(Answer) == 0
    db.session.refresh(attempt)
    assert attempt.finished_at is None

    token = csrf_token(client, "/profile")
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
    log_in(client, "nara", with_csrf=True)
    page = f"/attempts/{attempt.id}/q/1"
    _refused(client.post(page, data={"choice": ["A"]}))
    _refused(client.post(page, data={"choice": ["A"]}, headers={"X-Requested-With": "fetch"}))
    _refused(client.post(f"/attempts/{attempt.id}/finish", data={}))
    assert _count(Answer) == 0
    token = csrf_token(client, page)
    response = client.post(
        page, data={"choice": ["A"], "csrf_token": token}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200 and response.json["saved"] is True


# Every state-changing route, from the URL map -------------------------------------------

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# API calls without a session cookie carry no ambient credentials, so a forged
# cross-site request gains nothing: they need no token (docs/security.md). Anonymous, the
# public ones work and the rest answer 401; with a session cookie every one needs it.
ANONYMOUS_API_PUBLIC = {"api.register", "api.token", "api.join_live_game"}


def _state_changing_cases(app):
    from tests.security.test_access_matrix import MATRIX

    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & STATE_CHANGING):
            cases = [c for c in MATRIX.get(rule.endpoint, []) if c.method == method]
            assert cases, f"{rule.endpoint} {method} has no row in the access matrix"
            found.append((rule.endpoint, cases[0]))
    assert found
    return found


def _send(client, scenario, case, headers=None):
    path = scenario.path(case.path)
    if case.json is not None:
        return client.open(path, method=case.method, json=case.json, headers=headers or {})
    return client.open(path, method=case.method, data=dict(case.form), headers=headers or {})


def test_every_state_changing_route_refuses_a_request_without_the_token(app, client, make, clock):
    from tests.security.scenario import build

    scenario = build(make, clock)
    cases = _state_changing_cases(app)
    browser = app.test_client()
    log_in(browser, scenario.users["participant"], with_csrf=True)
    anonymous = app.test_client()
    not_refused = []
    for endpoint, case in cases:
        response = _send(browser, scenario, case)
        if response.status_code != 400 or (
            response.is_json and response.json["error"]["code"] != "csrf_failed"
        ):
            not_refused.append(f"logged in: {endpoint} {case.method} -> {response.status_code}")
        response = _send(anonymous, scenario, case)
        if endpoint.startswith("api."):
            # Exempt: the same answer as without CSRF protection (the access matrix).
            ok = response.status_code == case.expect[0] and not (
                response.is_json and response.json["error"]["code"] == "csrf_failed"
            )
            assert endpoint in ANONYMOUS_API_PUBLIC or response.status_code == 401
        else:
            ok = response.status_code == 400
        if not ok:
            not_refused.append(f"anonymous: {endpoint} {case.method} -> {response.status_code}")
    assert not_refused == [], "\n".join(not_refused)
    assert _logged_in(browser)  # nothing above went through, not even the logout


def test_every_state_changing_route_accepts_the_token(app, client, make, clock):
    """The same requests with the page's token get past CSRF (so the test above can fail)."""
    from tests.security.scenario import build

    scenario = build(make, clock)
    browser = app.test_client()
    log_in(browser, scenario.users["participant"], with_csrf=True)
    for endpoint, case in _state_changing_cases(app):
        if endpoint == "accounts.logout":
            continue
        token = csrf_token(browser, "/profile")
        response = _send(browser, scenario, case, headers={"X-CSRFToken": token})
        refused = response.status_code == 400 and (
            not response.is_json or response.json["error"]["code"] == "csrf_failed"
        )
        assert not refused, (endpoint, case.method, response.status_code)
