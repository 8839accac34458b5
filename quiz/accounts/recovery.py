"""Forgotten passwords: a link by e-mail, single use, valid for 30 minutes.

Only where the operator configured mail (``QUIZ_MAIL_URL``) and only to accounts whose
owner gave an e-mail address on their profile. Everyone else gets back in through a
teacher (pupils) or an admin, who set a one-time password.

- The request names a username or an e-mail address. The answer is the same whether or
  not an account matches, and takes the same time: the mail leaves from a background
  thread after the commit (``quiz.mail.send_later``).
- The link carries 256 random bits; only their SHA-256 is stored. It is claimed with one
  conditional UPDATE (unused and unexpired), so two clicks cannot both set a password.
- Setting the password ends every session and API token of the account, clears a
  pending one-time password, and voids the account's other links.
- Asking is rate-limited per address and per username/e-mail (``ratelimits.py``).
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from quiz.accounts.models import PasswordResetToken, User
from quiz.accounts.services import (
    check_password_rules,
    hash_key,
    hash_password,
    revoke_tokens,
    username_key,
)
from quiz.audit.services import record
from quiz.edge.client import Actor
from quiz.errors import NotFound, ValidationFailed
from quiz.extensions import db
from quiz.sql import rows_changed

LINK_MINUTES = 30
MAX_ACCOUNTS_PER_ADDRESS = 5  # a family may share one address; never mail more than this


def _void_links(user: User, now: datetime) -> None:
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


def request_links(
    identifier: str | None, now: datetime, requester: Actor
) -> list[tuple[User, str]]:
    """New links for the active accounts named by ``identifier`` (a username, or an e-mail
    address shared by up to five accounts) that have an e-mail address. Returns (account,
    link token) pairs to mail; empty when nothing matches. Flushes; the caller commits.

    ``requester`` is whoever asked (usually nobody signed in): each link keeps its address."""
    text = unicodedata.normalize("NFC", identifier or "").strip()
    if not text or len(text) > 254:
        return []
    condition = (
        User.email == text.casefold() if "@" in text else User.username_key == username_key(text)
    )
    users = db.session.scalars(
        select(User)
        .where(condition, User.email.is_not(None), User.is_active_account.is_(True))
        .order_by(User.id)
        .limit(MAX_ACCOUNTS_PER_ADDRESS)
    ).all()
    links = []
    for user in users:
        _void_links(user, now)  # only the newest link works
        token = secrets.token_urlsafe(32)
        db.session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=hash_key(token),
                created_at=now,
                expires_at=now + timedelta(minutes=LINK_MINUTES),
                ip=requester.ip,
            )
        )
        links.append((user, token))
    db.session.flush()
    return links


def _live(token: str | None, now: datetime) -> PasswordResetToken | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == hash_key(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at >= now,
        )
    )


def _invalid() -> NotFound:
    return NotFound(
        _l("This link is not valid any more. Ask for a new one."), code="reset_link_invalid"
    )


def account_for_link(token: str | None, now: datetime) -> User:
    """The account a live link is for (404 when it is unknown, used or expired)."""
    row = _live(token, now)
    user = db.session.get(User, row.user_id) if row else None
    if user is None or not user.is_active_account:
        raise _invalid()
    return user


def reset_with_link(
    token: str | None, new_password: str | None, now: datetime, requester: Actor
) -> User:
    """Set the password through a live link (used up here). Flushes; the caller commits.

    ``requester`` is whoever holds the link (signed out, so the edge knows only their
    address); the link names the account, so the audit event is that account's, from
    the requester's address."""
    user = account_for_link(token, now)
    if problems := check_password_rules(new_password, user.username):
        raise ValidationFailed({"new_password": problems})
    claimed = rows_changed(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == hash_key(token or ""),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at >= now,
        )
        .values(used_at=now)
    )
    if claimed != 1:  # another request used it first
        raise _invalid()
    _void_links(user, now)
    user.password_hash = hash_password(new_password or "")
    user.password_changed_at = now
    user.must_change_password = False
    user.session_version = (user.session_version or 1) + 1
    revoke_tokens(user)
    record(
        replace(requester, user_id=user.id, user=user),
        action="user.password_reset_by_mail",
        object_type="user",
        object_id=user.id,
        now=now,
    )
    db.session.flush()
    return user
