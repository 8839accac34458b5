"""Account operations used by both the pages and the API."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.accounts import two_factor
from quiz.accounts.models import ApiToken, LoginSession, Role, User, UserRole
from quiz.accounts.passwords import PASSWORD_MAX, PASSWORD_MIN, check_password_rules
from quiz.accounts.token_cache import mark_tokens_changed, token_cache
from quiz.errors import QuizError, ValidationFailed
from quiz.extensions import db, redis_store
from quiz.i18n import LANGUAGES
from quiz.names import name_problems
from quiz.regions.models import COUNTY_LEVEL, Region
from quiz.sql import rows_changed

__all__ = ["PASSWORD_MAX", "PASSWORD_MIN", "check_password_rules"]  # re-exported

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")
DISPLAY_NAME_MAX = 32
# Why registration and the profile have no school field (issue 13): membership comes from
# the school's class lists or its teachers, never from the person.
SCHOOL_FROM_ROSTER = _l(
    "Your school adds you from its class list; ask your teacher if your school is missing or wrong."
)
# Hashing a throwaway password when the username is unknown keeps login timing uniform.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def username_key(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()


def hash_password(password: str) -> str:
    """scrypt (Werkzeug's default): deliberately slow, salted (``QUIZ_PASSWORD_HASH_METHOD``)."""
    return generate_password_hash(password, method=current_app.config["QUIZ_PASSWORD_HASH_METHOD"])


class TwoFactorRequired(QuizError):
    """The password was right, but the account also needs its second factor."""

    status = 401
    code = "two_factor_required"


class InvalidOtp(QuizError):
    """The password was right, but the second-factor code was wrong or already used."""

    status = 401
    code = "invalid_otp"


class TwoFactorSetupRequired(QuizError):
    """The account's role requires two-factor login, which it has not set up yet."""

    status = 403
    code = "two_factor_setup_required"


class PasswordChangeRequired(QuizError):
    """The account still has a one-time password (set by a teacher): change it first."""

    status = 403
    code = "password_change_required"


def display_name_problems(display_name: str) -> list:
    """The name rules for a shown name (accounts, and guests of live games); [] if fine."""
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        return [_l("Give a display name of 1 to %(n)d characters.", n=DISPLAY_NAME_MAX)]
    return name_problems(display_name)


def _profile_errors(
    display_name: str, region_code: str | None, language: str | None
) -> dict[str, list]:
    """The rules shared by registration and the profile page.

    No school here: a person belongs to a school because the school put them there (its
    class lists, or a teacher), never because they said so (``quiz.schools``)."""
    errors: dict[str, list] = {}
    if problems := display_name_problems(display_name):
        errors["display_name"] = problems
    region = db.session.get(Region, region_code) if region_code else None
    if region is None or region.level != COUNTY_LEVEL:
        errors["region_code"] = [_l("Choose your banner, county or district.")]
    if language not in LANGUAGES:
        errors["language"] = [_l("Choose Chinese or Mongolian.")]
    return errors


def new_user(
    *,
    username: str | None,
    password: str | None,
    display_name: str | None,
    region_code: str | None,
    language: str | None,
    now: datetime,
    roles: Iterable[str] = (Role.PARTICIPANT,),
    email: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Add an account (flushed, not committed) or raise ``ValidationFailed`` naming every
    bad field. Registration, ``quiz users create`` and the schools' pages build on it."""
    errors: dict[str, list] = {}
    username = unicodedata.normalize("NFC", username or "").strip()
    display_name = unicodedata.normalize("NFC", display_name or "").strip()
    if not USERNAME_RE.match(username):
        errors["username"] = [_l("Use 3 to 32 letters, digits, dots, hyphens or underscores.")]
    elif db.session.scalar(select(User.id).where(User.username_key == username_key(username))):
        errors["username"] = [_l("This username is taken.")]
    if problems := check_password_rules(password, username):
        errors["password"] = problems
    errors.update(_profile_errors(display_name, region_code, language))
    email, email_problems = clean_email(email)
    if email_problems:
        errors["email"] = email_problems
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        username_key=username_key(username),
        password_hash=hash_password(password or ""),
        display_name=display_name,
        region_code=region_code or "",
        language=language or "zh",
        created_at=now,
        email=email,
        must_change_password=must_change_password,
    )
    user.role_rows = [UserRole(role=str(role)) for role in roles]
    try:
        with db.session.begin_nested():  # a savepoint: a lost race leaves the rest intact
            db.session.add(user)
    except IntegrityError as exc:  # a concurrent request took the name first
        raise ValidationFailed({"username": [_l("This username is taken.")]}) from exc
    return user


def register_user(
    *,
    username: str | None,
    password: str | None,
    display_name: str | None,
    region_code: str | None,
    language: str | None,
    now: datetime,
    roles: Iterable[str] = (Role.PARTICIPANT,),
) -> User:
    """Create an account (flushed; the edge commits) or raise ``ValidationFailed`` naming
    every bad field. A concurrent registration that took the name first is refused the
    same way, and ``new_user``'s savepoint leaves the caller's transaction usable."""
    return new_user(
        username=username,
        password=password,
        display_name=display_name,
        region_code=region_code,
        language=language,
        now=now,
        roles=roles,
    )


EMAIL_MAX = 254
# One "@", something on both sides, a dot in the domain; no spaces, control, invisible or
# direction-changing characters anywhere.
_EMAIL_CHAR = r"[^@\s\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
EMAIL_RE = re.compile(rf"^{_EMAIL_CHAR}]{{1,64}}@{_EMAIL_CHAR}.]+(\.{_EMAIL_CHAR}.]+)+$")


def clean_email(value: str | None) -> tuple[str | None, list]:
    """An optional e-mail address, normalized (NFC, trimmed, casefolded), and its problems."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        return None, []
    if len(text) > EMAIL_MAX or not EMAIL_RE.match(text):
        return None, [_l("Give an e-mail address like name@example.org, or leave it empty.")]
    return text.casefold(), []


def check_credentials(username: str | None, password: str | None) -> User | None:
    """The active account with this username and password (the first factor), or None."""
    user = db.session.scalar(select(User).where(User.username_key == username_key(username or "")))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def authenticate(
    username: str | None,
    password: str | None,
    otp: str | None = None,
    now: datetime | None = None,
) -> User | None:
    """Password authentication for API tokens; two-factor accounts also need ``otp``.

    The login page asks for the second factor itself (``check_credentials``, then
    ``quiz.accounts.two_factor.verify``); here the code comes with the password, as the
    ``otp`` field: a TOTP code (each used once) or a recovery code. A password alone
    never opens a two-factor account. The password is checked first, so a wrong
    password says nothing about the account's second factor.
    """
    user = check_credentials(username, password)
    if user is not None and user.must_change_password:
        raise PasswordChangeRequired(
            _l("Log in on the website and choose your own password first.")
        )
    if user is None:
        return None
    if not user.two_factor_enabled:
        if two_factor.setup_required(user):
            raise TwoFactorSetupRequired(
                _l("Your role requires two-factor login: set it up on the website first.")
            )
        return user
    if not otp:
        raise TwoFactorRequired(
            _l("This account uses two-factor login: send the code from your app as otp.")
        )
    if now is None or not two_factor.verify(user, otp, now):
        raise InvalidOtp(_l("This code is not right. Enter the 6 digits your app shows now."))
    return user


# Letters and digits nobody confuses on a printed card (no 0/o, 1/l/i).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_PASSWORD_LENGTH = 10  # ~49 random bits; changed at first login anyway


def one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH))


def set_one_time_password(user: User) -> str:
    """A new one-time password (changed at the next login); every session and token ends.

    Used by teachers for their pupils, by admins in the console and by ``quiz users
    reset-password``. The caller audits and commits.
    """
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version = (user.session_version or 1) + 1
    revoke_tokens(user)
    return password


def end_sessions(user: User) -> None:
    """End every browser session of ``user`` (their cookies name the old version)."""
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()


def revoke_tokens(user: User) -> int:
    """Revoke every API token of ``user``; the caller commits (which tells every app
    server's token cache, ``quiz.accounts.token_cache``)."""
    mark_tokens_changed(db.session)  # type: ignore[arg-type]
    return rows_changed(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        .values(revoked=True)
    )


def change_password(
    user: User, *, current_password: str | None, new_password: str | None, now: datetime
) -> None:
    """Check the current password, set the new one, and end every other session and token.

    Sessions end because the session version is bumped; API tokens are revoked, so a
    stolen password or token stops working everywhere at once.
    """
    errors: dict[str, list] = {}
    if not check_password_hash(user.password_hash, current_password or ""):
        errors["current_password"] = [_l("This is not your current password.")]
    elif problems := check_password_rules(new_password, user.username):
        errors["new_password"] = problems
    elif check_password_hash(user.password_hash, new_password or ""):
        errors["new_password"] = [_l("Choose a password different from the current one.")]
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new_password or "")
    user.password_changed_at = now
    user.must_change_password = False
    user.session_version = (user.session_version or 1) + 1
    revoke_tokens(user)
    db.session.commit()


def hash_key(token: str) -> str:
    """SHA-256 of a random secret (API token, session key, reset link): what is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_CLIENT_MAX = 128


def issue_token(
    user: User, now: datetime, days: int, client: str | None = None
) -> tuple[str, datetime]:
    """A new bearer token; ``client`` (the app's User-Agent) tells the person which app.

    Flushed, not committed: the edge commits (the API's token request on its success,
    a CLI command, a test factory), and the token works once that commit is done."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=days)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_key(token),
            created_at=now,
            expires_at=expires_at,
            client=(client or "")[:TOKEN_CLIENT_MAX] or None,
        )
    )
    db.session.flush()
    return token, expires_at


def active_tokens(user: Any, now: datetime) -> list[ApiToken]:
    """The user's bearer tokens that still work, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked.is_(False),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(user: Any, *, token_id: int | None = None, token: str | None = None) -> bool:
    """Revoke one of the user's tokens, by id or by its value; False if none matched.
    Flushes; the commit tells every app server's token cache (``token_cache``)."""
    statement = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    if token_id is not None:
        statement = statement.where(ApiToken.id == token_id)
    elif token is not None:
        statement = statement.where(ApiToken.token_hash == hash_key(token))
    else:
        return False
    mark_tokens_changed(db.session)  # type: ignore[arg-type]
    return bool(rows_changed(statement.values(revoked=True)))


class TokenUser:
    """The user of a bearer-token request, loaded from SQL only when more than the id is used.

    Every API call authenticates, and the hot path (saving an answer, reading a board,
    starting an attempt) needs only the caller's id, language and display name: one
    indexed lookup of the token gives them.
    Any other attribute (roles, region, display name...) loads the ``User`` row on first
    use, once per request, and reads and writes go through to it.
    """

    __slots__ = ("_user", "display_name", "id", "language")
    is_authenticated = True
    is_anonymous = False
    is_active = True  # the token lookup only accepts active accounts

    def __init__(self, user_id: int, language: str, display_name: str) -> None:
        object.__setattr__(self, "id", user_id)
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "display_name", display_name)
        object.__setattr__(self, "_user", None)

    @property
    def user(self) -> User:
        """The ORM object, loaded on first use."""
        if self._user is None:
            loaded = db.session.get(User, self.id)
            assert loaded is not None  # the token lookup just found it
            object.__setattr__(self, "_user", loaded)
        return self._user

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("language", "display_name"):
            object.__setattr__(self, name, value)
        setattr(self.user, name, value)

    def __eq__(self, other: object) -> bool:
        other_id = getattr(other, "id", None)
        return isinstance(other, (User, TokenUser)) and other_id == self.id

    def __hash__(self) -> int:
        return hash(("user", self.id))


_TOKEN_LOOKUP = (
    select(ApiToken.user_id, User.language, User.display_name, ApiToken.expires_at)
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked.is_(False),
        ApiToken.expires_at > bindparam("now"),
        User.is_active_account.is_(True),
    )
)


def user_for_token(token: str, now: datetime) -> TokenUser | None:
    """The active user holding this unexpired, unrevoked token.

    One indexed query, or none: a process keeps recent lookups and drops them as soon as
    any token is revoked anywhere (``quiz.accounts.token_cache``).
    """
    token_hash = hash_key(token)

    def load() -> Any:
        return (
            db.session.connection()
            .execute(_TOKEN_LOOKUP, {"token_hash": token_hash, "now": now})
            .first()
        )

    row = token_cache().lookup(token_hash, now, load, redis_store.client)
    return None if row is None else TokenUser(row.user_id, row.language, row.display_name)


@dataclass(frozen=True)
class TokenLookup:
    """A bearer token this process holds no copy of: the query that looks it up, for a
    caller that sends it in one round trip with statements of its own
    (``quiz.accounts.access.login_required_reading``), then hands its row to ``user``."""

    token_hash: str
    now: datetime

    statement = _TOKEN_LOOKUP

    @property
    def params(self) -> dict[str, Any]:
        return {"token_hash": self.token_hash, "now": self.now}

    def user(self, row: Any) -> TokenUser | None:
        """The token's user from the looked-up row (kept in this process's copy)."""
        token_cache().keep(self.token_hash, row)
        return None if row is None else TokenUser(row.user_id, row.language, row.display_name)


def token_lookup(token: str, now: datetime) -> TokenUser | TokenLookup | None:
    """``user_for_token`` from this process's copy, or, without a copy, the lookup to send
    (``TokenLookup``); None: the copy says no such active token (or it expired)."""
    token_hash = hash_key(token)
    known, row = token_cache().known(token_hash, redis_store.client)
    if not known:
        return TokenLookup(token_hash, now)
    if row is None or row.expires_at <= now:
        return None
    return TokenUser(row.user_id, row.language, row.display_name)


def token_owner() -> Any:
    """The id of the user holding the token ``:token_hash``, as SQL: for a statement sent
    together with that token's lookup (``TokenLookup``), which alone decides whether the
    token is valid (a refused token's rows are never used)."""
    return (
        select(ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
        .scalar_subquery()
    )


def load_session_user(session_id: str, key: str | None, now: datetime) -> User | None:
    """Flask-Login's loader: the id carries the session version, so bumping it logs out;
    ``key`` names the login's ``LoginSession`` row, which must still be alive (one query).
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if not isinstance(key, str) or len(user_id) > 10 or len(version) > 10:
        return None
    return db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            User.session_version == int(version),
            LoginSession.key_hash == hash_key(key),
            LoginSession.version == User.session_version,
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at >= now,
        )
    )


def update_profile(
    user: User,
    *,
    display_name: str | None,
    region_code: str | None,
    language: str | None,
    email: str | None = None,
) -> User:
    """Change what a person may change about themselves (not their school: see
    ``_profile_errors``). Flushed; the edge commits."""
    display_name = unicodedata.normalize("NFC", display_name or "").strip()
    errors = _profile_errors(display_name, region_code, language)
    email, email_problems = clean_email(email)
    if email_problems:
        errors["email"] = email_problems
    if errors:
        raise ValidationFailed(errors)
    user.email = email
    user.display_name = display_name
    user.region_code = region_code or user.region_code
    user.language = language or user.language
    db.session.flush()  # the edge commits; the token cache hears of it after the commit
    return user
