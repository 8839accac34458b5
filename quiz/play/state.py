"""What a participant may see of an attempt: the questions, their own answers and,
only once the round's review policy allows, the key and the explanations.

One function builds it for both the quiz pages and the API, so the rule about when the
key is revealed cannot differ between them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from question_bank import TRUE_FALSE_LABELS, Kind
from quiz.banks.media_routes import shown as shown_pictures
from quiz.banks.models import Question, QuestionText
from quiz.cache import app_cache
from quiz.clock import to_ms
from quiz.contests.models import Round
from quiz.extensions import db, read_only_connection
from quiz.play.models import Answer, Attempt, AttemptItem, NewAttempt
from quiz.play.services import display_key, review_allowed
from quiz.sql import reads_without_transaction


@dataclass
class ShownOption:
    key: str
    text: str
    media: list[dict] = field(default_factory=list)


@dataclass
class ShownQuestion:
    no: int
    kind: str
    text: str
    options: list[ShownOption]
    choice: list[str] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    # Fill-in questions: how many blanks (``choice`` then holds the texts typed), and,
    # once review is allowed, each blank's accepted answers.
    blanks: int = 0
    accepted: list[list[str]] | None = None
    # Filled only when review is allowed:
    correct_keys: list[str] | None = None
    is_correct: bool | None = None
    explanation: str | None = None
    points: int | None = None


@dataclass
class AttemptState:
    attempt: Attempt
    round: Round
    language: str
    remaining_seconds: int
    questions: list[ShownQuestion]
    review: bool

    @property
    def finished(self) -> bool:
        return self.attempt.finished_at is not None

    def to_json(self) -> dict:
        a = self.attempt
        body: dict = {
            "id": a.id,
            "round_id": a.round_id,
            "contest_id": a.contest_id,
            "league_id": a.league_id,
            "attempt_no": a.attempt_no,
            "language": self.language,
            "state": "finished" if self.finished else "active",
            "started_at": _iso(a.started_at),
            "deadline": _iso(a.deadline),
            "remaining_seconds": self.remaining_seconds,
            "question_count": a.question_count,
            "answered_count": a.answered_count,
            "questions": [],
            "answers": [
                {"no": q.no, "text": q.choice} if q.blanks else {"no": q.no, "choice": q.choice}
                for q in self.questions
                if q.choice
            ],
            "review": self.review,
        }
        for q in self.questions:
            item: dict = {
                "no": q.no,
                "kind": q.kind,
                "text": q.text,
                "media": q.media,
                "options": [{"key": o.key, "text": o.text, "media": o.media} for o in q.options],
            }
            if q.blanks:
                item["blanks"] = q.blanks
            if self.review:
                if q.blanks:
                    item["accepted"] = q.accepted
                item.update(
                    correct=q.correct_keys,
                    is_correct=q.is_correct,
                    explanation=q.explanation,
                    points=q.points,
                )
            body["questions"].append(item)
        if self.finished:
            body.update(
                score=a.points,
                max_score=a.max_points,
                time_used_ms=a.time_used_ms,
                finished_at=_iso(a.finished_at),
                finish_reason=a.finish_reason,
            )
        return body


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") + "Z" if moment else None


def attempt_state(attempt: Attempt, language: str | None, now: datetime) -> AttemptState:
    """Everything to show; ``language`` may differ from the one the attempt began in."""
    round_ = db.session.get(Round, attempt.round_id)
    assert round_ is not None
    if language not in round_.languages:
        language = attempt.language
    review = review_allowed(attempt, round_, now)

    # Plain columns, not ORM objects: 20 items and 20 texts as entities cost more CPU in
    # the identity map than the query itself (every start and every page load runs this).
    def of_question(column: Any) -> Any:
        return AttemptItem.looked_up(column, Question.id)

    def of_text(column: Any) -> Any:
        return AttemptItem.looked_up(
            column, QuestionText.question_id, QuestionText.language == language
        )

    # Each item's question and text by primary key (``AttemptItem.looked_up``: no join
    # whose plan hangs on attempt_items' statistics).
    text = of_text(QuestionText.text)
    rows = db.session.execute(
        select(
            AttemptItem.no,
            AttemptItem.option_order,
            of_question(Question.kind).label("kind"),
            of_question(Question.answer).label("answer"),
            of_question(Question.media).label("media"),
            text.label("text"),
            of_text(QuestionText.options).label("options"),
            of_text(QuestionText.explanation).label("explanation"),
            of_text(QuestionText.blanks).label("blanks"),
        )
        .where(AttemptItem.attempt_id == attempt.id, text.is_not(None))
        .order_by(AttemptItem.no)
    ).all()
    answers = (
        {a.no: a for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
        if attempt.answered_count  # a fresh attempt has none: spare the round trip
        else {}
    )
    questions = []
    for item in rows:
        key = item.answer
        labels = item.options or TRUE_FALSE_LABELS.get(language, {})
        options = [
            ShownOption(
                display_key(i), labels.get(original, original), shown_pictures(item.media, original)
            )
            for i, original in enumerate(item.option_order)
        ]
        position = {original: display_key(i) for i, original in enumerate(item.option_order)}
        answer = answers.get(item.no)
        fill = item.kind == Kind.FILL
        if fill:
            choice = list(answer.choice) if answer else []
        else:
            choice = sorted(position[k] for k in answer.choice) if answer else []
        shown = ShownQuestion(
            no=item.no,
            kind=item.kind,
            text=item.text,
            options=options,
            choice=choice,
            media=shown_pictures(item.media, None),
            blanks=len(item.blanks or ()) if fill else 0,
        )
        if review:
            if fill:
                shown.accepted = [list(accepted) for accepted in item.blanks or ()]
            shown.correct_keys = sorted(position[k] for k in key)
            shown.is_correct = bool(answer and answer.correct)
            shown.explanation = item.explanation
            shown.points = answer.points if answer else 0
        questions.append(shown)
    remaining = 0
    if attempt.finished_at is None:
        remaining = max(0, (to_ms(attempt.deadline) - to_ms(now)) // 1000)
    return AttemptState(
        attempt=attempt,
        round=round_,
        language=language,
        remaining_seconds=int(remaining),
        questions=questions,
        review=review,
    )


# --- A new attempt's response, without the ORM -------------------------------------
#
# Every attempt start answers with its 20 questions in the chosen language. What a
# question shows (kind, text, pictures, option labels, blank count) depends only on the
# bank's revision and the language: it is rendered to JSON once per process and revision
# (every console edit and import bumps the revision), and a start's response only
# arranges the options in the attempt's order. No answer key, accepted answer or
# explanation is in a payload: a new attempt's review is never allowed.


@dataclass(frozen=True)
class QuestionPayload:
    """One question's shown parts as JSON fragments (sorted keys, as the API's JSON)."""

    head: str  # '"blanks":n,' for a fill-in question, then '"kind":…,"media":[…]'
    text: str  # '"text":"…"'
    options: dict[str, str]  # original option key -> '"media":[…],"text":"…"}' (closed)


PAYLOAD_SECONDS = float("inf")  # keyed by revision: never stale, dropped for a newer one
MAX_PAYLOAD_SETS = 64  # (bank, revision, language) sets kept per process
# About 1 KB per question and language in each worker: a larger bank's starts render
# their own questions (``drawn_payloads``, one query) rather than hold ~100 MiB per
# 100,000 questions.
PAYLOAD_MAX_QUESTIONS = 20_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _payload_cache() -> Any:
    return app_cache("question_payloads", PAYLOAD_SECONDS, max_entries=MAX_PAYLOAD_SETS)


def question_payloads(
    bank_id: int, revision: int, language: str
) -> dict[int, QuestionPayload] | None:
    """Every question of a bank revision in ``language``, rendered once per process
    (None for a bank of more than ``PAYLOAD_MAX_QUESTIONS``: not kept)."""
    key = (bank_id, revision, language)
    return _payload_cache().get(key, lambda: _build_payloads(bank_id, revision, language))


def forget_payloads(bank_id: int, revision: int) -> None:
    """Drop this process's payloads of ``bank_id`` rendered from another revision."""
    _payload_cache().discard_where(lambda k, _v: k[0] == bank_id and k[1] != revision)


def _build_payloads(
    bank_id: int, revision: int, language: str
) -> dict[int, QuestionPayload] | None:
    forget_payloads(bank_id, revision)
    # Read on a connection of its own: the cache's lock is held here, and on SQLite this
    # request's session may need the write lock that a thread waiting for that cache lock
    # holds (after its commit, a start opens a new transaction before its payloads).
    with read_only_connection() as conn:
        return _render_payloads(conn, bank_id, language)


def _render_payloads(conn: Any, bank_id: int, language: str) -> dict[int, QuestionPayload] | None:
    size = conn.scalar(select(func.count()).where(Question.bank_id == bank_id))
    if (size or 0) > PAYLOAD_MAX_QUESTIONS:
        return None
    rows = conn.execute(_payload_rows(language).where(Question.bank_id == bank_id))
    return {row.id: _render_payload(row, language) for row in rows}


def drawn_payloads(
    bank_id: int, revision: int, language: str, question_ids: list[int]
) -> dict[int, QuestionPayload]:
    """The payloads of an attempt's questions: from the bank's rendering kept in this
    process, or, for a bank too large to keep, rendered from one read of just those
    questions by primary key. (The large bank's starts used to answer through the ORM
    state: its attempt, items, questions and texts as objects, 2.5x a small bank's start.)
    The read runs outside a transaction on PostgreSQL: the start has committed."""
    payloads = question_payloads(bank_id, revision, language)
    if payloads is not None:
        return payloads
    reads_without_transaction()
    rows = db.session.execute(_payload_rows(language).where(Question.id.in_(question_ids)))
    return {row.id: _render_payload(row, language) for row in rows}


def _payload_rows(language: str) -> Any:
    """The columns a payload is rendered from, in ``language`` (the caller says which
    questions)."""
    return select(
        Question.id,
        Question.kind,
        Question.option_keys,
        Question.media,
        QuestionText.text,
        QuestionText.options,
        QuestionText.blanks,
    ).join(
        QuestionText,
        (QuestionText.question_id == Question.id) & (QuestionText.language == language),
    )


def _render_payload(row: Any, language: str) -> QuestionPayload:
    labels = row.options or TRUE_FALSE_LABELS.get(language, {})
    head = _dumps({"kind": row.kind, "media": shown_pictures(row.media, None)})[1:-1]
    if row.kind == Kind.FILL:
        head = f'"blanks":{len(row.blanks or ())},{head}'
    return QuestionPayload(
        head=head,
        text=_dumps({"text": row.text})[1:-1],
        options={
            original: _dumps(
                {
                    "media": shown_pictures(row.media, original),
                    "text": labels.get(original, original),
                }
            )[1:]
            for original in row.option_keys or ()
        },
    )


# '{"key":"A",' for each option position; an option's payload fragment closes the object.
_OPTION_OPENERS = tuple(f'{{"key":"{display_key(i)}",' for i in range(26))


def fresh_attempt_json(
    attempt: Attempt | NewAttempt,
    bank_id: int,
    revision: int,
    items: list[dict[str, Any]],
    now: datetime,
) -> str | None:
    """The body ``attempt_state(...).to_json()`` gives for a just-started attempt (no
    answers, no review), built from the drawn items and their payloads (``drawn_payloads``)
    instead of 20 objects; None if a question is missing from them (the caller then
    builds it the usual way)."""
    payloads = drawn_payloads(
        bank_id, revision, attempt.language, [item["question_id"] for item in items]
    )
    questions = []
    for item in items:
        payload = payloads.get(item["question_id"])
        if payload is None:
            return None
        shown = payload.options
        try:
            options = ",".join(
                [
                    _OPTION_OPENERS[i] + shown[original]
                    for i, original in enumerate(item["option_order"])
                ]
            )
        except (KeyError, IndexError):  # an option not in the payload (or beyond Z)
            return None
        questions.append(
            f'{{{payload.head},"no":{item["no"]},"options":[{options}],{payload.text}}}'
        )
    remaining = max(0, (to_ms(attempt.deadline) - to_ms(now)) // 1000)
    # The keys sort around "questions" (the API's bodies have sorted keys).
    before = {
        "answered_count": attempt.answered_count,
        "answers": [],
        "attempt_no": attempt.attempt_no,
        "contest_id": attempt.contest_id,
        "deadline": _iso(attempt.deadline),
        "id": attempt.id,
        "language": attempt.language,
        "league_id": attempt.league_id,
        "question_count": attempt.question_count,
    }
    after = {
        "remaining_seconds": int(remaining),
        "review": False,
        "round_id": attempt.round_id,
        "started_at": _iso(attempt.started_at),
        "state": "active",
    }
    return f'{_dumps(before)[:-1]},"questions":[{",".join(questions)}],{_dumps(after)[1:]}'
