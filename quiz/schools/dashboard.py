"""What a teacher sees of a class and of a student: every round taken, with score, time
used, rank in the league and in the school; the class's participation per round; the
trend over rounds; the questions the class got wrong most often.

A student's result in a round is their best finished attempt (points, then less time,
then earlier finish: ``quiz.leaderboards.ranking``). The rank in the league is read from
the live round board in Redis (absent when Redis is down); the rank in the school is
computed from SQL among the school's students, with the same ordering.

Wrong answers and their explanations are shown only for rounds whose review policy
allows review and that are closed: a teacher must not learn the key of a round their
students are still taking (``review_open``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import redis
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from question_bank import TRUE_FALSE_LABELS
from question_bank.formats import spreadsheet
from question_bank.formats.spreadsheet import Sheet
from quiz.accounts.models import User
from quiz.banks.models import Question, QuestionText
from quiz.contests.models import Contest, ReviewPolicy, Round, RoundState
from quiz.dates import format_moment
from quiz.extensions import db, redis_store
from quiz.i18n import LANGUAGE_NAMES
from quiz.leaderboards.live import is_frozen
from quiz.leaderboards.ranking import better, sort_key, to_ms
from quiz.leaderboards.store import FROZEN, round_league_ranks
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.schools.models import School, SchoolClass, SchoolStudent
from quiz.schools.services import class_students

WRONG_LIMIT = 5


@dataclass
class Result:
    """A student's best finished attempt in one round."""

    user_id: int
    round_id: int
    league_id: int
    points: int
    max_points: int
    time_used_ms: int
    finished_at: datetime
    league_rank: int | None = None
    school_rank: int | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0


def _best_results(
    user_ids: list[int], round_ids: list[int] | None = None
) -> dict[tuple[int, int], Result]:
    """(user, round) -> best finished attempt, for these users."""
    if not user_ids:
        return {}
    query = select(Attempt).where(Attempt.user_id.in_(user_ids), Attempt.finished_at.is_not(None))
    if round_ids is not None:
        query = query.where(Attempt.round_id.in_(round_ids))
    best: dict[tuple[int, int], Result] = {}
    for a in db.session.scalars(query):
        candidate = Result(
            a.user_id,
            a.round_id,
            a.league_id,
            a.points,
            a.max_points,
            a.time_used_ms or 0,
            a.finished_at,  # type: ignore[arg-type]
        )
        key = (a.user_id, a.round_id)
        held = best.get(key)
        if held is None or better(
            (candidate.points, candidate.time_used_ms, to_ms(candidate.finished_at)),
            (held.points, held.time_used_ms, to_ms(held.finished_at)),
        ):
            best[key] = candidate
    return best


def _rounds(round_ids: set[int]) -> list[Round]:
    rounds = db.session.scalars(select(Round).where(Round.id.in_(round_ids))).all()
    return sorted(rounds, key=lambda r: (r.opens_at, r.id))


def _add_ranks(results: list[Result], round_: Round, school_id: int) -> None:
    """League ranks from the round's board (the frozen one during a freeze: a teacher is
    not the contest's organizer), school ranks from SQL (same ordering)."""
    try:
        ranks = round_league_ranks(
            redis_store.client,
            round_.contest_id,
            round_.id,
            [(r.user_id, r.league_id) for r in results],
            FROZEN if is_frozen(round_.contest_id, round_.id) else "",
        )
    except redis.RedisError:
        ranks = [None] * len(results)
    for result, rank in zip(results, ranks, strict=True):
        result.league_rank = rank
    school_users = list(
        db.session.scalars(
            select(SchoolStudent.user_id).where(SchoolStudent.school_id == school_id)
        )
    )
    everyone = [r for (_u, _r), r in _best_results(school_users, [round_.id]).items()]
    epoch = to_ms(round_.opens_at)
    order = sorted(
        everyone,
        key=lambda r: sort_key(r.points, r.time_used_ms, to_ms(r.finished_at), epoch, r.user_id),
    )
    place = {r.user_id: index + 1 for index, r in enumerate(order)}
    for result in results:
        result.school_rank = place.get(result.user_id)


def review_open(round_: Round, now: datetime) -> bool:
    return round_.review_policy != ReviewPolicy.NEVER and round_.state(now) is RoundState.CLOSED


@dataclass(frozen=True)
class WrongQuestion:
    question_id: int
    wrong: int
    taken: int
    text: str
    answer: list[str]  # the correct options' texts
    explanation: str


def wrong_questions(
    round_: Round, user_ids: list[int], language: str, limit: int = WRONG_LIMIT
) -> list[WrongQuestion]:
    """The questions of a round the class missed most often (wrong or left unanswered)."""
    if not user_ids:
        return []
    rows = db.session.execute(
        select(
            AttemptItem.question_id,
            func.count().label("taken"),
            func.sum(
                case((or_(Answer.correct.is_(None), Answer.correct.is_(False)), 1), else_=0)
            ).label("wrong"),
        )
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .outerjoin(
            Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.no == AttemptItem.no)
        )
        .where(
            Attempt.round_id == round_.id,
            Attempt.user_id.in_(user_ids),
            Attempt.finished_at.is_not(None),
        )
        .group_by(AttemptItem.question_id)
    ).all()
    rows = sorted((r for r in rows if r.wrong), key=lambda r: (-r.wrong, r.question_id))[:limit]
    found = []
    for row in rows:
        question = db.session.get(Question, row.question_id)
        if question is None:
            continue
        text = question.text_for(language) or db.session.scalar(
            select(QuestionText).where(QuestionText.question_id == question.id).limit(1)
        )
        if text is None:
            continue
        if question.kind == "fill":  # each blank's accepted answers
            answer = [" / ".join(accepted) for accepted in text.blanks or ()]
        else:
            labels = text.options or TRUE_FALSE_LABELS.get(text.language, {})
            answer = [labels.get(key, key) for key in question.answer]
        found.append(
            WrongQuestion(
                question_id=question.id,
                wrong=int(row.wrong),
                taken=int(row.taken),
                text=text.text,
                answer=answer,
                explanation=text.explanation or "",
            )
        )
    return found


@dataclass
class RoundSummary:
    round: Round
    contest: Contest
    participants: int
    class_size: int
    average_percent: float
    results: dict[int, Result] = field(default_factory=dict)  # by user id
    wrong: list[WrongQuestion] = field(default_factory=list)
    review: bool = False

    @property
    def participation(self) -> float:
        return self.participants / self.class_size if self.class_size else 0.0


@dataclass
class ClassDashboard:
    school: School
    school_class: SchoolClass
    students: list[tuple[SchoolStudent, User]]
    rounds: list[RoundSummary]


def class_dashboard(
    school: School, school_class: SchoolClass, now: datetime, language: str
) -> ClassDashboard:
    students = class_students(school_class)
    user_ids = [u.id for _s, u in students]
    best = _best_results(user_ids)
    by_round: dict[int, list[Result]] = defaultdict(list)
    for (_u, round_id), result in best.items():
        by_round[round_id].append(result)
    summaries = []
    for round_ in _rounds(set(by_round)):
        results = by_round[round_.id]
        _add_ranks(results, round_, school.id)
        summary = RoundSummary(
            round=round_,
            contest=round_.contest,
            participants=len(results),
            class_size=len(students),
            average_percent=sum(r.percent for r in results) / len(results),
            results={r.user_id: r for r in results},
            review=review_open(round_, now),
        )
        if summary.review:
            summary.wrong = wrong_questions(round_, user_ids, language)
        summaries.append(summary)
    return ClassDashboard(school, school_class, students, summaries)


def student_results(school: School, user: User) -> list[tuple[Round, Result]]:
    best = _best_results([user.id])
    rounds = _rounds({round_id for (_u, round_id) in best})
    out = []
    for round_ in rounds:
        result = best[(user.id, round_.id)]
        _add_ranks([result], round_, school.id)
        out.append((round_, result))
    return out


@dataclass(frozen=True)
class Trend:
    """A server-drawn line chart of the class average (percent of the maximum)."""

    width: int
    height: int
    points: list[tuple[float, float, str, float]]  # x, y, label, value

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _label, _value in self.points)


def trend(dashboard: ClassDashboard, language: str, width: int = 480, height: int = 180) -> Trend:
    pad = 24
    summaries = dashboard.rounds
    step = (width - 2 * pad) / max(1, len(summaries) - 1)
    points = []
    for index, summary in enumerate(summaries):
        x = pad + index * step if len(summaries) > 1 else width / 2
        y = height - pad - (height - 2 * pad) * summary.average_percent / 100
        points.append((x, y, summary.round.title(language), summary.average_percent))
    return Trend(width, height, points)


# -- exports ---------------------------------------------------------------------------


def _xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    return spreadsheet.workbook([Sheet(title, header, rows) for title, header, rows in sheets])


def class_export(dashboard: ClassDashboard, language: str) -> bytes:
    """The dashboard as a workbook: one row per student and round taken."""
    headers = [
        _("Student number"),
        _("Name"),
        _("Contest"),
        _("Round"),
        _("Score"),
        _("Maximum"),
        _("Time used (s)"),
        _("Rank in league"),
        _("Rank in school"),
    ]
    rows = []
    for student, user in dashboard.students:
        for summary in dashboard.rounds:
            result = summary.results.get(user.id)
            if result is None:
                continue
            rows.append(
                [
                    student.student_number,
                    user.display_name,
                    summary.contest.title(language),
                    summary.round.title(language),
                    result.points,
                    result.max_points,
                    round(result.time_used_ms / 1000, 1),
                    result.league_rank,
                    result.school_rank,
                ]
            )
    participation = [
        [
            summary.contest.title(language),
            summary.round.title(language),
            summary.participants,
            summary.class_size,
            round(100 * summary.participation, 1),
            round(summary.average_percent, 1),
        ]
        for summary in dashboard.rounds
    ]
    return _xlsx(
        [
            (_("Results"), headers, rows),
            (
                _("Rounds"),
                [
                    _("Contest"),
                    _("Round"),
                    _("Participants"),
                    _("Students"),
                    _("Participation rate, percent"),
                    _("Average, percent of maximum"),
                ],
                participation,
            ),
        ]
    )


def school_export(school: School, language: str) -> bytes:
    """Everything the platform holds about a school's students (the school's copy)."""
    rows = db.session.execute(
        select(SchoolStudent, User, SchoolClass)
        .join(User, User.id == SchoolStudent.user_id)
        .join(SchoolClass, SchoolClass.id == SchoolStudent.class_id)
        .where(SchoolStudent.school_id == school.id)
        .order_by(
            SchoolClass.school_year,
            SchoolClass.grade,
            SchoolClass.name,
            SchoolStudent.student_number,
        )
    ).all()
    students = [
        [
            row.SchoolClass.school_year,
            row.SchoolClass.grade,
            row.SchoolClass.name,
            row.SchoolStudent.student_number,
            row.User.display_name,
            row.User.username,
            LANGUAGE_NAMES.get(row.User.language, row.User.language),
            format_moment(row.User.created_at, language),
        ]
        for row in rows
    ]
    numbers = {
        row.User.id: (row.SchoolStudent.student_number, row.User.display_name) for row in rows
    }
    results = []
    if numbers:
        attempts = db.session.execute(
            select(Attempt, Round, Contest)
            .join(Round, Round.id == Attempt.round_id)
            .join(Contest, Contest.id == Attempt.contest_id)
            .where(Attempt.user_id.in_(list(numbers)))
            .order_by(Attempt.user_id, Round.opens_at, Attempt.attempt_no)
        ).all()
        for a, round_, contest in attempts:
            number, name = numbers[a.user_id]
            results.append(
                [
                    number,
                    name,
                    contest.title(language),
                    round_.title(language),
                    a.attempt_no,
                    LANGUAGE_NAMES.get(a.language, a.language),
                    a.points,
                    a.max_points,
                    round((a.time_used_ms or 0) / 1000, 1),
                    format_moment(a.started_at, language, seconds=True),
                    format_moment(a.finished_at, language, seconds=True),
                ]
            )
    return _xlsx(
        [
            (
                _("Students"),
                [
                    _("School year"),
                    _("Grade"),
                    _("Class"),
                    _("Student number"),
                    _("Name"),
                    _("Username"),
                    _("Language"),
                    _("Account created"),
                ],
                students,
            ),
            (
                _("Results"),
                [
                    _("Student number"),
                    _("Name"),
                    _("Contest"),
                    _("Round"),
                    _("Attempt"),
                    _("Language"),
                    _("Score"),
                    _("Maximum"),
                    _("Time used (s)"),
                    _("Started"),
                    _("Finished"),
                ],
                results,
            ),
        ]
    )
