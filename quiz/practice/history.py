"""A person's history on one page (issue 17 item 6): the contest rounds they finished
with score and rank, practice totals, the daily streak and the science-literacy
self-tests finished (item 4) with score and band."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from quiz.accounts.models import User
from quiz.contests.models import Contest, Round
from quiz.extensions import db
from quiz.leaderboards.live import frozen_for_viewer
from quiz.leaderboards.services import read_board
from quiz.play.models import Attempt
from quiz.practice.assessment import finished_of
from quiz.practice.models import Assessment, PracticeSession
from quiz.practice.services import daily_status

# The rounds shown: the latest ones (each costs one board read for the rank).
MAX_ROUNDS = 50


@dataclass(frozen=True)
class RoundLine:
    contest_id: int
    contest_title: str
    round_id: int
    round_title: str
    attempt_id: int
    score: int
    max_score: int
    finished_at: datetime
    rank: int | None
    league_rank: int | None


@dataclass(frozen=True)
class History:
    rounds: list[RoundLine]
    sessions: int
    answered: int
    correct: int
    streak: int
    days_done: int
    self_tests: Sequence[Assessment] = ()


def history(user: User, language: str, now: datetime) -> History:
    attempts = db.session.execute(
        select(Attempt, Round, Contest)
        .join(Round, Round.id == Attempt.round_id)
        .join(Contest, Contest.id == Attempt.contest_id)
        .where(Attempt.user_id == user.id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at.desc())
        .limit(MAX_ROUNDS)
    ).all()
    rounds = []
    for attempt, round_, contest in attempts:
        assert attempt.finished_at is not None  # the WHERE
        board = read_board(
            contest,
            round_.id,
            None,
            1,
            user.id,
            attempt.league_id,
            now,
            frozen=frozen_for_viewer(contest, round_.id, user),
        )
        me: dict[str, Any] = board.me or {}
        rounds.append(
            RoundLine(
                contest_id=contest.id,
                contest_title=contest.title(language),
                round_id=round_.id,
                round_title=round_.title(language),
                attempt_id=attempt.id,
                score=attempt.points,
                max_score=attempt.max_points,
                finished_at=attempt.finished_at,
                rank=me.get("rank"),
                league_rank=me.get("league_rank"),
            )
        )
    sessions, answered, correct = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(PracticeSession.answered_count), 0),
            func.coalesce(func.sum(PracticeSession.correct_count), 0),
        ).where(PracticeSession.user_id == user.id)
    ).one()
    status = daily_status(user.id, now)
    return History(
        rounds=rounds,
        sessions=int(sessions),
        answered=int(answered),
        correct=int(correct),
        streak=status.streak,
        days_done=len(status.days_done),
        self_tests=finished_of(user.id),
    )
