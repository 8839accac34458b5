"""Contests answer the bank console's questions about who draws from a bank
(quiz/banks/usage.py): banks sit below contests, so they ask instead of importing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from quiz.banks import usage
from quiz.contests.models import ContestOrganizer, Round
from quiz.extensions import db


def contests_drawing_from(sender: Any, *, bank_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Round.contest_id)
            .where(Round.bank_id == bank_id)
            .distinct()
            .order_by(Round.contest_id)
        )
    )


def organizer_draws_from(sender: Any, *, bank_id: int, user_id: int) -> bool:
    runs = (
        select(Round.id)
        .join(ContestOrganizer, ContestOrganizer.contest_id == Round.contest_id)
        .where(Round.bank_id == bank_id, ContestOrganizer.user_id == user_id)
        .limit(1)
    )
    return db.session.scalar(runs) is not None


def init_app(app: Flask) -> None:
    """Answer for every app built (blinker keeps one connection per receiver)."""
    usage.contests_drawing_from.connect(contests_drawing_from)
    usage.organizer_draws_from.connect(organizer_draws_from)
