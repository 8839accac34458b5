"""Extra time for one participant in one round (issue 17 item 7, like Moodle's user
overrides).

The deadline of an attempt is stored when it starts, and everything that enforces it reads
the stored value: the quiz page's countdown, the API's ``deadline``, the guarded answer save
(``deadline >= now - grace``) and the overdue sweep. So extra time is added in ONE place,
:func:`attempt_deadline`, which both :func:`quiz.play.services.start_attempt` and a grant or
revoke (:func:`refresh_open_deadlines`, for an attempt already running) call: they cannot
disagree. The extra time extends the person's attempt even past the round's close.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from quiz.contests.models import Round, RoundRules
from quiz.extensions import db
from quiz.play.models import Attempt, ExtraTime

MIN_EXTRA_MINUTES = 1
MAX_EXTRA_MINUTES = 240


def attempt_deadline(
    round_: Round | RoundRules, started_at: datetime, extra_seconds: int
) -> datetime:
    """The earlier of start + time limit and the round's close, plus the person's extra
    time (which therefore may run past the close)."""
    base = min(started_at + timedelta(seconds=round_.time_limit_seconds), round_.effective_close())
    return base + timedelta(seconds=max(0, extra_seconds))


def extra_seconds(round_id: int, user_id: int) -> int:
    """The extra time granted to this person in this round (0 without a grant)."""
    return (
        db.session.scalar(
            select(ExtraTime.extra_seconds).where(
                ExtraTime.round_id == round_id, ExtraTime.user_id == user_id
            )
        )
        or 0
    )


def grants(round_id: int) -> list[ExtraTime]:
    """Every grant of a round, newest first (the organizer's list)."""
    return list(
        db.session.scalars(
            select(ExtraTime)
            .where(ExtraTime.round_id == round_id)
            .order_by(ExtraTime.granted_at.desc(), ExtraTime.user_id)
        )
    )


def refresh_open_deadlines(round_: Round, user_id: int, seconds: int) -> int:
    """Recompute the deadline of the person's running attempts after a grant or revoke
    (the caller commits). A revoke may put the deadline in the past: the attempt is then
    closed at it on its next access or by the sweep, like any overdue attempt."""
    open_attempts = db.session.scalars(
        select(Attempt).where(
            Attempt.round_id == round_.id,
            Attempt.user_id == user_id,
            Attempt.finished_at.is_(None),
        )
    ).all()
    for attempt in open_attempts:
        attempt.deadline = attempt_deadline(round_, attempt.started_at, seconds)
    return len(open_attempts)


def extra_minutes_by_round(round_ids: list[int], user_id: int) -> dict[int, int]:
    """The person's granted extra minutes per round (only rounds with a grant)."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(ExtraTime.round_id, ExtraTime.extra_seconds).where(
            ExtraTime.user_id == user_id, ExtraTime.round_id.in_(round_ids)
        )
    )
    return {round_id: seconds // 60 for round_id, seconds in rows}
