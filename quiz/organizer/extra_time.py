"""Granting and taking back a participant's extra time in a round (the organizer side of
``quiz.play.extra_time``, which owns the deadline rule).

A grant is one row per (round, person); granting again replaces it. Both write an audit
event in the same transaction and move the deadline of the person's running attempt at
once, so their countdown, the API and the server's refusal of late answers follow.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from quiz.accounts.models import User
from quiz.accounts.services import username_key
from quiz.audit.services import record
from quiz.contests.models import Enrollment, Round, RoundMode
from quiz.edge.client import Actor
from quiz.errors import Conflict, ValidationFailed
from quiz.extensions import db
from quiz.names import check_name
from quiz.play.extra_time import MAX_EXTRA_MINUTES, MIN_EXTRA_MINUTES, refresh_open_deadlines
from quiz.play.models import ExtraTime

MAX_REASON_LENGTH = 200


@dataclass(frozen=True)
class Grant:
    """One row of the organizer's list."""

    user_id: int
    username: str
    display_name: str
    extra_minutes: int
    reason: str
    granted_at: datetime


def round_grants(round_: Round) -> list[Grant]:
    rows = db.session.execute(
        select(ExtraTime, User.username, User.display_name)
        .join(User, User.id == ExtraTime.user_id)
        .where(ExtraTime.round_id == round_.id)
        .order_by(User.username_key)
    ).all()
    return [
        Grant(
            user_id=grant.user_id,
            username=username,
            display_name=display_name,
            extra_minutes=grant.extra_seconds // 60,
            reason=grant.reason,
            granted_at=grant.granted_at,
        )
        for grant, username, display_name in rows
    ]


def _participant(round_: Round, username: str) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username_key(username or "")))
    if user is None:
        raise ValidationFailed({"username": [_l("No account has this username.")]})
    enrolled = db.session.scalar(
        select(Enrollment.id).where(
            Enrollment.contest_id == round_.contest_id, Enrollment.user_id == user.id
        )
    )
    if enrolled is None:
        raise ValidationFailed({"username": [_l("This person has not joined the contest.")]})
    return user


def grant_extra_time(
    round_: Round, username: str, minutes: int | None, reason: str, actor: Actor, now: datetime
) -> User:
    """Give one participant ``minutes`` more in this round (replacing an earlier grant)."""
    if round_.mode == RoundMode.LIVE:
        raise Conflict(
            _l("A live round is paced by its host: it has no extra time."), code="live_round"
        )
    errors: dict[str, list] = {}
    if minutes is None or not MIN_EXTRA_MINUTES <= minutes <= MAX_EXTRA_MINUTES:
        errors["extra_minutes"] = [
            _l(
                "Extra time is a whole number of minutes from %(low)d to %(high)d.",
                low=MIN_EXTRA_MINUTES,
                high=MAX_EXTRA_MINUTES,
            )
        ]
    reason = unicodedata.normalize("NFC", reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [_l("At most %(n)d characters.", n=MAX_REASON_LENGTH)]
    check_name(errors, "reason", reason)
    if errors:
        raise ValidationFailed(errors)
    assert minutes is not None
    user = _participant(round_, username)
    row = db.session.get(ExtraTime, (round_.id, user.id))
    before = {"extra_minutes": row.extra_seconds // 60, "reason": row.reason} if row else None
    values = {
        "extra_seconds": minutes * 60,
        "granted_by": actor.user_id,
        "granted_at": now,
        "reason": reason,
    }
    if row is None:
        row = ExtraTime(round_id=round_.id, user_id=user.id, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    db.session.flush()
    refresh_open_deadlines(round_, user.id, row.extra_seconds)
    record(
        actor,
        action="round.extra_time_grant",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        before=before,
        after={"username": user.username, "extra_minutes": minutes, "reason": reason},
    )
    db.session.flush()
    return user


def revoke_extra_time(round_: Round, user_id: int, actor: Actor, now: datetime) -> None:
    """Take a grant back; a running attempt returns to the ordinary deadline."""
    row = db.session.get(ExtraTime, (round_.id, user_id))
    user = db.session.get(User, user_id)
    if row is None or user is None:
        raise Conflict(_l("This person has no extra time in this round."), code="no_extra_time")
    before = {
        "username": user.username,
        "extra_minutes": row.extra_seconds // 60,
        "reason": row.reason,
    }
    db.session.execute(
        delete(ExtraTime).where(ExtraTime.round_id == round_.id, ExtraTime.user_id == user_id)
    )
    refresh_open_deadlines(round_, user_id, 0)
    record(
        actor,
        action="round.extra_time_revoke",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        before=before,
    )
    db.session.flush()
