"""Item analysis of a closed round, with Moodle's definitions.

From https://docs.moodle.org/dev/Quiz_statistics_calculations (the quiz statistics
report), for an item i with score x_i and test score X over the attempts analysed:

- **Facility index** F_i = 100 × (mean(x_i) − x_i(min)) / (x_i(max) − x_i(min)): the mean
  score on the item as a percentage of its maximum (our minimum is 0).
- **Discrimination index** D_i = 100 × r(x_i, X − x_i): Pearson's correlation between
  the item score and the score on the *rest of the test* (the total minus this item), so
  the item is not correlated with itself.

As in Moodle's default, only each participant's first attempt counts (attempt_no = 1,
finished), and an item drawn but not answered scores 0. Rounds draw questions at
random, so each item is analysed over the attempts that drew it ("per question"), and
per language: the language the attempt was started in (a participant may switch
language mid-attempt; the start language is the one stored).

Everything is aggregated in SQL: per (question, language) the count n and the integer
sums Σa, Σa², Σy, Σy², Σay, where a is the points the item scored and y the rest of the
test's points. Item points are the same for a question within a round, so r(a, y) =
r(x, y) and the sums stay exact integers (floats would lose digits at 600,000
attempts). Option counts are one GROUP BY over the answers' choices. Python then handles
one row per question and language, never one per answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from sqlalchemy import Text, case, cast, func, select

from question_bank import TRUE_FALSE_LABELS
from quiz.banks.models import Question, QuestionText
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem

LOW_FACILITY = 10
HIGH_FACILITY = 95
ALL = "all"  # the language key of the row that sums every language


@dataclass
class Sums:
    """Exact integer sums for one item (question) in one language."""

    n: int = 0
    answered: int = 0
    possible: int = 0  # Σ item points (n × the item's points)
    a: int = 0
    aa: int = 0
    y: int = 0
    yy: int = 0
    ay: int = 0

    def add(self, other: Sums) -> None:
        for name in ("n", "answered", "possible", "a", "aa", "y", "yy", "ay"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def facility(self) -> float | None:
        """100 × mean score fraction on the item."""
        return 100.0 * self.a / self.possible if self.possible else None

    @property
    def discrimination(self) -> float | None:
        """100 × Pearson r(item score, rest-of-test score); None when either is constant."""
        covariance = self.n * self.ay - self.a * self.y
        spread = (self.n * self.aa - self.a * self.a) * (self.n * self.yy - self.y * self.y)
        if self.n < 2 or spread <= 0:
            return None
        return 100.0 * covariance / math.sqrt(spread)


@dataclass
class ItemStats:
    question_id: int
    external_id: str
    kind: str
    answer: list[str]
    option_keys: list[str]
    language: str  # "zh", "mn" or ALL
    text: str
    option_texts: dict[str, str]
    sums: Sums
    # option key -> how many chose it (in a multiple-choice answer each chosen key counts)
    choices: dict[str, int] = field(default_factory=dict)

    @property
    def facility(self) -> float | None:
        return self.sums.facility

    @property
    def discrimination(self) -> float | None:
        return self.sums.discrimination

    @property
    def unused_distractors(self) -> list[str]:
        if not self.sums.answered:
            return []
        return [k for k in self.option_keys if k not in self.answer and not self.choices.get(k, 0)]

    @property
    def flags(self) -> list[str]:
        """Why the item may be broken: 'negative_discrimination', 'unused_distractor',
        'too_hard' (facility < 10), 'too_easy' (facility > 95)."""
        found = []
        if self.discrimination is not None and self.discrimination < 0:
            found.append("negative_discrimination")
        if self.unused_distractors:
            found.append("unused_distractor")
        if self.facility is not None and self.facility < LOW_FACILITY:
            found.append("too_hard")
        if self.facility is not None and self.facility > HIGH_FACILITY:
            found.append("too_easy")
        return found


def _first_attempts(round_id: int) -> list:
    return [
        Attempt.round_id == round_id,
        Attempt.attempt_no == 1,
        Attempt.finished_at.is_not(None),
    ]


def analyse(round_id: int) -> list[ItemStats]:
    """Per question: one row per language, then the all-languages row (ALL)."""
    scored = func.coalesce(Answer.points, 0)
    rest = Attempt.points - scored
    joined = (
        select()
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .outerjoin(
            Answer, (Answer.attempt_id == AttemptItem.attempt_id) & (Answer.no == AttemptItem.no)
        )
        .where(*_first_attempts(round_id))
    )
    sums: dict[tuple[int, str], Sums] = {}
    for row in db.session.execute(
        joined.add_columns(
            AttemptItem.question_id,
            Attempt.language,
            func.count(),
            func.sum(case((Answer.attempt_id.is_not(None), 1), else_=0)),
            func.sum(AttemptItem.points),
            func.sum(scored),
            func.sum(scored * scored),
            func.sum(rest),
            func.sum(rest * rest),
            func.sum(scored * rest),
        ).group_by(AttemptItem.question_id, Attempt.language)
    ):
        qid, language, *values = row
        sums[(qid, language)] = Sums(*(int(v or 0) for v in values))
    choices: dict[tuple[int, str], dict[str, int]] = {}
    for qid, language, choice, count in db.session.execute(
        select(AttemptItem.question_id, Attempt.language, cast(Answer.choice, Text), func.count())
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Answer, (Answer.attempt_id == AttemptItem.attempt_id) & (Answer.no == AttemptItem.no))
        .where(*_first_attempts(round_id))
        .group_by(AttemptItem.question_id, Attempt.language, cast(Answer.choice, Text))
    ):
        counted = choices.setdefault((qid, language), {})
        for key in json.loads(choice):
            counted[key] = counted.get(key, 0) + int(count)
    question_ids = sorted({qid for qid, _ in sums})
    questions = {
        q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(question_ids)))
    }
    texts = {
        (t.question_id, t.language): t
        for t in db.session.scalars(
            select(QuestionText).where(QuestionText.question_id.in_(question_ids))
        )
    }
    items: list[ItemStats] = []
    for qid in question_ids:
        question = questions[qid]
        languages = sorted(lang for q, lang in sums if q == qid)
        total = Sums()
        total_choices: dict[str, int] = {}
        for language in [*languages, ALL]:
            if language == ALL:
                if len(languages) < 2:
                    break
                own, picked, shown_in = total, total_choices, languages[0]
            else:
                own, picked, shown_in = (
                    sums[(qid, language)],
                    choices.get((qid, language), {}),
                    language,
                )
                total.add(own)
                for key, count in picked.items():
                    total_choices[key] = total_choices.get(key, 0) + count
            text = texts.get((qid, shown_in))
            labels = (text.options if text else None) or TRUE_FALSE_LABELS.get(shown_in, {})
            items.append(
                ItemStats(
                    question_id=qid,
                    external_id=question.external_id,
                    kind=question.kind,
                    answer=list(question.answer),
                    option_keys=list(question.option_keys),
                    language=language,
                    text=text.text if text else "",
                    option_texts={k: labels.get(k, k) for k in question.option_keys},
                    sums=own,
                    choices=dict(picked),
                )
            )
    return items
