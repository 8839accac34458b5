"""Playing rounds in results tests: answers given by the bank's own option keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quiz.accounts.models import User
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt, AttemptItem


def items(attempt: Attempt) -> list[AttemptItem]:
    return list(
        db.session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.no)
        )
    )


def answer_by_key(attempt: Attempt, user: User, no: int, keys: list[str], now: datetime) -> None:
    """Answer question ``no`` with the bank's option keys (not the shown letters)."""
    item = db.session.get(AttemptItem, (attempt.id, no))
    shown = [play.display_key(item.option_order.index(k)) for k in keys]
    play.save_answer(attempt.id, user, no, shown, now)


def answer_question(
    attempt: Attempt, user: User, question_id: int, keys: list[str], now: datetime
) -> None:
    """Answer the attempt's item that drew ``question_id``."""
    item = next(i for i in items(attempt) if i.question_id == question_id)
    answer_by_key(attempt, user, item.no, keys, now)


def play_correct(attempt: Attempt, user: User, count: int, now: datetime) -> None:
    """Answer the first ``count`` items correctly (the others are left blank)."""
    from quiz.banks.models import Question

    for item in items(attempt)[:count]:
        key = db.session.get(Question, item.question_id).answer
        answer_by_key(attempt, user, item.no, list(key), now)
