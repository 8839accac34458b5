"""The science-literacy self-test (issue 17 item 4): a test in the shape of the national
civic science-literacy survey, not the survey itself.

Fifty questions in one language, 2 points each: 20 knowledge, 10 method, 10 spirit and
10 application (``question_bank.literacy.PART_POINTS``: 40/20/20/20), covering all 26
benchmarks. Unlike practice, nothing is marked before the end: answers may change until
the person finishes (or the deadline passes), then every question is marked at once
(unanswered = wrong), the wrong ones go into the wrong-answer book, and the key and the
explanations are shown. The draw and the scoring are pure functions (tested over many
seeds and with Hypothesis); the rest are services that flush, the route commits.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from question_bank import TRUE_FALSE_LABELS, Kind
from question_bank.drawing import option_order
from question_bank.literacy import BENCHMARKS, PART_POINTS, Part, part_of
from quiz.accounts.models import User
from quiz.banks.models import Question, QuestionText
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.play.services import display_key, parse_choice
from quiz.practice.models import Assessment, AssessmentItem, Source
from quiz.practice.services import _check_language, _practicable, record_answer
from quiz.sql import rows_changed

DURATION = timedelta(minutes=45)
PART_COUNTS: dict[Part, int] = {
    Part.KNOWLEDGE: 20,
    Part.METHOD: 10,
    Part.SPIRIT: 10,
    Part.APPLICATION: 10,
}
"""Questions per part; each is worth PART_POINTS / count = 2 points."""
QUESTION_COUNT = sum(PART_COUNTS.values())

AGE_GROUPS: dict[str, Any] = {
    "u18": _l("Under 18"),
    "18-29": _l("18 to 29"),
    "30-39": _l("30 to 39"),
    "40-49": _l("40 to 49"),
    "50-59": _l("50 to 59"),
    "60-69": _l("60 to 69"),
    "70+": _l("70 and over"),
}
"""The survey's age groups (self-declared, optional), by the short code stored."""

BANDS: dict[str, Any] = {
    "advanced": _l("Advanced"),
    "literate": _l("Scientifically literate"),
    "basic": _l("Basic"),
    "low": _l("Low"),
}
WEAKEST = 3


# -- the draw (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A question the self-test may draw: its id, benchmark and the part it counts for."""

    id: int
    benchmark: str
    part: Part


class NotCoverable(Exception):
    """The questions cannot make a full self-test (a benchmark or a part is short)."""


def draw(candidates: Iterable[Candidate], seed: int) -> list[Candidate]:
    """Fifty questions, reproducible from ``seed``: first one question for each of the 26
    benchmarks (in benchmark order, among those whose part still has room), then each
    part filled to its count taking its benchmarks in turn, so no benchmark dominates a
    part. Raises NotCoverable when the candidates cannot do it."""
    rng = random.Random(seed)
    by_benchmark: dict[str, list[Candidate]] = {b: [] for b in BENCHMARKS}
    for candidate in sorted(candidates, key=lambda c: c.id):
        if candidate.benchmark in by_benchmark:
            by_benchmark[candidate.benchmark].append(candidate)
    room = dict(PART_COUNTS)
    chosen: list[Candidate] = []
    for benchmark, pool in by_benchmark.items():
        open_ = [c for c in pool if room[c.part] > 0]
        if not open_:
            raise NotCoverable(benchmark)
        pick = rng.choice(open_)
        chosen.append(pick)
        room[pick.part] -= 1
    taken = {c.id for c in chosen}
    for part in PART_COUNTS:
        groups = []
        for pool in by_benchmark.values():
            left = [c for c in pool if c.part is part and c.id not in taken]
            rng.shuffle(left)
            if left:
                groups.append(left)
        rng.shuffle(groups)
        while room[part] > 0:
            if not groups:
                raise NotCoverable(part.value)
            for group in list(groups):
                if room[part] == 0:
                    break
                chosen.append(group.pop())
                room[part] -= 1
                if not group:
                    groups.remove(group)
    rng.shuffle(chosen)
    return chosen


# -- scoring (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Points out of 100 in tenths (integers, so the parts add up exactly)."""

    parts: dict[Part, int]
    total: int

    @property
    def score(self) -> float:
        return self.total / 10

    def part(self, part: Part) -> float:
        return self.parts[part] / 10


def score(asked: dict[Part, int], correct: dict[Part, int]) -> Scores:
    """Each part is PART_POINTS × correct / asked, to 0.1. The total is the exact sum
    rounded half up to 0.1, and the parts are rounded by largest remainder (ties in part
    order) so that they add up to it: each part is within 0.1 of its exact value."""
    exact = {
        part: Fraction(PART_POINTS[part] * 10 * correct.get(part, 0), asked[part])
        if asked.get(part)
        else Fraction(0)
        for part in Part
    }
    total_exact = sum(exact.values(), Fraction(0))
    total = int(total_exact + Fraction(1, 2))  # half up (non-negative)
    floors = {part: int(value) for part, value in exact.items()}
    extra = total - sum(floors.values())
    for part in sorted(Part, key=lambda p: (-(exact[p] - floors[p]), list(Part).index(p)))[:extra]:
        floors[part] += 1
    return Scores(parts=floors, total=total)


def band_of(total_tenths: int) -> str:
    """The band of a score in tenths: above 85 advanced, 70 to 85 literate (具备科学素质),
    55 to below 70 basic, below 55 low."""
    if total_tenths > 850:
        return "advanced"
    if total_tenths >= 700:
        return "literate"
    if total_tenths >= 550:
        return "basic"
    return "low"


def weakest(results: Iterable[tuple[str, bool]], n: int = WEAKEST) -> list[str]:
    """The ``n`` benchmarks with the lowest share right, ties in benchmark order, from
    (benchmark, correct) pairs."""
    asked: dict[str, int] = {}
    right: dict[str, int] = {}
    for benchmark, correct in results:
        asked[benchmark] = asked.get(benchmark, 0) + 1
        right[benchmark] = right.get(benchmark, 0) + (1 if correct else 0)
    order = list(BENCHMARKS)
    return sorted(asked, key=lambda b: (Fraction(right[b], asked[b]), order.index(b)))[:n]


# -- starting -------------------------------------------------------------------------


def candidates(language: str) -> list[Candidate]:
    """Practicable questions in ``language`` that carry a benchmark."""
    rows = db.session.execute(
        select(Question.id, Question.benchmark, Question.literacy_part).where(
            Question.id.in_(_practicable(language)), Question.benchmark.is_not(None)
        )
    ).all()
    found = []
    for question_id, benchmark, part in rows:
        if benchmark not in BENCHMARKS:
            continue
        counted = part_of(benchmark, part)
        assert counted is not None
        found.append(Candidate(question_id, benchmark, counted))
    return found


def unavailable_error() -> Conflict:
    return Conflict(
        _l("The self-test is not available in this language yet."), code="selftest_unavailable"
    )


def available(language: str) -> bool:
    """Whether a self-test can be drawn in ``language`` now (for the start page)."""
    try:
        draw(candidates(language), 0)
    except NotCoverable:
        return False
    return True


def _check_age_group(age_group: object) -> str | None:
    if age_group is None or age_group == "":
        return None
    if not isinstance(age_group, str) or age_group not in AGE_GROUPS:
        raise ValidationFailed({"age_group": [_l("Choose an age group from the list.")]})
    return age_group


def start(user: User, language: object, now: datetime, age_group: object = None) -> Assessment:
    """A new self-test. Raises ValidationFailed for bad input and Conflict
    ``selftest_unavailable`` when the bank cannot cover every benchmark in the language."""
    language = _check_language(language)
    age = _check_age_group(age_group)
    seed = random.SystemRandom().randrange(2**48)
    try:
        drawn = draw(candidates(language), seed)
    except NotCoverable:
        raise unavailable_error() from None
    assessment = Assessment(
        user_id=user.id,
        language=language,
        seed=seed,
        started_at=now,
        deadline=now + DURATION,
        region_code=user.region_code,
        age_group=age,
    )
    db.session.add(assessment)
    db.session.flush()
    meta = {
        row.id: row
        for row in db.session.execute(
            select(Question.id, Question.kind, Question.option_keys).where(
                Question.id.in_([c.id for c in drawn])
            )
        )
    }
    for no, candidate in enumerate(drawn, start=1):
        row = meta[candidate.id]
        order = (
            list(row.option_keys)
            if row.kind == Kind.TRUEFALSE
            else option_order(row.option_keys, seed, candidate.id)
        )
        db.session.add(
            AssessmentItem(
                assessment_id=assessment.id,
                no=no,
                question_id=candidate.id,
                part=candidate.part.value,
                benchmark=candidate.benchmark,
                option_order=order,
            )
        )
    db.session.flush()
    return assessment


def get_own(assessment_id: int, user: User) -> Assessment:
    found = db.session.get(Assessment, assessment_id)
    if found is None or found.user_id != user.id:
        # Someone else's self-test is "not found": ids reveal nothing.
        raise NotFound(_l("This self-test does not exist."), code="assessment_not_found")
    return found


def is_open(assessment: Assessment, now: datetime) -> bool:
    return assessment.finished_at is None and now < assessment.deadline


# -- answering and finishing ----------------------------------------------------------


def answer(assessment: Assessment, no: int, raw_choice: object, now: datetime) -> list[str]:
    """Store (or change) one answer; nothing is marked before the end. Returns the
    choice in displayed keys. Refused with 409 once finished or past the deadline."""
    item = db.session.get(AssessmentItem, (assessment.id, no))
    if item is None:
        raise NotFound(_l("This question is not part of the self-test."), code="question_not_found")
    if assessment.finished_at is not None:
        raise Conflict(_l("This self-test is finished."), code="assessment_finished")
    if now >= assessment.deadline:
        raise Conflict(_l("The time for this self-test is over."), code="assessment_time_over")
    kind = db.session.scalar(select(Question.kind).where(Question.id == item.question_id))
    indexes = parse_choice(raw_choice, len(item.option_order), str(kind))
    if not indexes:
        raise ValidationFailed({"choice": [_l("Choose an answer.")]})
    item.choice = sorted(item.option_order[i] for i in indexes)
    item.answered_at = now
    db.session.flush()
    return sorted(display_key(i) for i in indexes)


def finish(assessment: Assessment, now: datetime) -> Assessment:
    """Mark every question (unanswered = wrong), score, band, and put the wrong ones in
    the book. Finishing twice changes nothing (the first finish wins)."""
    claimed = rows_changed(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.finished_at.is_(None))
        .values(finished_at=min(now, assessment.deadline))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(assessment)
    if not claimed:
        return assessment
    items = list(
        db.session.scalars(
            select(AssessmentItem)
            .where(AssessmentItem.assessment_id == assessment.id)
            .order_by(AssessmentItem.no)
        )
    )
    keys = dict(
        db.session.execute(
            select(Question.id, Question.answer).where(
                Question.id.in_([item.question_id for item in items])
            )
        ).all()
    )
    asked = {part: 0 for part in Part}
    right = {part: 0 for part in Part}
    for item in items:
        item.correct = item.choice is not None and set(item.choice) == set(keys[item.question_id])
        asked[Part(item.part)] += 1
        right[Part(item.part)] += 1 if item.correct else 0
        record_answer(
            assessment.user_id,
            item.question_id,
            bool(item.correct),
            Source.SELFTEST,
            assessment.finished_at or now,
        )
    scores = score(asked, right)
    assessment.score = scores.score
    assessment.knowledge_score = scores.part(Part.KNOWLEDGE)
    assessment.method_score = scores.part(Part.METHOD)
    assessment.spirit_score = scores.part(Part.SPIRIT)
    assessment.application_score = scores.part(Part.APPLICATION)
    assessment.band = band_of(scores.total)
    db.session.flush()
    return assessment


# -- what a person sees ---------------------------------------------------------------


def part_scores(assessment: Assessment) -> dict[str, float | None]:
    return {
        Part.KNOWLEDGE.value: assessment.knowledge_score,
        Part.METHOD.value: assessment.method_score,
        Part.SPIRIT.value: assessment.spirit_score,
        Part.APPLICATION.value: assessment.application_score,
    }


@dataclass
class ShownItem:
    no: int
    question_id: int
    kind: str
    part: str
    benchmark: str
    text: str
    options: list[dict[str, str]]
    choice: list[str] = field(default_factory=list)
    # Only once the self-test is finished:
    correct: bool | None = None
    correct_options: list[str] | None = None
    explanation: str | None = None

    def to_json(self, finished: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "no": self.no,
            "kind": self.kind,
            "text": self.text,
            "options": self.options,
            "choice": self.choice,
        }
        if finished:
            body.update(
                part=self.part,
                benchmark=self.benchmark,
                correct=self.correct,
                correct_options=self.correct_options,
                explanation=self.explanation or "",
            )
        return body


def items(assessment: Assessment) -> list[ShownItem]:
    """The questions in the test's language with the person's choices; the key, the
    explanation and the marking only once finished."""
    rows = db.session.execute(
        select(
            AssessmentItem.no,
            AssessmentItem.question_id,
            AssessmentItem.part,
            AssessmentItem.benchmark,
            AssessmentItem.option_order,
            AssessmentItem.choice,
            AssessmentItem.correct,
            Question.kind,
            Question.answer,
            QuestionText.text,
            QuestionText.options,
            QuestionText.explanation,
        )
        .join(Question, Question.id == AssessmentItem.question_id)
        .join(
            QuestionText,
            (QuestionText.question_id == Question.id)
            & (QuestionText.language == assessment.language),
        )
        .where(AssessmentItem.assessment_id == assessment.id)
        .order_by(AssessmentItem.no)
    ).all()
    finished = assessment.finished_at is not None
    shown = []
    for row in rows:
        labels = row.options or TRUE_FALSE_LABELS.get(assessment.language, {})
        position = {original: display_key(i) for i, original in enumerate(row.option_order)}
        item = ShownItem(
            no=row.no,
            question_id=row.question_id,
            kind=row.kind,
            part=row.part,
            benchmark=row.benchmark,
            text=row.text,
            options=[
                {"key": display_key(i), "text": labels.get(original, original)}
                for i, original in enumerate(row.option_order)
            ],
            choice=sorted(position[k] for k in row.choice or []),
        )
        if finished:
            item.correct = bool(row.correct)
            item.correct_options = sorted(position[k] for k in row.answer)
            item.explanation = row.explanation
        shown.append(item)
    return shown


def weakest_of(assessment: Assessment) -> list[str]:
    rows = db.session.execute(
        select(AssessmentItem.benchmark, AssessmentItem.correct).where(
            AssessmentItem.assessment_id == assessment.id
        )
    ).all()
    return weakest((b, bool(c)) for b, c in rows)


def finished_of(user_id: int) -> Sequence[Assessment]:
    """The person's finished self-tests, latest first (for the history)."""
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.user_id == user_id, Assessment.finished_at.is_not(None))
        .order_by(Assessment.finished_at.desc(), Assessment.id.desc())
    ).all()
