"""Fair play beyond the attempt rules: too-fast answering and leaving the page (切屏).

Kept apart from ``quiz/play/services.py`` so the answer hot path stays as it is:

- **Too fast.** Nothing extra is written per answer. The seconds a participant spent on
  an answer are read off timestamps already stored: the attempt's ``started_at`` and
  each answer's ``answered_at``. Sorted, each gap is the time from the previous save
  (or the start) to this one, which in the one-question-a-page flow is the time to read
  and answer the question. An attempt is flagged when the median gap is below the
  round's threshold or when enough gaps are under ``QUIZ_FLAG_FAST_SECONDS``. A changed
  answer moves its ``answered_at`` later, which can only make gaps look *longer* for
  the questions in between, so a revision never creates a false "too fast" flag by
  itself; flags are a prompt for an organizer to look, never an automatic penalty.
- **Focus loss.** When a round switches it on, the quiz page reports each time it is
  hidden or loses focus; the count is one ``UPDATE … SET focus_losses = focus_losses + 1``
  on the attempt (debounced: one loss per second at most, since a tab switch fires both
  ``blur`` and ``visibilitychange``). At the round's limit the attempt is finished in
  the same transaction, if the round says so, through ``finish_attempt`` like any
  other finish (with the speed bonus).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from quiz.accounts.models import User
from quiz.audit.services import changed, record, snapshot
from quiz.contests.models import Round
from quiz.edge.client import Actor
from quiz.edge.params import whole_number
from quiz.errors import Conflict, ValidationFailed
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, FinishReason
from quiz.play.services import finalize_if_overdue, finish_attempt, get_own_attempt

FOCUS_LIMIT = FinishReason.FOCUS_LIMIT  # Attempt.finish_reason when the focus limit ended it
FOCUS_DEBOUNCE = timedelta(seconds=1)
MIN_ANSWERS_FOR_MEDIAN = 3
SETTINGS = (
    "focus_tracking",
    "focus_limit",
    "focus_auto_finish",
    "flag_median_seconds",
    "flag_fast_answers",
)


# --- focus loss ------------------------------------------------------------------------


@dataclass(frozen=True)
class FocusState:
    count: int
    limit: int | None
    finished: bool

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "limit": self.limit, "finished": self.finished}


def record_focus_loss(attempt_id: int, user: User, now: datetime) -> FocusState:
    """Count one loss of focus for the caller's running attempt; finish it at the limit.

    One transaction: the counter update (guarded by "still running" and the debounce)
    and, when the count reaches the round's limit and the round says so, the finish
    (``finish_attempt``, the one path: speed bonus and board publish included). Flushes;
    the request commits.
    """
    attempt = get_own_attempt(attempt_id, user)
    round_ = db.session.get(Round, attempt.round_id)
    assert round_ is not None
    if not round_.focus_tracking:
        raise Conflict(
            _l("This round does not record leaving the page."), code="focus_not_recorded"
        )
    finalize_if_overdue(attempt, now)
    if attempt.finished_at is not None:
        raise Conflict(
            _l("This attempt is finished: answers can no longer change."), code="attempt_finished"
        )
    counted = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.finished_at.is_(None),
            (Attempt.focus_lost_at.is_(None)) | (Attempt.focus_lost_at <= now - FOCUS_DEBOUNCE),
        )
        .values(focus_losses=Attempt.focus_losses + 1, focus_lost_at=now)
        .returning(Attempt.focus_losses)
    ).scalar()
    count = (
        counted
        if counted is not None
        else db.session.scalar(select(Attempt.focus_losses).where(Attempt.id == attempt.id))
    )
    limit = round_.focus_limit
    if counted is not None and limit and counted >= limit and round_.focus_auto_finish:
        finish_attempt(attempt, now, FinishReason.FOCUS_LIMIT)  # still within the grace
    return FocusState(count=int(count or 0), limit=limit, finished=attempt.finished_at is not None)


# --- too-fast answering ----------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    median_seconds: int
    fast_answers: int
    fast_seconds: int

    @classmethod
    def of(cls, round_: Round) -> Thresholds:
        config = current_app.config
        return cls(
            median_seconds=round_.flag_median_seconds or config["QUIZ_FLAG_MEDIAN_SECONDS"],
            fast_answers=round_.flag_fast_answers or config["QUIZ_FLAG_FAST_ANSWERS"],
            fast_seconds=config["QUIZ_FLAG_FAST_SECONDS"],
        )


@dataclass
class Flag:
    """One attempt an organizer should look at, and why."""

    attempt_id: int
    user_id: int
    username: str
    display_name: str
    answered: int
    median_seconds: float | None
    fast_answers: int
    focus_losses: int
    finished: bool
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "answered": self.answered,
            "median_seconds": self.median_seconds,
            "fast_answers": self.fast_answers,
            "focus_losses": self.focus_losses,
            "finished": self.finished,
            "reasons": self.reasons,
        }


def answer_seconds(started_at: datetime, answered_at: list[datetime]) -> list[float]:
    """Seconds spent on each answer: from the previous save (or the start) to this one."""
    gaps = []
    previous = started_at
    for moment in sorted(answered_at):
        gaps.append(max(0.0, (moment - previous).total_seconds()))
        previous = moment
    return gaps


def _answer_times(round_id: int) -> Iterator[tuple[int, datetime, list[datetime]]]:
    """(attempt id, start, answer times) per attempt of the round, streamed from SQL."""
    rows = db.session.execute(
        select(Answer.attempt_id, Attempt.started_at, Answer.answered_at)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.round_id == round_id)
        .order_by(Answer.attempt_id)
        .execution_options(yield_per=5000)
    )
    current: int | None = None
    start: datetime | None = None
    times: list[datetime] = []
    for attempt_id, started_at, answered_at in rows:
        if attempt_id != current:
            if current is not None and start is not None:
                yield current, start, times
            current, start, times = attempt_id, started_at, []
        times.append(answered_at)
    if current is not None and start is not None:
        yield current, start, times


def flagged_attempts(round_: Round) -> list[Flag]:
    """Attempts of the round that answered faster than a person reads, or left the page.

    Reasons: ``fast_median`` (median seconds per answer below the round's threshold, with
    at least three answers), ``fast_answers`` (that many answers under the fast-answer
    seconds) and ``focus`` (the page lost focus at least once, in rounds recording it).
    Most suspicious first: more reasons, then the lower median.
    """
    limits = Thresholds.of(round_)
    found: dict[int, tuple[float | None, int, int]] = {}
    for attempt_id, started_at, times in _answer_times(round_.id):
        gaps = answer_seconds(started_at, times)
        median = statistics.median(gaps) if len(gaps) >= MIN_ANSWERS_FOR_MEDIAN else None
        fast = sum(1 for gap in gaps if gap < limits.fast_seconds)
        found[attempt_id] = (median, fast, len(gaps))
    suspects = [
        attempt_id
        for attempt_id, (median, fast, _n) in found.items()
        if (median is not None and median < limits.median_seconds) or fast >= limits.fast_answers
    ]
    focus_ids = (
        set(
            db.session.scalars(
                select(Attempt.id).where(Attempt.round_id == round_.id, Attempt.focus_losses > 0)
            )
        )
        if round_.focus_tracking
        else set()
    )
    ids = sorted(set(suspects) | focus_ids)
    if not ids:
        return []
    flags = []
    rows = db.session.execute(
        select(Attempt, User.username, User.display_name)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.id.in_(ids))
    ).all()
    for attempt, username, display_name in rows:
        median, fast, answered = found.get(attempt.id, (None, 0, 0))
        flag = Flag(
            attempt_id=attempt.id,
            user_id=attempt.user_id,
            username=username,
            display_name=display_name,
            answered=answered,
            median_seconds=round(median, 1) if median is not None else None,
            fast_answers=fast,
            focus_losses=attempt.focus_losses,
            finished=attempt.finished_at is not None,
        )
        if median is not None and median < limits.median_seconds:
            flag.reasons.append("fast_median")
        if fast >= limits.fast_answers:
            flag.reasons.append("fast_answers")
        if attempt.id in focus_ids:
            flag.reasons.append("focus")
        flags.append(flag)
    flags.sort(key=lambda f: (-len(f.reasons), f.median_seconds or 1e9, f.attempt_id))
    return flags


# --- settings --------------------------------------------------------------------------


def _optional_int(name: str, value: Any, low: int, high: int, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    value = whole_number(value, low=low, high=high)
    if value is None:
        errors[name] = [_l("Must be between %(low)d and %(high)d.", low=low, high=high)]
        return None
    return value


def configure(
    round_: Round,
    *,
    actor: Actor,
    now: datetime,
    focus_tracking: bool,
    focus_limit: Any,
    focus_auto_finish: bool,
    flag_median_seconds: Any,
    flag_fast_answers: Any,
) -> Round:
    """Change a round's fair-play settings (audited; flushes, the request commits)."""
    errors: dict[str, list] = {}
    values = {
        "focus_tracking": bool(focus_tracking),
        "focus_limit": _optional_int("focus_limit", focus_limit, 1, 1000, errors),
        "focus_auto_finish": bool(focus_auto_finish),
        "flag_median_seconds": _optional_int(
            "flag_median_seconds", flag_median_seconds, 1, 600, errors
        ),
        "flag_fast_answers": _optional_int("flag_fast_answers", flag_fast_answers, 1, 1000, errors),
    }
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(round_, SETTINGS)
    for name, value in values.items():
        setattr(round_, name, value)
    old, new = changed(before, snapshot(round_, SETTINGS))
    if new:
        record(
            actor,
            action="round.fair_play",
            object_type="round",
            object_id=round_.id,
            contest_id=round_.contest_id,
            now=now,
            before=old,
            after=new,
        )
    db.session.flush()
    return round_
