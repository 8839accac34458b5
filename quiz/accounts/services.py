"""Account operations used by both the pages and the API."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.accounts.models import ApiToken, Role, User, UserRole
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGES
from quiz.regions.models import COUNTY_LEVEL, Region
from quiz.schools.models import School

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 128
DISPLAY_NAME_MAX = 32
# Hashing a throwaway password when the username is unknown keeps login timing uniform.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def username_key(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()


def hash_password(password: str) -> str:
    """scrypt (Werkzeug's default): deliberately slow, salted."""
    return generate_password_hash(password)


def check_password_rules(password: str | None) -> list:
    if not password or len(password) < PASSWORD_MIN:
        return [_l("The password must have at least %(n)d characters.", n=PASSWORD_MIN)]
    if len(password) > PASSWORD_MAX:
        return [_l("The password must have at most %(n)d characters.", n=PASSWORD_MAX)]
    return []


def _profile_errors(
    display_name: str, region_code: str | None, language: str | None, school_id: int | None
) -> dict[str, list]:
    """The rules shared by registration and the profile page."""
    errors: dict[str, list] = {}
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = [
            _l("Give a display name of 1 to %(n)d characters.", n=DISPLAY_NAME_MAX)
        ]
    region = db.session.get(Region, region_code) if region_code else None
    if region is None or region.level != COUNTY_LEVEL:
        errors["region_code"] = [_l("Choose your banner, county or district.")]
    if language not in LANGUAGES:
        errors["language"] = [_l("Choose Chinese or Mongolian.")]
    if school_id is not None and db.session.get(School, school_id) is None:
        errors["school_id"] = [_l("This school does not exist.")]
    return errors


def register_user(
    *,
    username: str | None,
    password: str | None,
    display_name: str | None,
    region_code: str | None,
    language: str | None,
    now: datetime,
    school_id: int | None = None,
    roles: Iterable[str] = (Role.PARTICIPANT,),
) -> User:
    """Create an account or raise ``ValidationFailed`` naming every bad field."""
    errors: dict[str, list] = {}
    username = unicodedata.normalize("NFC", username or "").strip()
    display_name = unicodedata.normalize("NFC", display_name or "").strip()
    if not USERNAME_RE.match(username):
        errors["username"] = [_l("Use 3 to 32 letters, digits, dots, hyphens or underscores.")]
    elif db.session.scalar(select(User.id).where(User.username_key == username_key(username))):
        errors["username"] = [_l("This username is taken.")]
    if problems := check_password_rules(password):
        errors["password"] = problems
    errors.update(_profile_errors(display_name, region_code, language, school_id))
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        username_key=username_key(username),
        password_hash=hash_password(password or ""),
        display_name=display_name,
        region_code=region_code or "",
        school_id=school_id,
        language=language or "zh",
        created_at=now,
    )
    user.role_rows = [UserRole(role=str(role)) for role in roles]
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent registration took the name first
        db.session.rollback()
        raise ValidationFailed({"username": [_l("This username is taken.")]}) from exc
    return user


def authenticate(username: str | None, password: str | None) -> User | None:
    user = db.session.scalar(select(User).where(User.username_key == username_key(username or "")))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, now: datetime, days: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=days)
    db.session.add(
        ApiToken(
            user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=expires_at
        )
    )
    db.session.commit()
    return token, expires_at


def user_for_token(token: str, now: datetime) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or row.expires_at <= now or not row.user.is_active:
        return None
    return row.user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version, so bumping it logs out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def update_profile(
    user: User,
    *,
    display_name: str | None,
    region_code: str | None,
    language: str | None,
    school_id: int | None,
) -> User:
    display_name = unicodedata.normalize("NFC", display_name or "").strip()
    if errors := _profile_errors(display_name, region_code, language, school_id):
        raise ValidationFailed(errors)
    user.display_name = display_name
    user.region_code = region_code or user.region_code
    user.language = language or user.language
    user.school_id = school_id
    db.session.commit()
    return user
