"""Play answers the bank console's question of which questions were drawn into
attempts (quiz/banks/usage.py): banks sit below play, so they ask instead of importing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from quiz.banks import usage
from quiz.extensions import db
from quiz.play.models import AttemptItem


def questions_in_attempts(sender: Any, *, question_ids: list[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(AttemptItem.question_id)
            .where(AttemptItem.question_id.in_(question_ids))
            .distinct()
        )
    )


def init_app(app: Flask) -> None:
    """Answer for every app built (blinker keeps one connection per receiver)."""
    usage.questions_in_attempts.connect(questions_in_attempts)
