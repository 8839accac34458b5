"""Contests, leagues, rounds and enrollments.

A league is any division whose results are ranked apart: by default one per 盟市, but the
same table holds age groups, schools or custom divisions (``League.kind``). Every
enrollment is in exactly one league of its contest, enforced by a composite foreign key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.extensions import Model


class LeagueScheme(StrEnum):
    REGION = "region"  # one league per 盟市, chosen from the participant's region
    AGE_GROUP = "age_group"  # 小学组/中学组/公众组, chosen at enrollment
    SCHOOL = "school"  # one league per school
    CUSTOM = "custom"  # any divisions the organizer defines


class Registration(StrEnum):
    OPEN = "open"
    JOIN_CODE = "join_code"
    ALLOW_LIST = "allow_list"


class Stage(StrEnum):
    PRELIMINARY = "preliminary"  # 初赛
    SEMIFINAL = "semifinal"  # 复赛
    FINAL = "final"  # 决赛
    PRACTICE = "practice"  # 练习


class ReviewPolicy(StrEnum):
    NEVER = "never"
    AFTER_FINISH = "after_finish"
    AFTER_CLOSE = "after_close"


class RoundMode(StrEnum):
    SELF_PACED = "self_paced"  # each participant takes the quiz at their own pace
    LIVE = "live"  # a host shows the questions in a hall (quiz/live)


class RoundState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def effective_close(closes_at: datetime, closed_at: datetime | None) -> datetime:
    """When a round stops taking attempts: its closing time, or earlier if an organizer
    closed it early (``closed_at``)."""
    return min(closes_at, closed_at) if closed_at else closes_at


def round_state(opens_at: datetime, close: datetime, now: datetime) -> RoundState:
    if now < opens_at:
        return RoundState.SCHEDULED
    if now >= close:
        return RoundState.CLOSED
    return RoundState.OPEN


class Contest(Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_mn: Mapped[str] = mapped_column(String(400), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_mn: Mapped[str] = mapped_column(Text, default="")
    league_scheme: Mapped[str] = mapped_column(String(16), default=LeagueScheme.REGION)
    registration: Mapped[str] = mapped_column(String(16), default=Registration.OPEN)
    join_code: Mapped[str | None] = mapped_column(String(32))
    # Unpublished contests are seen only by organizers and admins.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Epoch of the contest's leaderboards: finish times are counted from here.
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    leagues: Mapped[list[League]] = relationship(
        back_populates="contest", order_by="League.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="contest", order_by="Round.position", cascade="all, delete-orphan"
    )

    def title(self, language: str) -> str:
        return self.title_mn if language == "mn" and self.title_mn else self.title_zh

    def description(self, language: str) -> str:
        return (
            self.description_mn
            if language == "mn" and self.description_mn
            else (self.description_zh)
        )


class ContestOrganizer(Model):
    """Organizers who run a given contest (admins run all of them)."""

    __tablename__ = "contest_organizers"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class ContestInvite(Model):
    """One username on an allow-list contest's list of invited participants.

    Keyed by the casefolded username (``User.username_key``), so "Bat" and "bat" are one
    invite. What admits someone is ``user_id``, the account the invite is bound to: the
    account that had the name when it was listed, or, for a name nobody had yet, the
    account an organizer confirmed after it registered. An unbound invite (``user_id``
    null) admits nobody, so whoever registers a listed name later does not get in by it.
    """

    __tablename__ = "contest_invites"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class League(Model):
    __tablename__ = "leagues"
    __table_args__ = (
        UniqueConstraint("contest_id", "code"),
        # Target of the composite keys that keep enrollments inside their contest.
        UniqueConstraint("contest_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(128))
    name_mn: Mapped[str] = mapped_column(String(256), default="")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    contest: Mapped[Contest] = relationship(back_populates="leagues")

    def name(self, language: str) -> str:
        return self.name_mn if language == "mn" and self.name_mn else self.name_zh


class Round(Model):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("contest_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.PRELIMINARY)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_mn: Mapped[str] = mapped_column(String(400), default="")
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when an organizer closes the round early.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"))
    # [{"count": 5, "category": "life-health", "difficulty": 1}, ...]
    draw_rule: Mapped[list[dict]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    review_policy: Mapped[str] = mapped_column(String(16), default=ReviewPolicy.AFTER_FINISH)
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Live scores: boards move with every answer, and a given answer is then final, so
    # nobody can probe the key by changing an answer and watching their score. Off (the
    # default, exam style): answers may change until hand-in, and an attempt enters the
    # boards when it is finished.
    live_scores: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"1": 10, "2": 15, "3": 20}: points for a correct answer by difficulty.
    points_by_difficulty: Mapped[dict[str, int]] = mapped_column(JSON)
    # Extra points for handing in early, added once when the attempt is finished
    # (``quiz.play.scoring.speed_bonus``; the rule is in docs/architecture.md).
    speed_bonus: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "Top N per league" certificates go only to results of at least this many points
    # (never to a blank sheet: the minimum is at least 1).
    certificate_min_points: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Fair play (quiz/play/fairplay.py). Focus loss (切屏): recorded only when switched
    # on; at ``focus_limit`` losses the attempt is finished if ``focus_auto_finish``.
    focus_tracking: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    focus_limit: Mapped[int | None] = mapped_column(Integer)
    focus_auto_finish: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Too-fast answering: flagged when the median seconds per answer is below
    # ``flag_median_seconds`` or ``flag_fast_answers`` answers came under 2 seconds
    # (NULL: the defaults QUIZ_FLAG_MEDIAN_SECONDS / QUIZ_FLAG_FAST_ANSWERS).
    flag_median_seconds: Mapped[int | None] = mapped_column(Integer)
    flag_fast_answers: Mapped[int | None] = mapped_column(Integer)
    # Live rounds (quiz/live) are played in a hall, paced by a host: participants join a
    # game with a PIN instead of starting an attempt. ``question_seconds`` is the default
    # time per question of their games.
    mode: Mapped[str] = mapped_column(
        String(16), default=RoundMode.SELF_PACED, server_default=RoundMode.SELF_PACED.value
    )
    question_seconds: Mapped[int] = mapped_column(Integer, default=20, server_default="20")

    contest: Mapped[Contest] = relationship(back_populates="rounds")

    def title(self, language: str) -> str:
        return self.title_mn if language == "mn" and self.title_mn else self.title_zh

    def effective_close(self) -> datetime:
        return effective_close(self.closes_at, self.closed_at)

    def state(self, now: datetime) -> RoundState:
        return round_state(self.opens_at, self.effective_close(), now)


@dataclass(frozen=True)
class RoundRules:
    """What starting an attempt needs of a round, as plain values: the attempt start reads
    them from SQL with the caller's enrollment in one statement (quiz/play/services.py),
    instead of loading the ``Round`` and its contest through the ORM on every start. The
    time window comes from that same read, so a start never decides on an old copy of it.
    """

    id: int
    contest_id: int
    mode: str
    languages: list[str]
    bank_id: int
    draw_rule: list[dict]
    points_by_difficulty: dict[str, int]
    max_attempts: int
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    time_limit_seconds: int

    def effective_close(self) -> datetime:
        return effective_close(self.closes_at, self.closed_at)

    def state(self, now: datetime) -> RoundState:
        return round_state(self.opens_at, self.effective_close(), now)


class Enrollment(Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("contest_id", "user_id"),
        ForeignKeyConstraint(["contest_id", "league_id"], ["leagues.contest_id", "leagues.id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    league_id: Mapped[int] = mapped_column(Integer, index=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)

    league: Mapped[League] = relationship(
        primaryjoin="and_(Enrollment.league_id == League.id)",
        foreign_keys=[league_id],
        lazy="joined",
        viewonly=True,
    )
