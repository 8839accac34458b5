"""Two-factor login with time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

Offered to teachers, organizers and admins, whose accounts can change contests, results
and pupils' passwords; an admin can require it of a role (``required_roles``: those
users are sent to set it up at their next login). The
secret is shown as text and as an ``otpauth://`` URI (no QR image: nothing to render or
fetch); any authenticator app accepts either. Once enabled, the login page asks for a
code after the password. A code is accepted for the current 30-second step and one step
either side (clock drift), and each step only once. Ten recovery codes, shown once and
stored hashed, stand in for a lost phone; each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from quiz.accounts.models import RecoveryCode, User
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.site_settings import TWO_FACTOR_REQUIRED_ROLES, get_setting

# Who may turn it on, and whose role can be made to need it.
ROLES = ("admin", "organizer", "teacher")
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_RECOVERY_LENGTH = 16  # 16 symbols of 32: 80 random bits
_SEPARATORS = re.compile(r"[\s\-]+")


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226 recommends at least 128)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def _step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at ``now`` (naive UTC); tests use it too."""
    return pyotp.TOTP(secret).generate_otp(_step(now))


def _matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    totp = pyotp.TOTP(secret)
    current = _step(now)
    given = code.encode()  # compare_digest refuses str with non-ASCII characters
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue  # this step's code was already used: no replay
        if hmac.compare_digest(totp.generate_otp(step).encode(), given):
            return step
    return None


def _normalize(code: str | None) -> str:
    return _SEPARATORS.sub("", code or "").upper()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw), created_at=now))
    return codes


def enable(
    user: User, *, secret: str, code: str | None, password: str | None, now: datetime
) -> list[str]:
    """Turn two-factor login on once the person proves they hold the secret.

    Needs the account password too, so a borrowed session cannot lock the owner out.
    Ends the user's other sessions. Returns the recovery codes, to be shown once.
    """
    errors: dict[str, list] = {}
    if not check_password_hash(user.password_hash, password or ""):
        errors["password"] = [_l("This is not your current password.")]
    step = _matching_step(secret, _normalize(code), now, None)
    if step is None:
        errors["code"] = [_l("This code is not right. Enter the 6 digits your app shows now.")]
    if errors:
        raise ValidationFailed(errors)
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    user.session_version = (user.session_version or 1) + 1
    codes = _new_recovery_codes(user, now)
    db.session.commit()
    return codes


def verify(user: User, code: str | None, now: datetime) -> bool:
    """Check a login code: a TOTP code (once per step) or an unused recovery code."""
    if not user.two_factor_enabled:
        return False
    normalized = _normalize(code)
    if normalized.isascii() and normalized.isdigit() and len(normalized) == 6:
        step = _matching_step(user.totp_secret or "", normalized, now, user.totp_last_step)
        if step is None:
            return False
        user.totp_last_step = step
        db.session.commit()
        return True
    if len(normalized) != _RECOVERY_LENGTH:
        return False
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(normalized),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    db.session.commit()
    return True


def disable(user: User, *, password: str | None, code: str | None, now: datetime) -> None:
    """Turn two-factor login off: needs the password and a current code (or recovery code)."""
    errors: dict[str, list] = {}
    if not check_password_hash(user.password_hash, password or ""):
        errors["password"] = [_l("This is not your current password.")]
    elif not verify(user, code, now):
        errors["code"] = [_l("This code is not right. Enter the 6 digits your app shows now.")]
    if errors:
        raise ValidationFailed(errors)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_version = (user.session_version or 1) + 1
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()


def unused_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def required_roles() -> list[str]:
    """The roles an admin requires two-factor login of (a stored setting)."""
    value = get_setting(TWO_FACTOR_REQUIRED_ROLES, [])
    return sorted(r for r in value if r in ROLES) if isinstance(value, list) else []


def setup_required(user: User) -> bool:
    """Must ``user`` set up two-factor login before going on? (A required role, not on.)"""
    return not user.two_factor_enabled and bool(user.roles & set(required_roles()))
