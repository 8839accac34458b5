"""Contests whose Redis boards missed an update and must be rebuilt from SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model


class StaleBoard(Model):
    __tablename__ = "stale_boards"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime] = mapped_column(DateTime)


class FrozenBoard(Model):
    """A round whose public boards are frozen: participants see the boards as they stood
    at ``frozen_at`` (attempts finished by then); the contest's organizers see the live
    ones. The frozen boards live in Redis under their own keys (``store.FROZEN``) and are
    rebuilt from SQL with this row, like every other board."""

    __tablename__ = "frozen_boards"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    frozen_at: Mapped[datetime] = mapped_column(DateTime)
