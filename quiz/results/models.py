"""Publication of a round's results, and the indexes the monitor and statistics read by.

The index on ``attempts`` is declared here, beside the queries that
need them (``monitor.py``), rather than in ``quiz/play/models.py``: SQLAlchemy attaches
it to the same table, and the migration ``0006_results`` creates it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from quiz.extensions import Model
from quiz.play.models import Attempt


class RoundPublication(Model):
    """A round whose results the organizers published (one row per round, at most)."""

    __tablename__ = "round_publications"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# A round's attempts by state and league: started/finished counts and participation per
# league are index-only scans of one round's entries; "active now" reads only the round's
# unfinished attempts (finished_at IS NULL); frozen boards read those finished by a time.
# No index on last_answer_at: the hot path updates it on every answer, and an index on it
# would cost every save (PostgreSQL could no longer update the row in place, HOT).
ATTEMPTS_BY_ROUND_STATE = Index(
    "ix_attempts_round_finished_league",
    Attempt.round_id,
    Attempt.finished_at,
    Attempt.league_id,
)
# Answers per minute need no index on answers: an answer of the last 30 minutes belongs
# to an attempt in progress or finished in those minutes, which the index above finds
# (round_id = ? AND (finished_at IS NULL OR finished_at >= ?)); their answers come by
# primary key. An index on answers.answered_at would cost every answer saved.
