"""Access-matrix rows for the admin console (/admin), the account pages of issue 13
(sessions, apps, forgotten passwords) and the token API; and the ``quiz users`` commands.

The console is for admins only: everyone else 403 (anonymous: the login page). The
objects: T is a participant the admin changes (roles, state, password); S and K are a
browser session and an API token of T's, which nobody else may end (404: ids reveal
nothing). Region edits send an empty name (422, nothing saved: region rows outlive a
test). ``DELETE /api/v1/auth/token`` revokes the role's own token, so it runs last of
all but the logout (``test_access_matrix.py`` moves it there).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from quiz.accounts.models import ApiToken, LoginSession
from quiz.accounts.services import hash_key
from quiz.extensions import db
from tests.factories import issue_token
from tests.security.matrix import ALL_200, API_MEMBERS_200, LOGIN, Case

ADMIN_ONLY = (LOGIN, 403, 403, 403, 403, 200)
ADMIN_302 = (LOGIN, 403, 403, 403, 403, 302)
ADMIN_422 = (LOGIN, 403, 403, 403, 403, 422)
MEMBERS_404 = (LOGIN, 404, 404, 404, 404, 404)
MEMBERS_302 = (LOGIN, 302, 302, 302, 302, 302)


def extend(scenario: Any, make: Any, clock: Any) -> None:
    target = make.user("target")
    db.session.add(
        LoginSession(
            user_id=target.id,
            key_hash=hash_key("matrix-session"),
            version=target.session_version,
            created_at=clock(),
            expires_at=clock() + timedelta(hours=1),
        )
    )
    db.session.commit()
    issue_token(target, clock(), 30)
    scenario.ids["T"] = target.id
    scenario.ids["S"] = db.session.scalar(
        select(LoginSession.id).where(LoginSession.user_id == target.id)
    )
    scenario.ids["K"] = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == target.id))


ROWS: dict[str, list[Case]] = {
    # The admin console.
    "admin.users": [
        Case("GET", "/admin", ADMIN_ONLY),
        Case("GET", "/admin?q=ta&role=participant&region=150100&school=x", ADMIN_ONLY),
    ],
    "admin.user": [Case("GET", "/admin/users/{T}", ADMIN_ONLY)],
    "admin.change_role": [
        Case(
            "POST",
            "/admin/users/{T}/roles",
            ADMIN_302,
            form={"role": "teacher", "action": "grant"},
        )
    ],
    "admin.change_active": [
        Case("POST", "/admin/users/{T}/active", ADMIN_302, form={"active": "0"})
    ],
    "admin.reset_password": [Case("POST", "/admin/users/{T}/password", ADMIN_ONLY)],
    "admin.regions": [Case("GET", "/admin/regions", ADMIN_ONLY)],
    "admin.region": [
        Case("GET", "/admin/regions/150102", ADMIN_ONLY),
        Case("POST", "/admin/regions/150102", ADMIN_422, form={"name_mn": ""}),
    ],
    "admin.settings": [Case("GET", "/admin/settings", ADMIN_ONLY)],
    "admin.two_factor_policy": [
        Case("POST", "/admin/settings/two-factor", ADMIN_302, form={"roles": "teacher"})
    ],
    # One's own sessions and apps: another person's are "not found".
    "accounts.end_session": [Case("POST", "/account/sessions/{S}/end", MEMBERS_404)],
    "accounts.end_other_sessions": [Case("POST", "/account/sessions/end-others", MEMBERS_302)],
    "accounts.revoke_token": [Case("POST", "/account/tokens/{K}/revoke", MEMBERS_404)],
    # Forgotten passwords: public. Mail is not configured here: the page says whom to ask.
    "accounts.forgot_password": [
        Case("GET", "/forgot-password", ALL_200),
        Case("POST", "/forgot-password", ALL_200, form={"identifier": "target"}),
    ],
    "accounts.reset_password_link": [
        Case("GET", "/reset-password/not-a-link", (404,) * 6),
        Case("POST", "/reset-password/not-a-link", (404,) * 6, form={"new_password": "x"}),
    ],
    # The token API.
    "api.list_tokens": [Case("GET", "/api/v1/auth/tokens", API_MEMBERS_200)],
    "api.revoke_token": [Case("DELETE", "/api/v1/auth/tokens/{K}", (401, 404, 404, 404, 404, 404))],
    "api.revoke_current_token": [
        Case("DELETE", "/api/v1/auth/token", (401, 204, 204, 204, 204, 204))
    ],
    # The Mongolian review sheet (an upload without a sheet: the page again, 400).
    "admin.translations": [Case("GET", "/admin/translations", ADMIN_ONLY)],
    "admin.translations_sheet": [Case("GET", "/admin/translations/review.xlsx", ADMIN_ONLY)],
    "admin.translations_import": [
        Case("POST", "/admin/translations/import", (LOGIN, 403, 403, 403, 403, 400))
    ],
}

# The ``quiz users`` commands: run by the operator at the server (no web route), each
# audited as "cli". Every command of the group has a row naming the tests that prove it
# (tests/admin/test_users_cli.py::test_every_users_command_has_a_row).
CLI_ROWS: dict[str, tuple[str, ...]] = {
    "create": (
        "test_create_prints_a_one_time_password_once_that_must_be_changed",
        "test_create_reads_the_password_from_a_file_and_refuses_a_weak_one",
        "test_create_refuses_bad_input_and_stores_nothing",
    ),
    "grant": ("test_grant_and_revoke_roles_are_audited_and_idempotent",),
    "revoke": (
        "test_grant_and_revoke_roles_are_audited_and_idempotent",
        "test_the_last_active_admin_cannot_be_revoked_or_disabled",
    ),
    "list": ("test_list_filters_by_role",),
    "reset-password": ("test_reset_password_prints_a_one_time_password_and_ends_sessions",),
    "disable": (
        "test_disable_and_enable",
        "test_the_last_active_admin_cannot_be_revoked_or_disabled",
    ),
    "enable": ("test_disable_and_enable",),
}
