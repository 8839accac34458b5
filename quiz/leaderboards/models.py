"""Contests whose Redis boards missed an update and must be rebuilt from SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import db


class StaleBoard(db.Model):
    __tablename__ = "stale_boards"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime] = mapped_column(DateTime)
