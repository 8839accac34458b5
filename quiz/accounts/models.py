"""Users, their roles and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.extensions import db
from quiz.regions.models import Region

if TYPE_CHECKING:  # schools sit above accounts; the mapper resolves "School" by name
    from quiz.schools.models import School


class Role(StrEnum):
    PARTICIPANT = "participant"
    TEACHER = "teacher"
    ORGANIZER = "organizer"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    # casefolded username: the unique key, so "Bat" and "bat" are one account.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="zh")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to end every session of the user (logout everywhere, password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Two-factor login (TOTP, RFC 6238), offered to organizers and admins. The secret is
    # set while enrolling; the login asks for a code once ``totp_enabled_at`` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The last time step whose code was accepted: a code works once (no replay).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Set on accounts a teacher created (one-time password): the login sends the person
    # to the change-password page until they choose their own (quiz.accounts.sessions).
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # Optional, set by the person on the profile page: where a forgotten-password link
    # goes (quiz.accounts.recovery), when the operator configured mail. Stored casefolded.
    email: Mapped[str | None] = mapped_column(String(254), index=True)

    region: Mapped[Region] = relationship(lazy="joined")
    school: Mapped[School | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles)) or Role.ADMIN in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:  # Flask-Login: the session id carries the version
        return f"{self.id}:{self.session_version}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)


# The admin console searches 600,000 accounts by the start of a username or a display
# name (quiz.admin.services.find_users). PostgreSQL's LIKE 'abc%' needs pattern-ops
# indexes to use them (its text collation orders otherwise); SQLite's GLOB uses these as
# plain indexes.
Index(
    "ix_users_username_key_prefix",
    User.username_key,
    postgresql_ops={"username_key": "varchar_pattern_ops"},
)
Index(
    "ix_users_display_name_prefix",
    User.display_name,
    postgresql_ops={"display_name": "varchar_pattern_ops"},
)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    # "Every organizer" (the admin console's role filter, the last-admin check).
    __table_args__ = (Index("ix_user_roles_role_user_id", "role", "user_id"),)


class ApiToken(db.Model):
    """A bearer token for mobile clients; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # What asked for the token (the client's User-Agent, shortened): shown on the profile
    # page so a person can tell their apps apart and revoke one.
    client: Mapped[str | None] = mapped_column(String(128))

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(db.Model):
    """One browser login, so a person can see their sessions and end one.

    The cookie carries a random key (``quiz.accounts.sessions``); only its SHA-256 is
    stored. The loader that reads the user for every cookie request joins this row in the
    same query, so a revoked session stops at its next request on every app server. A
    row is alive while it is not revoked, not past ``expires_at`` and its ``version`` is
    still the user's ``session_version`` (logout everywhere, a password change).
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(128))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class PasswordResetToken(db.Model):
    """A forgotten-password link sent by mail: single use, 30 minutes; only its SHA-256 is kept."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator; only its SHA-256 is stored.

    The codes carry 80 random bits, so a fast hash is as safe as a slow one (as for API
    tokens) and checking one costs no scrypt round per stored code.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
