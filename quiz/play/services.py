"""Taking a round: start an attempt, save answers, finish, and close overdue attempts.

Fairness rules live here. The server owns the clock: the deadline is stored when the
attempt starts and checked inside the same transaction as every write. One attempt per
policy is settled by a unique key, not by checking first. Every write commits to SQL
before the leaderboards hear of it.

Transactions (docs/architecture.md): these functions flush, the caller's edge commits
(the request, the CLI command, the per-minute job), and board publishes are queued to
run after that commit. One exception, the answer hot path: ``save_answer`` commits
itself, then publishes.
"""

from __future__ import annotations

import json
import secrets
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BindParameter,
    Boolean,
    DateTime,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text as sql_text
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql import Select

from question_bank import DrawError, DrawRule, Kind, option_order
from quiz.accounts.limiter import PendingCount
from quiz.accounts.models import User
from quiz.accounts.services import token_owner
from quiz.banks.models import QuestionBank
from quiz.banks.services import drawing_pool
from quiz.clock import to_ms
from quiz.contests.models import (
    Contest,
    Enrollment,
    ReviewPolicy,
    Round,
    RoundMode,
    RoundRules,
    RoundState,
)
from quiz.contests.services import round_mode
from quiz.errors import Conflict, Forbidden, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.ops import metrics
from quiz.play import hotpath
from quiz.play.extra_time import attempt_deadline
from quiz.play.models import (
    STANDING_COLUMNS,
    Answer,
    Attempt,
    AttemptItem,
    ExtraTime,
    FinishReason,
    NewAttempt,
)
from quiz.play.scoring import fill_points, points_for, speed_bonus
from quiz.signals import standing_changed
from quiz.sql import insert_ignore, upsert
from quiz.unit_of_work import after_commit

SUBMITTED = FinishReason.SUBMITTED
DEADLINE = FinishReason.DEADLINE


def grace() -> timedelta:
    """Network slack after the deadline: a save that left the phone in time still counts."""
    return timedelta(seconds=current_app.config["QUIZ_ANSWER_GRACE_SECONDS"])


def display_key(index: int) -> str:
    return chr(ord("A") + index)


def _latest_attempt(round_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.round_id == round_id, Attempt.user_id == user_id)
        .order_by(Attempt.attempt_no.desc())
        .limit(1)
    )


def _publish(
    attempt: Attempt,
    now: datetime,
    person: tuple[int, str] | None = None,
    pending: PendingCount | None = None,
) -> None:
    """Tell the boards (quiz.leaderboards listens) now: the hot path, after its commit;
    ``pending``, the answer's rate-limit count, may ride on the board script."""
    standing_changed.send(attempt, attempt=attempt, now=now, person=person, pending=pending)


def attempts_by_round(contest_id: int, user_id: int) -> dict[int, Attempt]:
    """A participant's latest attempt in each round of a contest (the contest page)."""
    found: dict[int, Attempt] = {}
    for attempt in db.session.scalars(
        select(Attempt)
        .where(Attempt.contest_id == contest_id, Attempt.user_id == user_id)
        .order_by(Attempt.attempt_no)
    ):
        found[attempt.round_id] = attempt
    return found


def _publish_after_commit(
    attempt: Attempt | NewAttempt, now: datetime, person: tuple[int, str] | None = None
) -> None:
    """Tell the boards once the caller's transaction commits (never if it rolls back).

    They hear of a copy taken now (a transient ``Attempt``): the standing this
    transaction wrote, read without a round trip after the commit expired the original.
    A ``NewAttempt`` (the values a start wrote) cannot change: it is sent as it is.
    """
    if isinstance(attempt, NewAttempt):
        copy: Attempt | NewAttempt = attempt
    else:
        loaded = sa_inspect(attempt).dict  # what is loaded: copying loads nothing more
        copy = Attempt(
            **{c.key: loaded[c.key] for c in Attempt.__table__.columns if c.key in loaded}
        )
    after_commit(
        db.session(),
        lambda: standing_changed.send(copy, attempt=copy, now=now, person=person),
    )


def _refuse_live_round() -> None:
    """A live round is played in a game paced by its host (quiz/live): no self-paced
    start, and its running attempts take no answers and show no questions here."""
    raise Conflict(_l("This round is played live: join the game with its PIN."), code="live_round")


@dataclass(frozen=True)
class Started:
    """What ``begin_attempt`` did: the attempt, whether it is new, and for a new one what
    was drawn and from which bank revision (its response is then built from per-process
    question payloads of that revision, ``quiz.play.state.fresh_attempt_json``).

    A new attempt is the values written (``NewAttempt``), not an ORM object: the start's
    publish and response need no more. ``loaded`` gives the ``Attempt`` where one is
    needed."""

    attempt: Attempt | NewAttempt
    created: bool
    items: list[dict[str, Any]] | None = None
    revision: int = 0

    def loaded(self) -> Attempt:
        """The attempt as an ORM object (a new one is attached to the session from the
        values written, without a read: ``_known_attempt``)."""
        if isinstance(self.attempt, NewAttempt):
            return _known_attempt(self.attempt)
        return self.attempt


def start_attempt(user: User, round_: Round, language: str, now: datetime) -> tuple[Attempt, bool]:
    """Start the caller's attempt, or return the one they already have (created=False).

    Flushes only: the caller commits, and the board publish follows that commit.
    """
    reads = start_reads(user, round_.id)
    assert reads is not None  # the caller holds the round
    started = begin_attempt(user, reads, language, now)
    return started.loaded(), started.created


@dataclass(frozen=True)
class StartReads:
    """Everything a start decides from, read in one statement (``start_reads``): the
    round's rules and time window, whether its contest is published, its bank's
    revision, and the caller's league (None: not enrolled), latest attempt and extra
    time."""

    round: RoundRules
    published: bool
    revision: int
    league_id: int | None
    latest_id: int | None
    latest_no: int
    latest_finished: bool
    latest_deadline: datetime | None
    extra_seconds: int

    @classmethod
    def of(cls, row: Any) -> StartReads | None:
        """From the row of the start's statement (``_start_read``; None: no such round)."""
        if row is None:
            return None
        return cls(
            round=RoundRules(*row[:_RULES]),
            published=row.published,
            revision=row.revision or 0,
            league_id=row.league_id,
            latest_id=row.latest_id,
            latest_no=row.latest_no or 0,
            latest_finished=row.latest_finished_at is not None,
            latest_deadline=row.latest_deadline,
            extra_seconds=row.extra_seconds or 0,
        )


def _start_read(user: Any) -> Select[Any]:
    """The round (with its contest's "published" and its bank's revision) and the
    caller's enrollment, latest attempt and extra time: one indexed statement, built
    once. Read fresh on every start (no per-process copy): the time window decides
    whether a start is taken and caps its deadline, and the statement is needed for the
    enrollment anyway, so reading the round in it costs no round trip.

    ``user``: the caller as SQL (``:user_id``, or the owner of ``:token_hash`` when the
    statement goes with a new bearer token's lookup, ``access.login_required_reading``).
    """
    return (
        select(
            *(Round.__table__.c[name] for name in RoundRules.__dataclass_fields__),
            Contest.__table__.c.published,
            QuestionBank.__table__.c.revision,
            Enrollment.__table__.c.league_id,
            _ATTEMPTS.c.id.label("latest_id"),
            _ATTEMPTS.c.attempt_no.label("latest_no"),
            _ATTEMPTS.c.finished_at.label("latest_finished_at"),
            _ATTEMPTS.c.deadline.label("latest_deadline"),
            ExtraTime.__table__.c.extra_seconds,
        )
        .join(Contest, Contest.id == Round.contest_id)
        .join(QuestionBank, QuestionBank.id == Round.bank_id)
        .outerjoin(
            Enrollment, (Enrollment.contest_id == Round.contest_id) & (Enrollment.user_id == user)
        )
        .outerjoin(_ATTEMPTS, (_ATTEMPTS.c.round_id == Round.id) & (_ATTEMPTS.c.user_id == user))
        .outerjoin(ExtraTime, (ExtraTime.round_id == Round.id) & (ExtraTime.user_id == user))
        .where(Round.id == bindparam("round_id", type_=Integer))
        .order_by(_ATTEMPTS.c.attempt_no.desc())
        .limit(1)
    )


_ATTEMPTS = Attempt.__table__
_START_READ = _start_read(bindparam("user_id", type_=Integer))
_START_READ_BY_TOKEN = _start_read(token_owner())
_RULES = len(RoundRules.__dataclass_fields__)


def start_read(by_token: bool, round_id: int) -> tuple[Any, dict[str, Any]]:
    """The start's statement for ``access.login_required_reading`` (the API's start)."""
    return (_START_READ_BY_TOKEN if by_token else _START_READ), {"round_id": round_id}


def start_reads(user: Any, round_id: int) -> StartReads | None:
    """What a start of ``round_id`` by ``user`` decides from (None: no such round).

    Visibility is the caller's to check (``published``; the API refuses an unpublished
    contest's round unless the caller organizes it)."""
    row = db.session.execute(_START_READ, {"round_id": round_id, "user_id": user.id}).first()
    return StartReads.of(row)


# The attempt and its drawn items in one statement (PostgreSQL): if the unique key
# (round, user, attempt number) is taken, the attempt insert writes nothing, returns no
# id, and so the items insert (which reads its id) writes nothing either. The items go
# as one JSON parameter, so the statement text is the same for every start.
_START_POSTGRES = sql_text(
    "WITH a AS ("
    "INSERT INTO attempts (round_id, contest_id, user_id, league_id, attempt_no, language,"
    " seed, started_at, deadline, points, max_points, correct_count, answered_count,"
    " question_count, bonus_points, focus_losses)"
    " VALUES (:round_id, :contest_id, :user_id, :league_id, :attempt_no, :language, :seed,"
    " :started_at, :deadline, :points, :max_points, :correct_count, :answered_count,"
    " :question_count, 0, 0)"
    " ON CONFLICT (round_id, user_id, attempt_no) DO NOTHING RETURNING id"
    "), i AS ("
    "INSERT INTO attempt_items (attempt_id, no, question_id, option_order, points)"
    " SELECT a.id, r.no, r.question_id, r.option_order, r.points"
    " FROM a, json_to_recordset(CAST(:items AS json))"
    " AS r(no integer, question_id integer, option_order json, points integer)"
    ") SELECT id FROM a"
)


def _insert_attempt(values: dict[str, Any], items: list[dict[str, Any]]) -> int | None:
    """Write the attempt and its items; its id, or None if a concurrent start won."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One round trip instead of two (and of psycopg's one per row for the items).
        # Through the connection: the session's ORM layer has nothing to do with it.
        conn = db.session.connection()
        return conn.execute(_START_POSTGRES, {**values, "items": json.dumps(items)}).scalar()
    attempt_id = db.session.scalar(
        insert_ignore(Attempt, ["round_id", "user_id", "attempt_no"])
        .values(**values)
        .returning(Attempt.id)
    )
    if attempt_id is not None:
        db.session.execute(
            AttemptItem.__table__.insert(), [{"attempt_id": attempt_id, **item} for item in items]
        )
    return attempt_id


def begin_attempt(user: User, reads: StartReads, language: str, now: datetime) -> Started:
    """``start_attempt`` from what ``start_reads`` found, telling also what a new attempt
    drew (the API's fast response)."""
    round_ = reads.round
    if round_.mode == RoundMode.LIVE:
        _refuse_live_round()
    if language not in round_.languages:
        raise ValidationFailed({"language": [_l("This round is not offered in that language.")]})
    if reads.league_id is None:
        raise Forbidden(_l("Join the contest before starting a round."), code="not_enrolled")
    if reads.latest_id is not None and (
        not reads.latest_finished or reads.latest_no >= round_.max_attempts
    ):
        # A repeated start (the app reloaded): the attempt it has, closed first if overdue.
        latest = db.session.get(Attempt, reads.latest_id)
        assert latest is not None
        if latest.finished_at is None:
            if now <= latest.deadline + grace():
                return Started(latest, False)
            finish_attempt(latest, now, FinishReason.DEADLINE)
        if latest.attempt_no >= round_.max_attempts:
            return Started(latest, False)
    state = round_.state(now)
    if state is RoundState.SCHEDULED:
        raise Conflict(_l("This round has not opened yet."), code="round_not_open")
    if state is RoundState.CLOSED:
        raise Conflict(_l("This round is closed."), code="round_closed")

    seed = secrets.randbits(52)
    items = draw_items(round_, seed, revision=reads.revision)
    values = {
        "round_id": round_.id,
        "contest_id": round_.contest_id,
        "user_id": user.id,
        "league_id": reads.league_id,
        "attempt_no": reads.latest_no + 1,
        "language": language,
        "seed": seed,
        "started_at": now,
        "deadline": attempt_deadline(round_, now, reads.extra_seconds),
        "points": 0,
        "max_points": sum(item["points"] for item in items),
        "correct_count": 0,
        "answered_count": 0,
        "question_count": len(items),
    }
    attempt_id = _insert_attempt(values, items)
    if attempt_id is None:  # a concurrent request started it first (it wrote nothing here)
        winner = _latest_attempt(round_.id, user.id)
        assert winner is not None
        return Started(winner, False)
    # Queued callables also mark the transaction as having work to commit (the text
    # statement above is not seen as an insert by the session's write watch).
    after_commit(db.session(), metrics.ATTEMPTS_STARTED.inc)
    attempt = NewAttempt(id=attempt_id, **values)
    _publish_after_commit(attempt, now, person=(reads.league_id, user.display_name))
    return Started(attempt, True, items, reads.revision)


def draw_items(
    round_: Round | RoundRules, seed: int, revision: int | None = None
) -> list[dict[str, Any]]:
    """The questions an attempt with this seed gets: number, question, option order, points.

    The one drawing code: attempts use it, and so does the organizer's preview of a round
    (which stores nothing), so a preview shows exactly what participants will see.
    ``revision``: the bank's revision if the caller has read it (saves the pool's query).
    """
    live = round_.mode == RoundMode.LIVE  # tapped on phones: no fill-in questions
    cached = drawing_pool(round_.bank_id, round_.languages, choice_only=live, revision=revision)
    try:
        drawn = cached.pool.draw_parts(DrawRule.from_json(round_.draw_rule), seed)
    except DrawError as exc:
        current_app.logger.error("round %s cannot be drawn: %s", round_.id, exc)
        raise Conflict(
            _l("This round is not ready: its question bank is too small."), code="bank_too_small"
        ) from exc
    items = []
    for index, (question_id, part) in enumerate(drawn, start=1):
        meta = cached.meta[int(question_id)]
        order = (
            list(meta.option_keys)
            if meta.kind == Kind.TRUEFALSE
            else option_order(meta.option_keys, seed, question_id)
        )
        items.append(
            {
                "no": index,
                "question_id": int(question_id),
                "option_order": order,
                "points": part.points_of(meta.difficulty, round_.points_by_difficulty),
            }
        )
    return items


def _known_attempt(new: NewAttempt) -> Attempt:
    """The attempt just inserted, as a persistent object without a re-read.

    Every column is known (we wrote them), so reading the row back would only cost a
    round trip.
    """
    attempt = Attempt(**{name: getattr(new, name) for name in NewAttempt.__dataclass_fields__})
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    return attempt


def get_own_attempt(attempt_id: int, user: User) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        # Someone else's attempt is "not found", not "forbidden": ids reveal nothing.
        raise NotFound(_l("This attempt does not exist."), code="attempt_not_found")
    if attempt.finished_at is None and round_mode(attempt.round_id) == RoundMode.LIVE:
        _refuse_live_round()
    return attempt


def finalize_if_overdue(attempt: Attempt, now: datetime) -> Attempt:
    """Close the attempt at its deadline if it is past the grace period (flushes)."""
    if attempt.finished_at is None and now > attempt.deadline + grace():
        finish_attempt(attempt, now, FinishReason.DEADLINE)
    return attempt


def parse_choice(raw: object, option_count: int, kind: str) -> list[int]:
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise ValidationFailed({"choice": [_l("Send the choice as a list of option keys.")]})
    indexes = []
    for key in raw:
        index = ord(key) - ord("A") if len(key) == 1 else -1
        if not 0 <= index < option_count:
            raise ValidationFailed({"choice": [_l("Unknown option: %(key)s.", key=key[:8])]})
        indexes.append(index)
    if len(set(indexes)) != len(indexes):
        raise ValidationFailed({"choice": [_l("An option is chosen twice.")]})
    if kind != Kind.MULTIPLE and len(indexes) > 1:
        raise ValidationFailed({"choice": [_l("Choose only one option for this question.")]})
    return indexes


FILL_ANSWER_MAX = 200


def parse_fill(raw: object, blank_count: int) -> list[str]:
    """A fill-in answer: one text per blank (a bare string for a one-blank question).
    Blanks left empty stay empty strings; all empty clears the answer."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(text, str) for text in raw):
        raise ValidationFailed({"text": [_l("Send the answer as a list of texts, one per blank.")]})
    if len(raw) > blank_count:
        raise ValidationFailed({"text": [_l("This question has %(n)d blanks.", n=blank_count)]})
    texts = [text.strip() for text in raw]
    if any(len(text) > FILL_ANSWER_MAX for text in texts):
        raise ValidationFailed(
            {"text": [_l("An answer may have at most %(n)d characters.", n=FILL_ANSWER_MAX)]}
        )
    if not any(texts):
        return []
    return texts + [""] * (blank_count - len(texts))


@dataclass(frozen=True)
class SavedAnswer:
    no: int
    choice: list[str]
    answered_count: int


_ANSWERS = Answer.__table__


# The hot path's statements, built once (SQLAlchemy Core, no ORM unit of work): an
# answer is 3 statements and a commit on SQLite, 1 statement (the same 3 as CTEs,
# ``_save_in_one_statement``) and a commit on PostgreSQL, sent with its BEGIN in one
# round trip (the drawn item comes from quiz.play.hotpath); the standing to publish
# comes back with RETURNING instead of a re-read after the commit.
_SAVE_STATEMENTS: dict[str, Any] = {}


def _answer_upsert(where: Any = None) -> Any:
    attempt_id: BindParameter[int] = bindparam("attempt_id")
    return upsert(
        Answer,
        ["attempt_id", "no"],
        values={
            "attempt_id": attempt_id,
            "no": bindparam("no"),
            "choice": bindparam("choice", type_=_ANSWERS.c.choice.type),
            "correct": bindparam("correct"),
            "points": bindparam("points"),
            "answered_at": bindparam("now"),
            "revisions": 1,
        },
        update={
            "choice": lambda ex: ex.choice,
            "correct": lambda ex: ex.correct,
            "points": lambda ex: ex.points,
            "answered_at": lambda ex: ex.answered_at,
            "revisions": _ANSWERS.c.revisions + 1,
        },
        where=where,
    )


# The columns a save returns: the standing it hands to the boards, and its answered count.
_STANDING_COLUMNS = (*STANDING_COLUMNS, "answered_count")


# The row of ``_save_in_one_statement``.
_SavedRow = namedtuple("_SavedRow", ("open", "fresh", "written", *_STANDING_COLUMNS))  # type: ignore[misc]


def _save_in_one_statement(live: bool) -> Any:
    """PostgreSQL: guard, upsert and recount of a non-empty answer in ONE statement.

    Data-modifying CTEs all see the statement's snapshot, taken before the guard waits
    for the attempt's row lock. So the guard also returns the row version it locked
    (``ctid``; in READ COMMITTED a row changed meanwhile is re-read at its newest
    version), and the writes happen only if that is the version the snapshot sees
    (``fresh``): then no other save of this attempt committed between the snapshot and
    the lock (every save writes the attempt row, under that lock), and the snapshot's
    answers are the attempt's answers. The recount is then the snapshot's other answers
    plus this one: absolute, as the three-statement recount. A save that waited for
    another one of the same attempt (not fresh) writes nothing, and the caller, now
    holding the lock, runs the three statements (``guard``, upsert, ``totals``).
    Returns one row: ``open`` (the guard matched), ``fresh``, ``written`` (the upsert
    wrote: false only for a refused change of a live-score answer) and the standing.
    """
    live_only = " WHERE CAST(ans.choice AS TEXT) = CAST(excluded.choice AS TEXT)" if live else ""
    columns = ", ".join(f"attempts.{name}" for name in _STANDING_COLUMNS)
    return sql_text(
        "WITH guard AS ("
        "SELECT id, ctid AS seen FROM attempts"
        " WHERE id = :attempt_id AND finished_at IS NULL AND deadline >= :cutoff"
        " FOR NO KEY UPDATE"
        "), fresh AS ("
        "SELECT guard.id FROM guard JOIN attempts AS seen"
        " ON seen.id = guard.id AND seen.ctid = guard.seen"
        "), written AS ("
        "INSERT INTO answers AS ans"
        " (attempt_id, no, choice, correct, points, answered_at, revisions)"
        " SELECT fresh.id, :no, :choice, :correct, :points, :now, 1 FROM fresh"
        " ON CONFLICT (attempt_id, no) DO UPDATE SET choice = excluded.choice,"
        " correct = excluded.correct, points = excluded.points,"
        " answered_at = excluded.answered_at, revisions = ans.revisions + 1"
        f"{live_only} RETURNING ans.attempt_id"
        "), others AS ("
        "SELECT coalesce(sum(points), 0) AS points,"
        " count(*) FILTER (WHERE correct) AS correct, count(*) AS answered"
        " FROM answers WHERE attempt_id = :attempt_id AND no <> :no"
        "), totals AS ("
        "UPDATE attempts SET points = others.points + :points,"
        " correct_count = others.correct + CASE WHEN :correct THEN 1 ELSE 0 END,"
        " answered_count = others.answered + 1, last_answer_at = :now"
        " FROM written, others WHERE attempts.id = written.attempt_id"
        f" RETURNING {columns}"
        ") SELECT EXISTS (SELECT FROM guard) AS open, EXISTS (SELECT FROM fresh) AS fresh,"
        " EXISTS (SELECT FROM written) AS written, totals.*"
        " FROM (VALUES (1)) AS one (x) LEFT JOIN totals ON true"
    ).bindparams(
        bindparam("attempt_id", type_=Integer),
        bindparam("no", type_=Integer),
        bindparam("choice", type_=_ANSWERS.c.choice.type),
        bindparam("correct", type_=Boolean),
        bindparam("points", type_=Integer),
        bindparam("cutoff", type_=DateTime),
        bindparam("now", type_=DateTime),
    )


def _save_statements(dialect: str) -> dict[str, Any]:
    cached = _SAVE_STATEMENTS.get(dialect)
    if cached is not None:
        return cached
    attempt_id = bindparam("attempt_id", type_=Integer)
    answers_of = _ANSWERS.c.attempt_id == attempt_id
    # One pass over the attempt's answers for all three totals (three scalar subqueries
    # read them three times).
    recount = (
        select(
            attempt_id.label("attempt_id"),  # one row, always: it joins the attempt
            func.coalesce(func.sum(_ANSWERS.c.points), 0).label("points"),
            func.count().filter(_ANSWERS.c.correct.is_(True)).label("correct"),
            func.count().label("answered"),
        )
        .where(answers_of)
        .subquery("recount")
    )
    statements = {
        # Takes the attempt's row lock first: concurrent saves of one attempt queue here.
        # A lock, not a write (PostgreSQL: FOR NO KEY UPDATE, which the answers' foreign
        # key check does not conflict with); the row is written once, by "totals".
        # SQLite has no row locks: every transaction there begins IMMEDIATE, which
        # serializes writers from the start.
        "guard": select(_ATTEMPTS.c.id)
        .where(
            _ATTEMPTS.c.id == attempt_id,
            _ATTEMPTS.c.finished_at.is_(None),
            _ATTEMPTS.c.deadline >= bindparam("cutoff"),
        )
        .with_for_update(key_share=True),
        "upsert": _answer_upsert(),
        "clear": delete(_ANSWERS).where(answers_of, _ANSWERS.c.no == bindparam("no")),
        # Live-score rounds: a given answer is final. The update applies only to the same
        # choice (an idempotent retry); a different one leaves the row and returns none.
        "upsert_live": _answer_upsert(
            where=lambda ex: cast(_ANSWERS.c.choice, Text) == cast(ex.choice, Text)
        ).returning(_ANSWERS.c.no),
        # Recount from the answers (absolute, so a retried save cannot double-count) and
        # hand back what the boards need.
        "totals": update(_ATTEMPTS)
        .where(_ATTEMPTS.c.id == recount.c.attempt_id)
        .values(
            points=recount.c.points,
            correct_count=recount.c.correct,
            answered_count=recount.c.answered,
            last_answer_at=bindparam("now"),
        )
        .returning(*(_ATTEMPTS.c[name] for name in _STANDING_COLUMNS)),
    }
    if dialect == "postgresql":
        statements["save"] = _save_in_one_statement(live=False)
        statements["save_live"] = _save_in_one_statement(live=True)
    _SAVE_STATEMENTS[dialect] = statements
    return statements


def save_answer(
    attempt_id: int,
    user: User,
    no: int,
    raw_choice: object,
    now: datetime,
    pending: PendingCount | None = None,
) -> SavedAnswer:
    """Store the choice for question ``no`` (an idempotent upsert), then score it.

    ``pending``: the request's rate-limit count not sent yet (the answer lane's,
    ``quiz.accounts.ratelimits.account_request``). It rides on the board publish of a
    live-score round; in any other round it is counted before the write (refusing the
    request over the limit), and a refused request is counted on its own too.

    The attempt row is updated first, guarded by the deadline: that row lock serializes
    concurrent saves of one attempt, and the guard makes "in time" part of the write.
    The answer is acknowledged (this function returns) only after the commit.

    The hot path owns its transaction (the one service that commits, see
    docs/architecture.md "Transactions"): it commits, then publishes at once, so the
    acknowledgement means "durable" and the request adds no queue to drain.
    """
    if pending is None:
        return _save_answer(attempt_id, user, no, raw_choice, now, None)
    with pending:  # counts what did not ride on the publish (quiz.accounts.limiter)
        return _save_answer(attempt_id, user, no, raw_choice, now, pending)


def _save_answer(
    attempt_id: int,
    user: User,
    no: int,
    raw_choice: object,
    now: datetime,
    pending: PendingCount | None,
) -> SavedAnswer:
    drawn = hotpath.drawn_items(attempt_id)
    row = drawn.items.get(no) if drawn is not None and drawn.user_id == user.id else None
    if row is None:
        get_own_attempt(attempt_id, user)
        raise NotFound(_l("This question is not part of the attempt."), code="question_not_found")
    assert drawn is not None
    if drawn.live_game:
        _refuse_live_round()
    if pending is not None and not drawn.live_scores:
        pending.check()  # no board publish to ride on: counted before the write
    if row.kind == Kind.FILL:
        accepted = row.blanks or {}
        blank_count = max((len(b) for b in accepted.values()), default=1)
        original = parse_fill(raw_choice, blank_count)
        indexes = []
        correct, points = fill_points(accepted, original, row.points, drawn.partial_credit)
    else:
        indexes = parse_choice(raw_choice, len(row.option_order), row.kind)
        original = sorted(row.option_order[i] for i in indexes)
        correct, points = points_for(
            row.kind, row.answer, original, row.points, drawn.partial_credit
        )
    guard = {"attempt_id": attempt_id, "cutoff": now - grace(), "now": now}
    answer = {
        "attempt_id": attempt_id,
        "no": no,
        "choice": original,
        "correct": correct,
        "points": points,
        "now": now,
    }
    session = db.session()  # one lookup of the scoped session, not one per use
    conn = session.connection()
    statements = _save_statements(conn.dialect.name)
    if original and hotpath.pipelining(conn):
        # PostgreSQL: one statement (guard, upsert, recount) in one round trip with its
        # BEGIN, checked before COMMIT (``_save_in_one_statement``); its row named by a
        # class made once.
        (plain,) = hotpath.pipelined(
            conn,
            [(statements["save_live" if drawn.live_scores else "save"], {**guard, **answer})],
            plain=True,
        )
        saved: Any = _SavedRow._make(plain)
        if not saved.open:
            _refuse_closed_attempt(attempt_id, user, now)
        if saved.fresh:
            if not saved.written:
                _refuse_live_change()
            standing = saved
        else:  # it waited for another save of this attempt: redo, holding the lock now
            write = statements["upsert_live" if drawn.live_scores else "upsert"]
            guarded, written, standing = hotpath.pipelined(
                conn,
                [
                    (statements["guard"], guard),
                    (write, answer),
                    (statements["totals"], {"attempt_id": attempt_id, "now": now}),
                ],
            )
            if guarded is None:
                _refuse_closed_attempt(attempt_id, user, now)
            if drawn.live_scores and written is None:
                _refuse_live_change()
    else:
        if conn.execute(statements["guard"], guard).first() is None:
            _refuse_closed_attempt(attempt_id, user, now)
        if original and drawn.live_scores:
            if conn.execute(statements["upsert_live"], answer).first() is None:
                _refuse_live_change()
        elif original:
            conn.execute(statements["upsert"], answer)
        else:  # an empty choice clears the answer (never a given live answer)
            if drawn.live_scores:
                _refuse_changing_a_live_answer(attempt_id, no, original)
            conn.execute(statements["clear"], {"attempt_id": attempt_id, "no": no})
        standing = conn.execute(statements["totals"], {"attempt_id": attempt_id, "now": now}).one()
    session.commit()  # the hot path's own commit (see the docstring)
    metrics.ANSWERS_SAVED.inc()
    _publish(standing, now, pending=pending)
    return SavedAnswer(
        no=no,
        choice=original if row.kind == Kind.FILL else [display_key(i) for i in sorted(indexes)],
        answered_count=standing.answered_count,
    )


def _refuse_closed_attempt(attempt_id: int, user: User, now: datetime) -> None:
    """The deadline guard matched nothing: the attempt is over (close it if overdue).

    Part of the hot path, so it owns its transaction: the closing is committed before
    the refusal (an error response rolls back whatever is left uncommitted).
    """
    db.session.rollback()
    attempt = get_own_attempt(attempt_id, user)
    if attempt.finished_at is None:
        finish_attempt(attempt, now)
        db.session.commit()
        raise Conflict(_l("Time is up: answers are no longer accepted."), code="deadline_passed")
    raise Conflict(
        _l("This attempt is finished: answers can no longer change."), code="attempt_finished"
    )


def _refuse_changing_a_live_answer(attempt_id: int, no: int, choice: list[str]) -> None:
    """With live scores a given answer is final: changing it and watching one's score
    would reveal the key. Repeating the same answer stays an idempotent success."""
    given = db.session.scalar(
        select(Answer.choice).where(Answer.attempt_id == attempt_id, Answer.no == no)
    )
    if given is not None and sorted(given) != choice:
        _refuse_live_change()


def _refuse_live_change() -> None:
    db.session.rollback()
    raise Conflict(
        _l("In this round an answer cannot be changed once given."), code="answer_locked"
    )


def finish_attempt(attempt: Attempt, now: datetime, reason: FinishReason | None = None) -> Attempt:
    """Close an attempt (idempotent): the one writer of ``finished_at``.

    Past the grace period it closes at the deadline (``DEADLINE``, whatever ``reason``
    asked). Otherwise at ``now`` (at most the deadline), for ``reason`` (the participant
    ``SUBMITTED`` it when none is given; ``FOCUS_LIMIT`` from quiz/play/fairplay.py).
    The speed bonus is added in the same statement's transaction, whichever the reason.
    Flushes only; the board publish and the metric follow the caller's commit.
    """
    if attempt.finished_at is not None:
        return attempt
    if now > attempt.deadline + grace():
        end, reason = attempt.deadline, FinishReason.DEADLINE
    else:
        end, reason = min(now, attempt.deadline), reason or FinishReason.SUBMITTED
    time_used = max(0, to_ms(end) - to_ms(attempt.started_at))
    done = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.finished_at.is_(None))
        .values(finished_at=end, finish_reason=reason.value, time_used_ms=time_used)
        .returning(Attempt.id, Attempt.correct_count, Attempt.question_count, Attempt.max_points)
    ).first()
    if done is not None:
        _add_speed_bonus(attempt, done, time_used)
    db.session.refresh(attempt)
    if done is not None:
        after_commit(db.session(), metrics.ATTEMPTS_FINISHED.labels(reason.value).inc)
        _publish_after_commit(attempt, now)
    return attempt


def _add_speed_bonus(attempt: Attempt, finished: Any, time_used_ms: int) -> None:
    """Add the round's speed bonus to the points, once, in the finishing transaction.

    The update above marked the attempt finished and holds its row lock, so no answer
    can change the counts any more: the bonus is computed from the final correct count,
    and stored in ``points`` (what the boards and ``quiz leaderboard rebuild`` read).
    """
    if not db.session.scalar(select(Round.speed_bonus).where(Round.id == attempt.round_id)):
        return
    bonus = speed_bonus(
        max_points=finished.max_points,
        correct_count=finished.correct_count,
        question_count=finished.question_count,
        allowed_ms=to_ms(attempt.deadline) - to_ms(attempt.started_at),
        time_used_ms=time_used_ms,
    )
    if bonus:
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id)
            .values(bonus_points=bonus, points=Attempt.points + bonus)
        )


def finalize_overdue(now: datetime, batch: int = 500, round_id: int | None = None) -> int:
    """The one sweep: finish every open attempt past its deadline and grace period.

    The per-minute job runs it over all rounds; closing or publishing a round runs it
    over that round (``round_id``). Flushes only; the caller commits (the job after
    each call, so a batch of finishes and their publishes go together).
    """
    closed = 0
    where = [Attempt.finished_at.is_(None), Attempt.deadline < now - grace()]
    if round_id is not None:
        where.append(Attempt.round_id == round_id)
    while True:
        overdue = db.session.scalars(
            select(Attempt).where(and_(*where)).order_by(Attempt.deadline).limit(batch)
        ).all()
        if not overdue:
            return closed
        for attempt in overdue:
            finish_attempt(attempt, now, FinishReason.DEADLINE)
            closed += 1


def review_allowed(attempt: Attempt, round_: Round, now: datetime) -> bool:
    """May the participant see the answer key for this attempt yet?

    ``after_finish`` with several attempts: only once the participant can draw no more
    questions (every attempt used and finished) or the round has closed. Showing the key
    after each attempt would hand the next attempt the answers of every question drawn
    again (issue 13). The pages and the API both ask here.
    """
    if attempt.finished_at is None or round_.review_policy == ReviewPolicy.NEVER:
        return False
    if round_.state(now) is RoundState.CLOSED:
        return True
    if round_.review_policy != ReviewPolicy.AFTER_FINISH:
        return False
    return round_.max_attempts <= 1 or attempts_used_up(attempt.user_id, round_)


def attempts_used_up(user_id: int, round_: Round) -> bool:
    """Has the user started every attempt the round allows, and finished them all?"""
    started, finished = db.session.execute(
        select(func.count(), func.count(Attempt.finished_at)).where(
            Attempt.round_id == round_.id, Attempt.user_id == user_id
        )
    ).one()
    return started >= round_.max_attempts and started == finished
