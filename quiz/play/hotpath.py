"""Round trips saved on the answer path: drawn items kept per process, statements
pipelined on PostgreSQL.

On the benchmark machine a request costs what its round trips cost (docs/performance.md),
so saving an answer is shaped to need two on PostgreSQL: one for BEGIN + the deadline
guard (a row lock) + the upsert + the recount (psycopg's pipeline mode sends them
together and the server runs them in order, each seeing the one before, exactly as if
sent one by one),
and one for the COMMIT, sent only after their results are checked. The answer is still
acknowledged only after that COMMIT.

The attempt's drawn items (question, option order, points, key) never change once the
attempt exists; they are read once per process and attempt instead of once per answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import namedtuple_row, tuple_row
from sqlalchemy import select

from quiz.cache import app_cache
from quiz.contests.models import Round, RoundMode
from quiz.extensions import db
from quiz.play.models import Attempt, AttemptItem

# Drawn items are immutable; the copy's age only matters if a bank re-import corrects a
# question's key mid-round: answers saved in this process within this time after it are
# still graded by the old key (as are all answers saved before the import).
DRAWN_SECONDS = 60.0
DRAWN_MAX = 50_000


@dataclass(frozen=True)
class DrawnItem:
    option_order: list[str]
    points: int
    kind: str
    answer: list[str]
    # Fill-in questions: per language, the accepted answers of each blank.
    blanks: dict[str, list[list[str]]] | None = None


@dataclass(frozen=True)
class Drawn:
    """An attempt's items by number, its owner and its round's scoring switches."""

    user_id: int
    partial_credit: bool
    live_scores: bool
    items: dict[int, DrawnItem]
    # A live round's attempt takes answers only through its game (quiz/live).
    live_game: bool = False


def _load_drawn(attempt_id: int) -> Drawn | None:
    from quiz.banks.models import Question

    rows = db.session.execute(
        select(
            AttemptItem.no,
            AttemptItem.question_id,
            AttemptItem.option_order,
            AttemptItem.points,
            Question.kind,
            Question.answer,
            Attempt.user_id,
            Round.partial_credit,
            Round.live_scores,
            Round.mode,
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Question, Question.id == AttemptItem.question_id)
        .join(Round, Round.id == Attempt.round_id)
        .where(AttemptItem.attempt_id == attempt_id)
    ).all()
    if not rows:
        return None
    first = rows[0]
    accepted = _accepted_answers([r.question_id for r in rows if r.kind == "fill"])
    return Drawn(
        user_id=first.user_id,
        partial_credit=first.partial_credit,
        live_scores=first.live_scores,
        live_game=first.mode == RoundMode.LIVE,
        items={
            r.no: DrawnItem(
                list(r.option_order), r.points, r.kind, list(r.answer), accepted.get(r.question_id)
            )
            for r in rows
        },
    )


def _accepted_answers(question_ids: list[int]) -> dict[int, dict[str, list[list[str]]]]:
    """The fill-in questions' accepted answers, per question and language (none: no query)."""
    from quiz.banks.models import QuestionText

    found: dict[int, dict[str, list[list[str]]]] = {}
    if not question_ids:
        return found
    for question_id, language, blanks in db.session.execute(
        select(QuestionText.question_id, QuestionText.language, QuestionText.blanks).where(
            QuestionText.question_id.in_(question_ids)
        )
    ):
        found.setdefault(question_id, {})[language] = blanks or []
    return found


def drawn_items(attempt_id: int) -> Drawn | None:
    """The attempt's drawn items (one query per process and attempt)."""
    cache = app_cache("drawn_items", DRAWN_SECONDS, max_entries=DRAWN_MAX)
    drawn = cache.get(attempt_id, lambda: _load_drawn(attempt_id))
    if drawn is None:
        cache.discard(attempt_id)  # an id that does not exist yet may exist soon
    return drawn


@dataclass(frozen=True)
class _DriverStatement:
    """A Core statement compiled once for the driver: its SQL and parameter converters."""

    sql: str
    compiled: Any
    processors: dict[str, Callable[[Any], Any]]

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        raw = self.compiled.construct_params(values, _check=False)
        return {k: self.processors[k](v) if k in self.processors else v for k, v in raw.items()}


_COMPILED: dict[int, _DriverStatement] = {}


def _driver_statement(statement: Any, dialect: Any) -> _DriverStatement:
    found = _COMPILED.get(id(statement))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        found = _DriverStatement(compiled.string, compiled, dict(compiled._bind_processors))
        _COMPILED[id(statement)] = found
    return found


def pipelining(conn: Any) -> bool:
    """Can this connection send several statements in one round trip?"""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def pipelined(
    conn: Any, steps: Sequence[tuple[Any, dict[str, Any]]], plain: bool = False
) -> list[Any]:
    """Run Core statements in one round trip; the first row of each (None if none), as a
    named tuple, or a plain tuple if ``plain`` (the caller names the columns: psycopg's
    named rows describe the result's columns again on every call).

    ``statement`` objects must be long-lived (built once, like ``_save_statements``): the
    compiled SQL is kept per statement object. SQLAlchemy's ``before_cursor_execute``
    listeners hear of each statement as usual. A failing statement raises here and
    leaves the transaction aborted: the caller's rollback ends it.
    """
    driver = conn.connection.driver_connection
    rows = tuple_row if plain else namedtuple_row
    cursors = []
    with driver.pipeline():
        for statement, values in steps:
            compiled = _driver_statement(statement, conn.dialect)
            params = compiled.params(values)
            cursor = driver.cursor(row_factory=rows)
            conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, params, None, False)
            cursor.execute(compiled.sql, params)
            cursors.append(cursor)
    # ``pgresult.nfields`` rather than ``description``, which builds a column object per
    # column on every call.
    return [cursor.fetchone() if _has_rows(cursor) else None for cursor in cursors]


def _has_rows(cursor: Any) -> bool:
    result = cursor.pgresult
    return bool(result is not None and result.nfields)
