"""Administration: staff accounts, roles, disabling, password resets, regions, policies.

One set of plain functions behind both the ``quiz users`` command line and the admin
console (``/admin``). Every change is audited in the same transaction with who made it
(``Actor``: an admin and their address, or the operator ``cli``); the functions flush and
the caller (the route or the command) commits once.

The platform always keeps one active admin: revoking the admin role from, or disabling,
the last active admin is refused. The check locks the active admins' rows (``SELECT ...
FOR UPDATE`` on PostgreSQL; SQLite writers are serialized by ``BEGIN IMMEDIATE``), so two
admins removing each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, func, or_, select, update

from quiz.accounts.models import ApiToken, Role, User, UserRole
from quiz.accounts.services import (
    check_password_rules,
    new_user,
    one_time_password,
    revoke_tokens,
    set_one_time_password,
    username_key,
)
from quiz.accounts.token_cache import mark_tokens_changed
from quiz.accounts.two_factor import required_roles
from quiz.audit import pages as audit_pages
from quiz.audit import services as audit
from quiz.audit.models import AuditEvent
from quiz.audit.pages import AuditRow
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.names import name_problems
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL, Region
from quiz.schools.models import School
from quiz.site_settings import TWO_FACTOR_REQUIRED_ROLES, put_setting
from quiz.sql import prefix_match

STAFF_ROLES: tuple[str, ...] = (Role.ADMIN, Role.ORGANIZER, Role.TEACHER)
CLI_OPERATOR = "cli"
PAGE_SIZE = 50
BROAD = 20_000  # text matches beyond which the search walks the primary key instead
REGION_NAME_MAX = 128


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an admin (their id and address) or the command line."""

    user_id: int | None
    ip: str | None = None
    operator: str | None = None


CLI = Actor(user_id=None, operator=CLI_OPERATOR)


class LastAdmin(Conflict):
    code = "last_admin"


def _record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        actor_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        now=now,
        before=before,
        after=after,
        ip=actor.ip,
        operator=actor.operator,
    )


def _audit(
    actor: Actor,
    action: str,
    user: User,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    _record(actor, action, "user", user.id, now, before, after)


def _check_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": [_l("Choose admin, organizer or teacher.")]})
    return role


def user_by_username(username: str | None) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username_key(username or "")))
    if user is None:
        raise NotFound(_l("No account has this username."), code="user_not_found")
    return user


def user_by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No account has this username."), code="user_not_found")
    return user


def _active_admin_ids() -> list[int]:
    """The active admins, their rows locked until the transaction ends."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN, User.is_active_account.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    )


def _keep_an_admin(user: User) -> None:
    """Refuse to remove ``user`` from the active admins if they are the last one."""
    if Role.ADMIN in user.roles and user.is_active_account and _active_admin_ids() == [user.id]:
        raise LastAdmin(_l("This is the last active admin: make another account an admin first."))


def default_region_code() -> str:
    """The region of accounts created without one: the first banner/county of the list."""
    code = db.session.scalar(
        select(Region.code)
        .where(Region.level == COUNTY_LEVEL)
        .order_by(Region.position, Region.code)
        .limit(1)
    )
    return code or ""


# -- accounts --------------------------------------------------------------------------


def create_account(
    username: str | None,
    *,
    roles: Iterable[str],
    actor: Actor,
    now: datetime,
    display_name: str | None = None,
    language: str | None = "zh",
    region_code: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """A new account with ``roles``; returns it and its one-time password (or None).

    Without ``password`` a one-time password is made, to be changed at the first login,
    and returned once (only its hash is kept). A given password must pass the usual
    rules and is not forced to change.
    """
    roles = sorted({_check_role(str(role)) for role in roles})
    one_time = password is None
    if one_time:
        password = one_time_password()
    elif problems := check_password_rules(password, username):
        raise ValidationFailed({"password": problems})
    user = new_user(
        username=username,
        password=password,
        display_name=display_name if display_name is not None else username,
        region_code=region_code or default_region_code(),
        language=language,
        now=now,
        roles=roles or (Role.PARTICIPANT,),
        email=email,
        must_change_password=one_time,
    )
    _audit(
        actor,
        "user.create",
        user,
        now,
        after={"username": user.username, "roles": sorted(user.roles), "one_time": one_time},
    )
    return user, (password if one_time else None)


def grant_role(user: User, role: str, *, actor: Actor, now: datetime) -> bool:
    """Give ``user`` the role; False if they already had it (nothing recorded)."""
    _check_role(role)
    if role in user.roles:
        return False
    before = sorted(user.roles)
    user.role_rows.append(UserRole(role=role))
    db.session.flush()
    _audit(actor, "user.role_grant", user, now, {"roles": before}, {"roles": sorted(user.roles)})
    return True


def revoke_role(user: User, role: str, *, actor: Actor, now: datetime) -> bool:
    """Take the role away; False if they did not have it. Never the last active admin."""
    _check_role(role)
    if role not in user.roles:
        return False
    if role == Role.ADMIN:
        _keep_an_admin(user)
    before = sorted(user.roles)
    user.role_rows = [row for row in user.role_rows if row.role != role]
    if not user.role_rows:
        user.role_rows = [UserRole(role=str(Role.PARTICIPANT))]
    db.session.flush()
    _audit(actor, "user.role_revoke", user, now, {"roles": before}, {"roles": sorted(user.roles)})
    return True


def set_active(user: User, active: bool, *, actor: Actor, now: datetime) -> bool:
    """Enable or disable the account; False if it already was. Disabling ends every
    session and API token of the account at once, and is refused for the last admin."""
    if user.is_active_account == active:
        return False
    if not active:
        _keep_an_admin(user)
        user.session_version = (user.session_version or 1) + 1
        revoke_tokens(user)
    user.is_active_account = active
    db.session.flush()
    _audit(actor, "user.enable" if active else "user.disable", user, now, after={"active": active})
    return True


def reset_password(user: User, *, actor: Actor, now: datetime) -> str:
    """A one-time password for ``user`` (returned once), to be changed at the next login."""
    password = set_one_time_password(user)
    db.session.flush()
    _audit(actor, "user.password_reset", user, now)
    return password


def list_accounts(role: str | None = None) -> Iterator[User]:
    """Every account (or those holding ``role``), by username, streamed in chunks."""
    query = select(User).order_by(User.username_key)
    if role is not None:
        query = query.where(_has_role(_check_role(role)))
    yield from db.session.scalars(query.execution_options(yield_per=500))


def account_summary(user: User) -> dict[str, Any]:
    """An account as ``quiz users list --json`` prints it."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "active": user.is_active_account,
        "language": user.language,
        "region": user.region_code,
        "school_id": user.school_id,
        "email": user.email,
        "two_factor": user.two_factor_enabled,
        "must_change_password": user.must_change_password,
        "created_at": user.created_at.isoformat(timespec="seconds"),
    }


# -- finding accounts (the console) -----------------------------------------------------


def _has_role(role: str) -> ColumnElement[bool]:
    return exists().where(UserRole.user_id == User.id, UserRole.role == role)


@dataclass(frozen=True)
class UserQuery:
    """The console's search form: each part narrows the result (all are optional)."""

    text: str = ""  # the start of a username or a display name, or a whole e-mail address
    role: str = ""
    region: str = ""  # a 盟市 (its banners and counties too) or one banner/county
    school: str = ""  # the start of a school's Chinese or Mongolian name
    disabled_only: bool = False


def find_users(
    query: UserQuery, before_id: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[User], int | None]:
    """One page of matching accounts, newest first, and the id to page on from (or None).

    Built for 600,000 accounts: every condition is answered by an index (username and
    display-name prefixes, e-mail, role, region, school) and the page is a LIMIT on the
    primary key, so nothing is scanned or filtered in Python.
    """
    text = unicodedata.normalize("NFC", query.text).strip()
    statement = select(User).limit(size + 1)
    newest_first = User.id.desc()
    if text:
        matches = or_(
            prefix_match(User.username_key, username_key(text)),
            prefix_match(User.display_name, text),
            User.email == text.casefold(),
        )
        statement = statement.where(matches)
        # How to find the newest matches (docs/performance.md, "Admin console search"):
        # few matches are read through the prefix indexes and sorted ("id + 0" keeps
        # PostgreSQL from walking the primary key instead, filtering every row when the
        # matches are old accounts); a broad prefix walks the primary key, where matches
        # are dense enough to fill a page at once. Counting up to BROAD decides.
        found = db.session.scalar(
            select(func.count()).select_from(select(User.id).where(matches).limit(BROAD).subquery())
        )
        if (found or 0) < BROAD:
            newest_first = (User.id + 0).desc()
    statement = statement.order_by(newest_first)
    if query.role:
        statement = statement.where(_has_role(query.role))
    if query.region:
        region = db.session.get(Region, query.region)
        if region is not None and region.level == LEAGUE_LEVEL:
            counties = select(Region.code).where(Region.parent_code == region.code)
            statement = statement.where(User.region_code.in_(counties))
        else:
            statement = statement.where(User.region_code == query.region)
    school = unicodedata.normalize("NFC", query.school).strip()
    if school:
        schools = select(School.id).where(
            or_(prefix_match(School.name_zh, school), prefix_match(School.name_mn, school))
        )
        statement = statement.where(User.school_id.in_(schools))
    if query.disabled_only:
        statement = statement.where(User.is_active_account.is_(False))
    if before_id is not None:
        statement = statement.where(User.id < before_id)
    users = list(db.session.scalars(statement))
    more = len(users) > size
    users = users[:size]
    return users, (users[-1].id if more and users else None)


def account_trail(user: User, before_id: int | None) -> tuple[list[AuditRow], int | None]:
    """What was done to the account and what it did, newest first."""
    about = (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user.id))
    return audit_pages.page(or_(about, AuditEvent.actor_id == user.id), before_id)


# -- regions ------------------------------------------------------------------------------


def update_region(
    code: str, *, name_mn: str | None, reviewed: bool, actor: Actor, now: datetime
) -> Region:
    """Change a region's Mongolian name or its review mark.

    The region is marked as edited here (``mn_edited_at``), so ``quiz db upgrade``, which
    syncs the bundled list, keeps this name and mark (``quiz.regions.services``).
    """
    region = db.session.get(Region, code)
    if region is None:
        raise NotFound(_l("Not found."), code="region_not_found")
    name = unicodedata.normalize("NFC", name_mn or "").strip()
    if not name or len(name) > REGION_NAME_MAX:
        raise ValidationFailed(
            {"name_mn": [_l("Give a name of 1 to %(n)d characters.", n=REGION_NAME_MAX)]}
        )
    if problems := name_problems(name):
        raise ValidationFailed({"name_mn": problems})
    before = audit.snapshot(region, ("name_mn", "mn_reviewed"))
    region.name_mn = name
    region.mn_reviewed = reviewed
    after = audit.snapshot(region, ("name_mn", "mn_reviewed"))
    if before == after:
        return region
    region.mn_edited_at = now
    db.session.flush()
    was, now_is = audit.changed(before, after)
    _record(actor, "region.update", "region", code, now, was, now_is)
    return region


# -- policies -----------------------------------------------------------------------------


def set_two_factor_required_roles(roles: Iterable[str], *, actor: Actor, now: datetime) -> None:
    """Require two-factor login of these roles. Their browser sessions are sent to set it
    up at the next request; their API tokens are revoked (a new one needs it set up)."""
    chosen = sorted({_check_role(str(role)) for role in roles})
    before = required_roles()
    if chosen == before:
        return
    put_setting(TWO_FACTOR_REQUIRED_ROLES, chosen, actor_id=actor.user_id, now=now)
    added = set(chosen) - set(before)
    if added:
        without_two_factor = (
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role.in_(added), User.totp_enabled_at.is_(None))
        )
        mark_tokens_changed(db.session)  # type: ignore[arg-type]
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id.in_(without_two_factor), ApiToken.revoked.is_(False))
            .values(revoked=True)
        )
    _record(
        actor,
        "settings.two_factor_roles",
        "setting",
        TWO_FACTOR_REQUIRED_ROLES,
        now,
        {"roles": before},
        {"roles": chosen},
    )
