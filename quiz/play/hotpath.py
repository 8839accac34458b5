"""Round trips saved on the answer path: drawn items kept per process, statements
pipelined on PostgreSQL.

On the benchmark machine a request costs what its round trips cost (docs/performance.md),
so saving an answer is shaped to need few on PostgreSQL: one for the deadline guard (a
row lock) + the upsert + the recount (psycopg's pipeline mode sends them together and
the server runs them in order, each seeing the one before, exactly as if sent one by
one), and one for the COMMIT, sent only after their results are checked (plus psycopg's
BEGIN, which it sends and waits for before a pipeline). The answer is still
acknowledged only after that COMMIT.

The attempt's drawn items (question, option order, points, key) never change once the
attempt exists; they are read once per process and attempt instead of once per answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, select

from quiz.accounts.services import TokenLookup, TokenUser, token_lookup, user_for_token
from quiz.cache import SharedCache, app_cache
from quiz.contests.models import Round, RoundMode
from quiz.extensions import db
from quiz.play.models import Attempt, AttemptItem
from quiz.sql import pipelined, pipelined_rows, pipelining

# The pipeline itself lives in quiz.sql (core: the attempt start and the token lookup
# use it too); named here for the answer path.
__all__ = ["Drawn", "DrawnItem", "drawn_items", "pipelined", "pipelining"]

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


_DRAWN_READ: list[Any] = []  # the statement, built once (models import late)


def _drawn_read() -> Any:
    """The drawn items' read, built once per process: a cold answer (each worker's first
    of an attempt) spent as much CPU building and caching this statement's key as
    running it (docs/performance.md, section 16). The two JSON columns come as text, to
    be decoded together (``_load_drawn``)."""
    if not _DRAWN_READ:
        from quiz.banks.models import Question

        def of_question(column: Any) -> Any:
            return AttemptItem.looked_up(column, Question.id)

        _DRAWN_READ.append(
            select(
                AttemptItem.no,
                AttemptItem.question_id,
                cast(AttemptItem.option_order, Text).label("option_order"),
                AttemptItem.points,
                of_question(Question.kind).label("kind"),
                of_question(cast(Question.answer, Text)).label("answer"),
                Attempt.user_id,
                Round.partial_credit,
                Round.live_scores,
                Round.mode,
            )
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .join(Round, Round.id == Attempt.round_id)
            .where(AttemptItem.attempt_id == bindparam("attempt_id"))
        )
    return _DRAWN_READ[0]


def _load_drawn(attempt_id: int) -> Drawn | None:
    # On the session's connection (its transaction), without the ORM's execution layer:
    # the statement selects columns, never entities.
    rows = db.session.connection().execute(_drawn_read(), {"attempt_id": attempt_id}).all()
    return _drawn_from(rows) if rows else None


def _drawn_from(rows: Sequence[Any]) -> Drawn:
    """The drawn items from the read's rows (SQLAlchemy's or psycopg's named rows)."""
    first = rows[0]
    accepted = _accepted_answers([r.question_id for r in rows if r.kind == "fill"])
    # Each item's option order and key, decoded in one call rather than forty (it was
    # the largest part of a cold answer's CPU left once the statement was built once).
    decoded = iter(json.loads(f"[{','.join(_json_texts(rows))}]"))
    items = {}
    for r in rows:
        option_order, answer = next(decoded), next(decoded)
        items[r.no] = DrawnItem(option_order, r.points, r.kind, answer, accepted.get(r.question_id))
    return Drawn(
        user_id=first.user_id,
        partial_credit=first.partial_credit,
        live_scores=first.live_scores,
        live_game=first.mode == RoundMode.LIVE,
        items=items,
    )


def _json_texts(rows: Any) -> Iterator[str]:
    """Each row's option order, then its key, as JSON text (``null`` if missing)."""
    for r in rows:
        yield r.option_order or "null"
        yield r.answer or "null"


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


def _drawn_cache() -> SharedCache:
    return app_cache("drawn_items", DRAWN_SECONDS, max_entries=DRAWN_MAX)


def kept_drawn(attempt_id: int) -> Drawn | None:
    """This process's copy of the attempt's drawn items, if it holds one."""
    kept: Drawn | None = _drawn_cache().peek(attempt_id)
    return kept


def forget_drawn() -> None:
    """Drop this process's copies of drawn items (tests: a worker that has none)."""
    _drawn_cache().clear()


def drawn_items(attempt_id: int) -> Drawn | None:
    """The attempt's drawn items (one query per process and attempt)."""
    cache = _drawn_cache()
    drawn = cache.get(attempt_id, lambda: _load_drawn(attempt_id))
    if drawn is None:
        cache.discard(attempt_id)  # an id that does not exist yet may exist soon
    return drawn


def user_with_drawn(token: str, attempt_id: int, now: datetime) -> TokenUser | None:
    """The user of a bearer token saving an answer to ``attempt_id``, as
    ``user_for_token`` gives it; a token this process holds no copy of is looked up in
    one round trip with the attempt's drawn items, when those are not kept either.

    That is a cold answer: a worker that has served neither the token nor the attempt
    within the minute, which at a person's pace is most answers of a real contest
    (docs/performance.md, section 17). The drawn items are kept only when the token is
    valid and its user owns the attempt: the token's lookup alone decides who asks, and
    the save checks the owner again, as for any answer. PostgreSQL only (the pipeline);
    elsewhere, and for a known token, the usual lookup (the answer lane,
    quiz/api/answer_lane.py).
    """
    lookup = token_lookup(token, now)
    if not isinstance(lookup, TokenLookup):  # known to this process (or known not to be)
        return lookup
    cache = _drawn_cache()
    conn = db.session.connection()
    if not pipelining(conn) or cache.peek(attempt_id) is not None:
        return user_for_token(token, now)
    token_rows, item_rows = pipelined_rows(
        conn, [(lookup.statement, lookup.params), (_drawn_read(), {"attempt_id": attempt_id})]
    )
    user = lookup.user(token_rows[0] if token_rows else None)
    if user is not None and item_rows and item_rows[0].user_id == user.id:
        cache.put(attempt_id, _drawn_from(item_rows))
    return user
