"""Browser sessions: a fresh session at login, idle and absolute timeouts.

Sessions are Flask's signed cookies. What makes them end on the server's word:

- ``User.session_version`` is part of the id stored in the cookie (``User.get_id``);
  logout, a password change and two-factor changes bump it, so every copy of an older
  cookie (another device, a stolen one) stops authenticating at once.
- Each login is also a row (``LoginSession``) named by a random key in the cookie, so a
  person sees their sessions on the profile page and ends one (``revoke``). The user
  loader reads the user and this row in one query (``services.load_session_user``):
  a revoked session stops at its next request, on every app server, at no extra cost.
- ``start`` clears whatever the browser brought (no session fixation: the cookie after
  login shares nothing with the one before) and stamps the login time.
- ``_check_age`` (before every request) logs the session out after
  ``QUIZ_SESSION_IDLE_MINUTES`` without a request and ``QUIZ_SESSION_MAX_HOURS`` after
  login, by the app's clock (``quiz.clock.now``), so tests can move time.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import delete, or_, select, update

from quiz.accounts.models import LoginSession, User
from quiz.accounts.services import hash_key
from quiz.clock import now
from quiz.edge.client import client_ip
from quiz.extensions import db
from quiz.sql import rows_changed

AUTH_AT = "auth_at"  # when the person logged in (epoch seconds, app clock)
SEEN_AT = "seen_at"  # their last request, kept to the minute to spare cookie writes
SEEN_RESOLUTION = 60
SESSION_KEY = "sid"  # the random key naming this login's LoginSession row
CLIENT_MAX = 128


def epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def start(user: User) -> None:
    """Log ``user`` in on a brand-new session."""
    user = getattr(user, "_get_current_object", lambda: user)()  # current_user works too
    session.clear()
    moment = now()
    key = secrets.token_urlsafe(32)
    _register(user, key, moment)
    login_user(user)
    stamp = epoch(moment)
    session[AUTH_AT] = stamp
    session[SEEN_AT] = stamp
    session[SESSION_KEY] = key


def _register(user: User, key: str, moment: datetime) -> None:
    """Store this login (and drop the user's sessions that can no longer be used)."""
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(
                LoginSession.expires_at < moment,
                LoginSession.revoked_at.is_not(None),
                LoginSession.version != user.session_version,
            ),
        )
    )
    hours = int(current_app.config["QUIZ_SESSION_MAX_HOURS"])
    db.session.add(
        LoginSession(
            user_id=user.id,
            key_hash=hash_key(key),
            version=user.session_version,
            created_at=moment,
            expires_at=moment + timedelta(hours=hours),
            ip=client_ip(),
            client=(request.user_agent.string or "")[:CLIENT_MAX] or None,
        )
    )
    db.session.commit()


def current_key_hash() -> str | None:
    key = session.get(SESSION_KEY)
    return hash_key(key) if isinstance(key, str) else None


def active_sessions(user: Any, moment: datetime) -> list[LoginSession]:
    """The user's browser sessions that still work, newest first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(
                LoginSession.user_id == user.id,
                LoginSession.revoked_at.is_(None),
                LoginSession.expires_at >= moment,
                LoginSession.version == user.session_version,
            )
            .order_by(LoginSession.id.desc())
        )
    )


def revoke(
    user: Any, moment: datetime, session_id: int | None = None, *, keep: str | None = None
) -> int:
    """End one of the user's sessions (``session_id``), or all but the one whose key hash
    is ``keep``. Flushes; the caller commits. Returns how many ended."""
    statement = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if session_id is not None:
        statement = statement.where(LoginSession.id == session_id)
    if keep is not None:
        statement = statement.where(LoginSession.key_hash != keep)
    return rows_changed(statement.values(revoked_at=moment))


def end() -> None:
    logout_user()
    session.clear()


def _expired(moment: int) -> bool:
    config = current_app.config
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        return True  # a session from before timeouts existed, or tampered with
    max_age = int(config["QUIZ_SESSION_MAX_HOURS"]) * 3600
    idle = int(config["QUIZ_SESSION_IDLE_MINUTES"]) * 60
    return moment - auth_at > max_age or moment - seen_at > idle


def _check_age() -> None:
    if "_user_id" not in session:
        return
    moment = epoch(now())
    if _expired(moment):
        end()
        from quiz.errors import wants_json

        if not wants_json():
            flash(_("Your session has expired. Please log in again."), "info")
        return
    if moment - session[SEEN_AT] >= SEEN_RESOLUTION:
        session[SEEN_AT] = moment


# While an account must change its one-time password, only these pages answer.
PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"accounts.change_password", "accounts.logout", "accounts.set_language", "static"}
)


def _require_password_change() -> Any:
    """Send a browser session whose account has a one-time password to change it first.

    Only cookie sessions are checked here (no extra query on bearer requests): such an
    account gets no API token until the password is changed (``services.authenticate``).
    """
    if "_user_id" not in session or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    from flask_login import current_user

    if not current_user.is_authenticated or not getattr(
        current_user, "must_change_password", False
    ):
        return None
    from quiz.errors import error_response, wants_json

    message = _("Choose your own password before you go on.")
    if wants_json():
        return error_response(403, "password_change_required", message)
    flash(message, "info")
    return redirect(url_for("accounts.change_password"))


# While an account must set up two-factor login (its role requires it), only these answer.
TWO_FACTOR_SETUP_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {
    "accounts.two_factor_settings",
    "accounts.two_factor_enable",
}
STAFF_ROLES = frozenset({"admin", "organizer", "teacher"})


def _require_two_factor_setup() -> Any:
    """Send a staff account whose role requires two-factor login (an admin's setting,
    ``two_factor.required_roles``) to set it up before anything else.

    Participants and accounts with two-factor login on cost nothing here; the setting is
    read only for staff accounts without it.
    """
    if "_user_id" not in session or request.endpoint in TWO_FACTOR_SETUP_ENDPOINTS:
        return None
    from flask_login import current_user

    from quiz.accounts import two_factor

    if not current_user.is_authenticated or current_user.two_factor_enabled:
        return None
    if not (current_user.roles & STAFF_ROLES) or not two_factor.setup_required(current_user):
        return None
    from quiz.errors import error_response, wants_json

    message = _("Your role requires two-factor login: set it up before you go on.")
    if wants_json():
        return error_response(403, "two_factor_setup_required", message)
    flash(message, "info")
    return redirect(url_for("accounts.two_factor_settings"))


def init_app(app: Flask) -> None:
    app.before_request(_check_age)
    app.before_request(_require_password_change)
    app.before_request(_require_two_factor_setup)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for requests that bring
    no session cookie (API clients with a bearer token: every hot-path request)."""

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if not app.secret_key or request.cookies.get(self.get_cookie_name(app)):
            return super().open_session(app, request)
        return self.session_class()
