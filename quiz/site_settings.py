"""Settings an admin changes at run time, stored in the database (one row per key).

The environment (``quiz/config.py``) says how the platform is deployed and is read once
at start; these are policies that an admin changes in the console while it runs and
that every app server must see at once, so they live in SQL. Today one key exists:

- ``two_factor_required_roles``: a list of role names, e.g. ``["admin", "organizer"]``;
  read by the login (``quiz.accounts.routes``).

Reads are one primary-key lookup; only logins read them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model, db

TWO_FACTOR_REQUIRED_ROLES = "two_factor_required_roles"


class SiteSetting(Model):
    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def get_setting(key: str, default: Any = None) -> Any:
    row = db.session.get(SiteSetting, key)
    return default if row is None else row.value


def put_setting(key: str, value: Any, *, actor_id: int | None, now: datetime) -> Any:
    """Store ``value`` (flushes; the caller commits). Returns the previous value."""
    row = db.session.get(SiteSetting, key)
    before = None if row is None else row.value
    if row is None:
        row = SiteSetting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_at = now
    row.updated_by_id = actor_id
    db.session.flush()
    return before
