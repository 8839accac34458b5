"""Live games: a host paces a round's questions on a projector, players answer on phones.

SQL holds what must survive any app server or Redis: the game (its phase, the current
question and its window), the players, and every answer. A player's answers are the
``Answer`` rows of their ``Attempt`` in the round, so leagues, exports, certificates,
item analysis and ``quiz leaderboard rebuild`` see a live game like any round; a
``LiveResponse`` beside each answer keeps what the speed rule needs (when the player got
the question, how long they took) and the speed and streak points it earned.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model


class Phase(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    FINISHED = "finished"


class Teams(StrEnum):
    NONE = "none"
    LEAGUE = "league"  # the player's league in the contest (by default their 盟市)
    SCHOOL = "school"  # the player's school
    CUSTOM = "custom"  # names the host gives; each player picks one when joining


class ItemState(StrEnum):
    PENDING = "pending"  # not shown yet
    PLAYED = "played"  # shown (the current question, or one that was revealed)
    VOIDED = "voided"  # skipped by the host, or never shown when the game ended early


class LiveGame(Model):
    __tablename__ = "live_games"
    __table_args__ = (
        ForeignKeyConstraint(["contest_id", "round_id"], ["rounds.contest_id", "rounds.id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    contest_id: Mapped[int] = mapped_column(Integer)
    # The PIN players type; unique among games that are not finished (NULL once finished,
    # so a PIN can be used again later). ``pin`` keeps it for the record.
    pin: Mapped[str] = mapped_column(String(8))
    active_pin: Mapped[str | None] = mapped_column(String(8), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    phase: Mapped[str] = mapped_column(String(16), default=Phase.LOBBY)
    # Bumped by every change players must see (phase, question, pause): clients long-poll
    # for a state newer than the one they have. Transitions are compare-and-set on it.
    seq: Mapped[int] = mapped_column(Integer, default=1)
    # The shared question list: [{"question_id", "option_order", "points", "state",
    # "seconds"}], in the order shown; numbers are positions from 1.
    items: Mapped[list[dict]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    languages: Mapped[list[str]] = mapped_column(JSON)
    # The current (or last shown) question and its window, on the server's clock.
    question_no: Mapped[int] = mapped_column(Integer, default=0)
    question_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    question_deadline: Mapped[datetime | None] = mapped_column(DateTime)
    # While paused: when the pause began and the milliseconds the question had left.
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_left_ms: Mapped[int | None] = mapped_column(Integer)
    # Pauses of the current question, [[start_ms, end_ms], ...]: not counted as answer time.
    pauses: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    # Scoring the host chose (quiz/live/rules.py).
    seconds: Mapped[int] = mapped_column(Integer)
    speed_points: Mapped[bool] = mapped_column(Boolean, default=True)
    streaks: Mapped[bool] = mapped_column(Boolean, default=False)
    teams: Mapped[str] = mapped_column(String(16), default=Teams.NONE)
    team_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    podium: Mapped[int] = mapped_column(Integer, default=3)
    allow_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class LivePlayer(Model):
    """One person in a game: an account, or a guest (a hidden account of its own)."""

    __tablename__ = "live_players"
    __table_args__ = (UniqueConstraint("game_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_games.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), unique=True
    )
    display_name: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # "league:3", "school:5", "custom:2" (the position in the game's team names), or None.
    team: Mapped[str | None] = mapped_column(String(32))
    guest: Mapped[bool] = mapped_column(Boolean, default=False)
    # Guests prove who they are with a token (only its SHA-256 is stored).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime)


class LiveResponse(Model):
    """The live side of one answer: when the player received the question, the answer
    time the speed rule counts, and the speed and streak points it earned."""

    __tablename__ = "live_responses"
    __table_args__ = (
        ForeignKeyConstraint(
            ["attempt_id", "no"], ["answers.attempt_id", "answers.no"], ondelete="CASCADE"
        ),
    )

    attempt_id: Mapped[int] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(
        ForeignKey("live_games.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    speed_points: Mapped[int] = mapped_column(Integer, default=0)
    streak_points: Mapped[int] = mapped_column(Integer, default=0)
