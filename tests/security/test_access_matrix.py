"""Who gets what: every route of the URL map, every role, the expected answer.

``MATRIX`` holds, for every (endpoint, method) of ``app.url_map``, one or more requests
and the status each role gets, in the column order of ``ROLES``:

    anonymous, participant, teacher, other_organizer, organizer, admin

``LOGIN`` means "302 to the login page". A route added without a row here fails
``test_every_route_has_a_row``; a row whose answers drift fails ``test_access_matrix``.
Object-level rules are rows too: another person's attempt (A1/A2 belong to the
participant) is 404 for everyone else, admins included; an unpublished contest (U, O),
its rounds and its results are 404 except to its own organizers and admins — for both
the HTML pages and the API.

HTML routes run on a logged-in browser session; ``/api/`` routes with a bearer token
(mobile clients). Rows run in order, one client per role, so state-changing rows that
end something (finishing an attempt, logging out) come last. Every response is also
checked for the security headers, every redirect for staying on the site, and every
HTML page for inline script or style (which the CSP forbids) and for an element id used
twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import log_in
from tests.security.matrix import (
    ALL_200,
    API_MEMBERS_200,
    API_O_ONLY,
    API_OWNER_ONLY_200,
    API_U_ONLY,
    LOGIN,
    MEMBERS_200,
    O_ONLY,
    OWNER_ONLY_200,
    U_ONLY,
    Case,
    feature_modules,
)
from tests.security.scenario import (
    ROLES,
    build,
    check_security_headers,
    duplicate_ids,
    inline_code,
    is_local,
)

MATRIX: dict[str, list[Case]] = {
    # Public pages and documents.
    "contests.index": [Case("GET", "/", ALL_200)],
    "contests.detail": [
        Case("GET", "/contests/{P}", ALL_200),
        Case("GET", "/contests/{U}", (404, 404, 404, 404, 200, 200)),
        Case("GET", "/contests/{O}", (404, 404, 404, 200, 404, 200)),
    ],
    "api.openapi": [Case("GET", "/api/v1/openapi.json", ALL_200)],
    "api.regions": [Case("GET", "/api/v1/regions", ALL_200)],
    "api.contest_list": [Case("GET", "/api/v1/contests", ALL_200)],
    "accounts.login": [
        Case("GET", "/login", ALL_200),
        Case("POST", "/login", (401,) * 6, form={"username": "nobody", "password": "wrong-pw-1"}),
    ],
    "accounts.register": [
        Case("GET", "/register", ALL_200),
        Case("POST", "/register", (422,) * 6, form={"username": "x"}),
    ],
    "api.register": [Case("POST", "/api/v1/auth/register", (422,) * 6, json={"username": "x"})],
    "api.token": [
        Case("POST", "/api/v1/auth/token", (400,) * 6, json={"username": "x", "password": "y"})
    ],
    # No login half-done: the second-factor step sends everyone back to the login.
    "accounts.login_two_factor": [
        Case("GET", "/login/two-factor", (LOGIN,) * 6),
        Case("POST", "/login/two-factor", (LOGIN,) * 6, form={"code": "123456"}),
    ],
    "accounts.set_language": [Case("POST", "/language/zh", (302,) * 6)],
    "accounts.set_text_size": [Case("POST", "/text-size/standard", (302,) * 6)],
    # Account pages.
    "accounts.profile": [
        Case("GET", "/profile", MEMBERS_200),
        # An empty form: Flask-WTF falls back to the account's own values, saved as they
        # were (before issue 13 the school list refused it).
        Case("POST", "/profile", (LOGIN, 302, 302, 302, 302, 302)),
    ],
    "accounts.change_password": [
        Case("GET", "/account/password", MEMBERS_200),
        Case("POST", "/account/password", (LOGIN, 422, 422, 422, 422, 422)),
    ],
    # Teachers, organizers and admins. Without a secret on offer (the settings page was
    # not opened) nothing to enable.
    "accounts.two_factor_enable": [
        Case("POST", "/account/two-factor/enable", (LOGIN, 403, 302, 302, 302, 302))
    ],
    "accounts.two_factor_settings": [
        Case("GET", "/account/two-factor", (LOGIN, 403, 200, 200, 200, 200))
    ],
    "accounts.two_factor_disable": [
        # Two-factor login is off for everyone here: back to the settings page.
        Case("POST", "/account/two-factor/disable", (LOGIN, 403, 302, 302, 302, 302))
    ],
    "api.me": [Case("GET", "/api/v1/me", API_MEMBERS_200)],
    "api.get_preferences": [Case("GET", "/api/v1/me/preferences", API_MEMBERS_200)],
    # A refused size: nothing stored (422), so the row leaves the scenario as it was.
    "api.put_preferences": [
        Case(
            "PUT",
            "/api/v1/me/preferences",
            (401, 422, 422, 422, 422, 422),
            json={"text_size": "huge"},
        )
    ],
    # Enrolment: P is open to all; U only to its organizer (and admins).
    "contests.enroll": [
        Case("POST", "/contests/{U}/enroll", (LOGIN, 404, 404, 404, 302, 302)),
        Case("POST", "/contests/{O}/enroll", (LOGIN, 404, 404, 302, 404, 302)),
        Case("POST", "/contests/{P}/enroll", (LOGIN, 302, 302, 302, 302, 302)),
    ],
    "api.enrollment": [
        # Enrolled through the page above already: 200, the existing enrollment.
        Case("POST", "/api/v1/contests/{P}/enrollment", (401, 200, 200, 200, 200, 200)),
        Case("POST", "/api/v1/contests/{U}/enrollment", (401, 404, 404, 404, 200, 200)),
        Case("POST", "/api/v1/contests/{O}/enrollment", (401, 404, 404, 200, 404, 200)),
    ],
    # Results, round and contest boards, HTML and API.
    "leaderboards.contest_board": [
        Case("GET", "/contests/{P}/leaderboard", MEMBERS_200),
        Case("GET", "/contests/{U}/leaderboard", U_ONLY),
        Case("GET", "/contests/{O}/leaderboard", O_ONLY),
    ],
    "leaderboards.round_board": [
        Case("GET", "/rounds/{R1}/leaderboard", MEMBERS_200),
        Case("GET", "/rounds/{RU}/leaderboard", U_ONLY),
        Case("GET", "/rounds/{RO}/leaderboard", O_ONLY),
    ],
    "api.contest_leaderboard": [
        Case("GET", "/api/v1/contests/{P}/leaderboard", API_MEMBERS_200),
        Case("GET", "/api/v1/contests/{U}/leaderboard", API_U_ONLY),
        Case("GET", "/api/v1/contests/{O}/leaderboard", API_O_ONLY),
    ],
    "api.round_leaderboard": [
        Case("GET", "/api/v1/rounds/{R1}/leaderboard", API_MEMBERS_200),
        Case("GET", "/api/v1/rounds/{RU}/leaderboard", API_U_ONLY),
        Case("GET", "/api/v1/rounds/{RO}/leaderboard", API_O_ONLY),
    ],
    # Starting a round. The participant already has an attempt in R1 (back to it, 302 or
    # 200); everyone else joined P above and starts one. Unpublished rounds stay hidden.
    "play.start": [
        Case(
            "POST", "/rounds/{R1}/start", (LOGIN, 302, 302, 302, 302, 302), form={"language": "zh"}
        ),
        Case(
            "POST", "/rounds/{RU}/start", (LOGIN, 404, 404, 404, 302, 302), form={"language": "zh"}
        ),
    ],
    "api.start_attempt": [
        Case(
            "POST",
            "/api/v1/rounds/{R1}/attempts",
            (401, 200, 200, 200, 200, 200),
            json={"language": "zh"},
        ),
        Case(
            "POST",
            "/api/v1/rounds/{RU}/attempts",
            (401, 404, 404, 404, 200, 200),
            json={"language": "zh"},
        ),
        Case(
            "POST",
            "/api/v1/rounds/{RO}/attempts",
            (401, 404, 404, 201, 404, 201),
            json={"language": "zh"},
        ),
    ],
    # The participant's attempts, by id: 404 to everyone else (admins too).
    "play.resume": [Case("GET", "/attempts/{A1}", (LOGIN, 302, 404, 404, 404, 404))],
    "play.question": [
        Case("GET", "/attempts/{A1}/q/1", OWNER_ONLY_200),
        Case("POST", "/attempts/{A1}/q/1", (LOGIN, 302, 404, 404, 404, 404), form={"choice": "A"}),
    ],
    "api.get_attempt": [Case("GET", "/api/v1/attempts/{A1}", API_OWNER_ONLY_200)],
    "api.put_answer": [
        Case("PUT", "/api/v1/attempts/{A1}/answers/2", API_OWNER_ONLY_200, json={"choice": ["A"]})
    ],
    "play.confirm_finish": [
        Case("GET", "/attempts/{A2}/finish", OWNER_ONLY_200),
        Case("POST", "/attempts/{A2}/finish", (LOGIN, 302, 404, 404, 404, 404)),
    ],
    "play.result": [Case("GET", "/attempts/{A2}/result", OWNER_ONLY_200)],
    "api.finish": [Case("POST", "/api/v1/attempts/{A1}/finish", API_OWNER_ONLY_200)],
    # Last: logging out ends the role's session.
    "accounts.logout": [Case("POST", "/logout", (302,) * 6)],
}

# Rows of later features live beside this file in ``matrix_<feature>.py`` (``ROWS``).
for _module in feature_modules():
    for _endpoint, _cases in _module.ROWS.items():
        MATRIX.setdefault(_endpoint, []).extend(_cases)
# Revoking the role's own API token and logging out end what later rows use: they stay
# the last rows, after the features' rows.
MATRIX["api.revoke_current_token"] = MATRIX.pop("api.revoke_current_token")
MATRIX["accounts.logout"] = MATRIX.pop("accounts.logout")

SKIPPED_ENDPOINTS = {"static"}  # files under static/, public by nature


def _route_methods(app: Any) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_row(app):
    """A new route (or method) without a row in MATRIX fails here: decide who may use it."""
    covered = {(endpoint, case.method) for endpoint, cases in MATRIX.items() for case in cases}
    routes = _route_methods(app)
    assert sorted(routes - covered) == [], "routes without a row in MATRIX"
    assert sorted(covered - routes) == [], "rows for routes that do not exist"


def _request(client: Any, case: Case, path: str, role: str, scenario: Any) -> Any:
    headers = {}
    if path.startswith("/api/") and role != "anonymous":
        headers["Authorization"] = f"Bearer {scenario.tokens[role]}"
    form = dict(case.form)
    if path.startswith("/rounds/") and path.endswith("/start"):
        round_id = path.split("/")[2]
        form = {f"r{round_id}-language": form.pop("language")}
    kwargs: dict[str, Any] = {"headers": headers}
    if case.json is not None:
        # A JSON value "{NAME}" is the scenario's id of that name (e.g. a round id).
        kwargs["json"] = {
            k: scenario.ids[v[1:-1]] if isinstance(v, str) and v[1:-1] in scenario.ids else v
            for k, v in case.json.items()
        }
    elif case.method != "GET":
        kwargs["data"] = form
    return client.open(path, method=case.method, **kwargs)


def _outcome(response: Any) -> Any:
    if response.status_code == 302 and response.location.startswith("/login"):
        return LOGIN
    return response.status_code


@pytest.fixture
def scenario(client, make, clock):
    return build(make, clock)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, scenario, role):
    browser = app.test_client()
    if role != "anonymous":
        log_in(browser, scenario.users[role])
    wrong: list[str] = []
    for endpoint, cases in MATRIX.items():
        for case in cases:
            path = scenario.path(case.path)
            expected = case.expect[ROLES.index(role)]
            response = _request(browser, case, path, role, scenario)
            got = _outcome(response)
            where = f"{endpoint} {case.method} {case.path}"
            if got != expected:
                wrong.append(f"{where}: expected {expected}, got {got}")
            if response.status_code in (301, 302, 303, 307, 308):
                if not is_local(response.location):
                    wrong.append(f"{where}: redirect off the site to {response.location}")
                if expected != LOGIN and response.location.startswith("/login"):
                    wrong.append(f"{where}: sent to the login page")
            for problem in check_security_headers(response):
                wrong.append(f"{where}: {problem}")
            if response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                for problem in inline_code(html) + duplicate_ids(html):
                    wrong.append(f"{where}: {problem}")
    assert wrong == [], "\n".join(wrong)


def test_object_checks_hide_attempts_from_admins_and_organizers(app, client, scenario):
    """The API and the pages say 'not found' about the same attempt in the same words."""
    for role in ("organizer", "admin"):
        browser = app.test_client()
        log_in(browser, scenario.users[role])
        page = browser.get(scenario.path("/attempts/{A1}/q/1"))
        api = browser.get(
            scenario.path("/api/v1/attempts/{A1}"),
            headers={"Authorization": f"Bearer {scenario.tokens[role]}"},
        )
        assert page.status_code == api.status_code == 404
        assert api.json["error"]["code"] == "attempt_not_found"
        assert api.json["error"]["message"] in page.get_data(as_text=True)


def test_api_routes_answer_the_same_on_a_cookie_session(app, client, scenario):
    """A browser's own fetches (cookie session) get the same answers as bearer clients."""
    for role in ("participant", "other_organizer"):
        browser = app.test_client()
        log_in(browser, scenario.users[role])
        for endpoint, cases in MATRIX.items():
            if not endpoint.startswith("api.") or endpoint in ("api.finish",):
                continue
            for case in cases:
                if case.method != "GET":
                    continue
                response = browser.get(scenario.path(case.path))
                expected = case.expect[ROLES.index(role)]
                assert response.status_code == expected, (endpoint, case.path, role)
