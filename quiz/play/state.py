"""What a participant may see of an attempt: the questions, their own answers and,
only once the round's review policy allows, the key and the explanations.

One function builds it for both the quiz pages and the API, so the rule about when the
key is revealed cannot differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from question_bank import TRUE_FALSE_LABELS, Kind
from quiz.banks.media_routes import shown as shown_pictures
from quiz.banks.models import Question, QuestionText
from quiz.clock import to_ms
from quiz.contests.models import Round
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.services import display_key, review_allowed


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
    rows = db.session.execute(
        select(
            AttemptItem.no,
            AttemptItem.option_order,
            Question.kind,
            Question.answer,
            Question.media,
            QuestionText.text,
            QuestionText.options,
            QuestionText.explanation,
            QuestionText.blanks,
        )
        .join(Question, Question.id == AttemptItem.question_id)
        .join(
            QuestionText,
            (QuestionText.question_id == Question.id) & (QuestionText.language == language),
        )
        .where(AttemptItem.attempt_id == attempt.id)
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
