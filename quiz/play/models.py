"""Attempts and answers: the durable record that every leaderboard is rebuilt from.

Everything an attempt needs to be replayed is stored when it starts (the seed, the drawn
questions in order, each one's option permutation and the deadline), so a reload, a
second device or an audit sees exactly what the participant saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model


class FinishReason(StrEnum):
    """Why an attempt ended (``Attempt.finish_reason``; the values are what is stored)."""

    SUBMITTED = "submitted"  # handed in by the participant
    DEADLINE = "deadline"  # closed by the server at the deadline (or the round's close)
    FOCUS_LIMIT = "focus_limit"  # handed in when the page lost focus too often
    LIVE = "live"  # finished with its live game (quiz/live)


class Attempt(Model):
    __tablename__ = "attempts"
    __table_args__ = (
        # One attempt number per user and round: concurrent starts cannot both win.
        UniqueConstraint("round_id", "user_id", "attempt_no"),
        ForeignKeyConstraint(["contest_id", "round_id"], ["rounds.contest_id", "rounds.id"]),
        ForeignKeyConstraint(["contest_id", "league_id"], ["leagues.contest_id", "leagues.id"]),
        Index("ix_attempts_open_deadline", "finished_at", "deadline"),
        Index("ix_attempts_contest_user", "contest_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer)
    contest_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The league the result counts in, copied from the enrollment when it started.
    league_id: Mapped[int] = mapped_column(Integer)
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(2))
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A FinishReason value (stored as plain text).
    finish_reason: Mapped[str | None] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[int] = mapped_column(Integer)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    question_count: Mapped[int] = mapped_column(Integer)
    last_answer_at: Mapped[datetime | None] = mapped_column(DateTime)
    time_used_ms: Mapped[int | None] = mapped_column(Integer)
    # The speed bonus added to ``points`` when the attempt finished (0 without one), kept
    # apart so results can show it; ``points`` already includes it.
    bonus_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Times the page lost focus (切屏) while the round records it (quiz/play/fairplay.py).
    focus_losses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    focus_lost_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


# The attempt's columns a board standing is made of (``leaderboards.standing``): what a
# save returns to publish (with its answered count) and what a rebuild replays.
STANDING_COLUMNS = (
    "id",
    "contest_id",
    "round_id",
    "league_id",
    "user_id",
    "attempt_no",
    "points",
    "started_at",
    "deadline",
    "finished_at",
    "time_used_ms",
    "last_answer_at",
)


@dataclass(frozen=True)
class NewAttempt:
    """An attempt just inserted, as the values written: what its board publish and its
    response read, without an ORM object (every column is known, so none is read back).
    ``quiz.play.services.Started.loaded`` turns it into an ``Attempt`` where one is
    needed (the pages, a response built the usual way)."""

    id: int
    round_id: int
    contest_id: int
    user_id: int
    league_id: int
    attempt_no: int
    language: str
    seed: int
    started_at: datetime
    deadline: datetime
    points: int
    max_points: int
    correct_count: int
    answered_count: int
    question_count: int
    finished_at: None = None
    finish_reason: None = None
    last_answer_at: None = None
    time_used_ms: None = None
    bonus_points: int = 0


class AttemptItem(Model):
    """One drawn question of an attempt, in the order and option order shown."""

    __tablename__ = "attempt_items"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    # Original option keys in the order presented: the client sees A, B, C... in this order.
    option_order: Mapped[list[str]] = mapped_column(JSON)
    points: Mapped[int] = mapped_column(Integer)

    @staticmethod
    def looked_up(column: Any, key: Any, *also: Any) -> Any:
        """``column`` of the item's row in another table (``key == question_id``, and
        ``also``), looked up by its primary key item by item, as a scalar subquery.

        Not a join: with a join the plan depends on attempt_items' statistics, which lag
        behind while a round's attempts are being started (autovacuum analyzes a table at
        most once a minute, and not at all where it is off). Taken as large, an attempt's
        20 items were hash-joined with a scan of every question of every bank: 20-55 ms
        of PostgreSQL per read instead of 0.1 ms (docs/performance.md, "10. Latency under
        steady load"). SQLite has no LATERAL join, so one subquery per column."""
        return select(column).where(key == AttemptItem.question_id, *also).scalar_subquery()


class Answer(Model):
    """The latest choice for one question of an attempt (upserted, so a retry counts once)."""

    __tablename__ = "answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "no"],
            ["attempt_items.attempt_id", "attempt_items.no"],
            ondelete="CASCADE",
        ),
    )

    attempt_id: Mapped[int] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Original option keys, sorted: statistics stay the same whatever order was shown.
    choice: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(DateTime)
    revisions: Mapped[int] = mapped_column(Integer, default=1)


class ExtraTime(Model):
    """Extra time an organizer granted one participant in one round (like Moodle's user
    overrides): added to the deadline of that person's attempts (quiz/play/extra_time.py),
    even past the round's close."""

    __tablename__ = "round_extra_times"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    extra_seconds: Mapped[int] = mapped_column(Integer)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
