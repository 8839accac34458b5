"""Practice sessions, the wrong-answer book (错题本) and the daily sets (每日一练).

Nothing here touches a contest's attempts, boards or results: practice has its own
tables. A session's ``source`` says what it drew from (``practice``, ``mistakes`` or
``daily``); a science-literacy self-test (``Assessment``) sits beside it as a table of
its own, since it is marked only when finished and scored by survey part.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model


class Source(StrEnum):
    PRACTICE = "practice"
    MISTAKES = "mistakes"
    DAILY = "daily"
    CONTEST = "contest"  # book entries only: a wrong answer in a reviewed contest round
    SELFTEST = "selftest"  # book entries only: a wrong answer in a finished self-test


class PracticeSession(Model):
    """One run of practice questions. A daily session also carries its day, and there is
    one per person and day (the unique key settles concurrent starts)."""

    __tablename__ = "practice_sessions"
    __table_args__ = (
        UniqueConstraint("user_id", "daily_day"),
        Index("ix_practice_sessions_daily_day", "daily_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    # The category slug drawn from; None: mixed (or the book, or the daily set).
    category: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    seed: Mapped[int] = mapped_column(BigInteger)
    # The daily set's day in the contests' zone (Asia/Shanghai); None for other sources.
    daily_day: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when the last question is answered.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    question_count: Mapped[int] = mapped_column(Integer)
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)


class PracticeItem(Model):
    """One question of a session, its option order, and the answer once given (final:
    the key is shown at once, so a second, different answer is refused)."""

    __tablename__ = "practice_items"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    option_order: Mapped[list[str]] = mapped_column(JSON)
    # Original option keys, sorted; None until answered.
    choice: Mapped[list[str] | None] = mapped_column(JSON)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)


class DailySet(Model):
    """The day's five questions in one language, drawn once from the date's seed and
    kept, so everyone gets the same set even if a bank changes during the day."""

    __tablename__ = "daily_sets"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Mistake(Model):
    """A question in a person's wrong-answer book. The row stays when the question
    leaves the book (``cleared_at``), so a later wrong answer puts it back with its
    count; ``correct_streak`` counts right answers in a row on different days."""

    __tablename__ = "mistakes"
    __table_args__ = (Index("ix_mistakes_user_open", "user_id", "cleared_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    times_wrong: Mapped[int] = mapped_column(Integer, default=1)
    first_wrong_at: Mapped[datetime] = mapped_column(DateTime)
    last_wrong_at: Mapped[datetime] = mapped_column(DateTime)
    last_source: Mapped[str] = mapped_column(String(16))
    correct_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_correct_day: Mapped[date | None] = mapped_column(Date)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)


class MistakeHarvest(Model):
    """A contest attempt whose wrong answers were put into its owner's book (once its
    round's review opened): each attempt is collected once."""

    __tablename__ = "mistake_harvests"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    harvested_at: Mapped[datetime] = mapped_column(DateTime)


class Assessment(Model):
    """One science-literacy self-test (``quiz.practice.assessment``): 50 questions over
    the 26 benchmarks, marked when finished. ``region_code`` and ``age_group`` are
    snapshots taken at the start, so the organizers' literacy figures do not move when a
    person later changes region. Scores are in points out of 100, exact to 0.1 (the
    parts add up to ``score``); all of them are None until finished."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_finished_at", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    # Self-declared at the start, optional: one of assessment.AGE_GROUPS.
    age_group: Mapped[str | None] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    knowledge_score: Mapped[float | None] = mapped_column(Float)
    method_score: Mapped[float | None] = mapped_column(Float)
    spirit_score: Mapped[float | None] = mapped_column(Float)
    application_score: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(16))


class AssessmentItem(Model):
    """One question of a self-test with the part and benchmark it counts for, its
    option order and the answer (changeable until the test is finished). ``correct`` is
    written at finish; an unanswered question is wrong."""

    __tablename__ = "assessment_items"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    part: Mapped[str] = mapped_column(String(16))
    benchmark: Mapped[str] = mapped_column(String(3))
    option_order: Mapped[list[str]] = mapped_column(JSON)
    choice: Mapped[list[str] | None] = mapped_column(JSON)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
