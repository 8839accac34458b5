"""Practice, the wrong-answer book and the daily set: plain functions, ``now`` passed in.

Services flush; the route commits. Practice reveals the key of each question as soon as
it is answered, so it draws only questions that are neither retired nor reserved for
contests (``Question.reserved``), and it never writes to attempts, boards or results.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, case, func, select, update

from question_bank import LANGUAGES, TRUE_FALSE_LABELS, Kind
from question_bank.drawing import option_order
from question_bank.literacy import BENCHMARKS
from quiz.accounts.models import User
from quiz.banks.models import BankCategory, Question, QuestionText
from quiz.contests.models import Round
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.services import display_key, parse_choice, review_allowed
from quiz.practice.book import Standing, after_answer, local_day
from quiz.practice.models import (
    DailySet,
    Mistake,
    MistakeHarvest,
    PracticeItem,
    PracticeSession,
    Source,
)
from quiz.regions.models import Region
from quiz.sql import insert_ignore, rows_changed, upsert

DAILY_COUNT = 5
LENGTHS = (5, 10, 20)
MAX_COUNT = 50
# Kinds practice can mark at once (fill-in questions are not stored by the server yet).
_KINDS = (Kind.SINGLE.value, Kind.MULTIPLE.value, Kind.TRUEFALSE.value)
STARTABLE = (Source.PRACTICE, Source.MISTAKES, Source.DAILY)


# -- what may be drawn ----------------------------------------------------------------


def _practicable(language: str) -> Any:
    """Questions practice may show in ``language``: active, not reserved, written in it."""
    return select(Question.id).where(
        Question.retired.is_(False),
        Question.reserved.is_(False),
        Question.kind.in_(_KINDS),
        Question.id.in_(select(QuestionText.question_id).where(QuestionText.language == language)),
    )


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    questions: int


def categories(language: str) -> list[CategoryInfo]:
    """The categories with practice questions in ``language`` (all banks together: a
    category is its slug), named in that language where a bank names it."""
    counts = db.session.execute(
        select(Question.category, func.count())
        .where(Question.id.in_(_practicable(language)))
        .group_by(Question.category)
    ).all()
    names: dict[str, str] = {}
    for slug, name_zh, name_mn in db.session.execute(
        select(BankCategory.slug, BankCategory.name_zh, BankCategory.name_mn).order_by(
            BankCategory.bank_id
        )
    ):
        names.setdefault(slug, (name_mn if language == "mn" and name_mn else name_zh) or slug)
    return sorted(
        (CategoryInfo(slug, names.get(slug, slug), n) for slug, n in counts),
        key=lambda c: c.id,
    )


# -- starting a session ---------------------------------------------------------------


def _check_language(language: object) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed({"language": [_l("Choose Chinese or Mongolian.")]})
    return str(language)


def _check_count(count: object) -> int:
    if count is None:
        return LENGTHS[1]
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise ValidationFailed(
            {"count": [_l("Choose between 1 and %(n)d questions.", n=MAX_COUNT)]}
        )
    return count


def day_seed(day: date, language: str) -> int:
    """The daily set's seed: from the date and the language only, so anyone can redraw it."""
    digest = hashlib.sha256(f"daily:{day.isoformat()}:{language}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def draw_daily(day: date, language: str) -> list[int]:
    """The day's questions: ``DAILY_COUNT`` ids sampled with the day's seed from every
    practicable question in ``language``, in id order (the same for everyone)."""
    pool = list(db.session.scalars(_practicable(language).order_by(Question.id)))
    rng = random.Random(day_seed(day, language))
    return rng.sample(pool, min(DAILY_COUNT, len(pool)))


def daily_set(day: date, language: str, now: datetime) -> DailySet:
    """The stored set of the day (drawn and kept by its first request)."""
    found = db.session.get(DailySet, (day, language))
    if found is not None:
        return found
    ids = draw_daily(day, language)
    if not ids:
        raise Conflict(
            _l("There are no practice questions in this language yet."), code="no_questions"
        )
    db.session.execute(
        insert_ignore(DailySet, ["day", "language"]).values(
            day=day,
            language=language,
            seed=day_seed(day, language),
            question_ids=ids,
            created_at=now,
        )
    )
    found = db.session.get(DailySet, (day, language), populate_existing=True)
    assert found is not None
    return found


def start_session(
    user: User,
    language: object,
    now: datetime,
    *,
    source: object = Source.PRACTICE,
    category: object = None,
    count: object = None,
    benchmark: object = None,
) -> tuple[PracticeSession, bool]:
    """A new practice session (or today's daily session, if there is one: the bool says
    whether it was created). Raises ValidationFailed for bad input and Conflict
    ``no_questions`` when nothing can be drawn."""
    language = _check_language(language)
    if source is None:
        source = Source.PRACTICE
    if source not in STARTABLE:
        raise ValidationFailed({"source": [_l("Choose practice, mistakes or daily.")]})
    source = Source(str(source))
    if category is not None and (
        not isinstance(category, str) or category not in {c.id for c in categories(language)}
    ):
        raise ValidationFailed({"category": [_l("No such category.")]})
    # A science-literacy benchmark (the self-test's result page links to its weakest).
    if benchmark is not None and (not isinstance(benchmark, str) or benchmark not in BENCHMARKS):
        raise ValidationFailed({"benchmark": [_l("No such benchmark.")]})
    if source is Source.DAILY:
        return _start_daily(user, language, now)
    wanted = _check_count(count)
    seed = random.SystemRandom().randrange(2**48)
    if source is Source.MISTAKES:
        harvest_contest_mistakes(user.id, now)
        query = _practicable(language).where(
            Question.id.in_(
                select(Mistake.question_id).where(
                    Mistake.user_id == user.id, Mistake.cleared_at.is_(None)
                )
            )
        )
    else:
        query = _practicable(language)
    if category is not None:
        query = query.where(Question.category == category)
    if benchmark is not None:
        query = query.where(Question.benchmark == benchmark)
    pool = list(db.session.scalars(query.order_by(Question.id)))
    if not pool:
        if source is Source.MISTAKES:
            raise Conflict(
                _l("Your wrong-answer book has no questions to practise."), code="no_questions"
            )
        raise Conflict(
            _l("There are no practice questions in this language yet."), code="no_questions"
        )
    ids = random.Random(seed).sample(pool, min(wanted, len(pool)))
    session = PracticeSession(
        user_id=user.id,
        source=source.value,
        category=category,
        language=language,
        seed=seed,
        started_at=now,
        question_count=len(ids),
        answered_count=0,
        correct_count=0,
    )
    db.session.add(session)
    db.session.flush()
    _add_items(session, ids, seed)
    return session, True


def _start_daily(user: User, language: str, now: datetime) -> tuple[PracticeSession, bool]:
    day = local_day(now)
    existing = _daily_session(user.id, day)
    if existing is not None:
        return existing, False
    chosen = daily_set(day, language, now)
    inserted = db.session.execute(
        insert_ignore(PracticeSession, ["user_id", "daily_day"])
        .values(
            user_id=user.id,
            source=Source.DAILY.value,
            category=None,
            language=language,
            seed=chosen.seed,
            daily_day=day,
            started_at=now,
            question_count=len(chosen.question_ids),
            answered_count=0,
            correct_count=0,
        )
        .returning(PracticeSession.id)
    ).scalar()
    if inserted is None:  # a concurrent start won: theirs is ours
        existing = _daily_session(user.id, day)
        assert existing is not None
        return existing, False
    session = db.session.get(PracticeSession, inserted)
    assert session is not None
    _add_items(session, list(chosen.question_ids), chosen.seed)
    return session, True


def _daily_session(user_id: int, day: date) -> PracticeSession | None:
    return db.session.scalar(
        select(PracticeSession).where(
            PracticeSession.user_id == user_id, PracticeSession.daily_day == day
        )
    )


def _add_items(session: PracticeSession, ids: list[int], seed: int) -> None:
    meta = {
        row.id: row
        for row in db.session.execute(
            select(Question.id, Question.kind, Question.option_keys).where(Question.id.in_(ids))
        )
    }
    for no, question_id in enumerate(ids, start=1):
        row = meta[question_id]
        order = (
            list(row.option_keys)
            if row.kind == Kind.TRUEFALSE
            else option_order(row.option_keys, seed, question_id)
        )
        db.session.add(
            PracticeItem(session_id=session.id, no=no, question_id=question_id, option_order=order)
        )
    db.session.flush()


def get_own_session(session_id: int, user: User) -> PracticeSession:
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user.id:
        # Someone else's session is "not found": ids reveal nothing.
        raise NotFound(_l("This practice does not exist."), code="practice_not_found")
    return session


# -- what a person sees ---------------------------------------------------------------


@dataclass
class ShownItem:
    no: int
    question_id: int
    kind: str
    category: str
    text: str
    options: list[dict[str, str]]
    choice: list[str] = field(default_factory=list)
    # Only once answered:
    answered: bool = False
    correct: bool | None = None
    correct_options: list[str] | None = None
    explanation: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "no": self.no,
            "kind": self.kind,
            "text": self.text,
            "options": self.options,
            "answered": self.answered,
        }
        if self.answered:
            body.update(
                choice=self.choice,
                correct=self.correct,
                correct_options=self.correct_options,
                explanation=self.explanation or "",
            )
        return body


def session_items(session: PracticeSession) -> list[ShownItem]:
    """The session's questions in its language; key and explanation only once answered."""
    rows = db.session.execute(
        select(
            PracticeItem.no,
            PracticeItem.question_id,
            PracticeItem.option_order,
            PracticeItem.choice,
            PracticeItem.correct,
            PracticeItem.answered_at,
            Question.kind,
            Question.category,
            Question.answer,
            QuestionText.text,
            QuestionText.options,
            QuestionText.explanation,
        )
        .join(Question, Question.id == PracticeItem.question_id)
        .join(
            QuestionText,
            (QuestionText.question_id == Question.id) & (QuestionText.language == session.language),
        )
        .where(PracticeItem.session_id == session.id)
        .order_by(PracticeItem.no)
    ).all()
    shown = []
    for row in rows:
        labels = row.options or TRUE_FALSE_LABELS.get(session.language, {})
        position = {original: display_key(i) for i, original in enumerate(row.option_order)}
        item = ShownItem(
            no=row.no,
            question_id=row.question_id,
            kind=row.kind,
            category=row.category,
            text=row.text,
            options=[
                {"key": display_key(i), "text": labels.get(original, original)}
                for i, original in enumerate(row.option_order)
            ],
        )
        if row.answered_at is not None:
            item.answered = True
            item.choice = sorted(position[k] for k in row.choice or [])
            item.correct = bool(row.correct)
            item.correct_options = sorted(position[k] for k in row.answer)
            item.explanation = row.explanation
        shown.append(item)
    return shown


# -- answering ------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    no: int
    correct: bool
    correct_options: list[str]
    explanation: str
    choice: list[str]
    finished: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "correct": self.correct,
            "correct_options": self.correct_options,
            "explanation": self.explanation,
            "choice": self.choice,
            "finished": self.finished,
        }


def _answer_read() -> Any:
    """The session (its owner, language, source, end), the item ``:no`` with its
    question's kind and key and the explanation in the session's language: one
    statement, built once. Outer joins, so a missing item still finds its session
    (the two are told apart: "practice" and "question" not found)."""
    sessions, items = PracticeSession.__table__, PracticeItem.__table__
    questions, texts = Question.__table__, QuestionText.__table__
    return (
        select(
            sessions.c.user_id,
            sessions.c.language,
            sessions.c.source,
            sessions.c.finished_at,
            items.c.question_id,
            items.c.option_order,
            items.c.choice,
            items.c.correct,
            items.c.answered_at,
            questions.c.kind,
            questions.c.answer,
            texts.c.explanation,
        )
        .select_from(sessions)
        .outerjoin(
            items,
            (items.c.session_id == sessions.c.id) & (items.c.no == bindparam("no", type_=Integer)),
        )
        .outerjoin(questions, questions.c.id == items.c.question_id)
        .outerjoin(
            texts,
            (texts.c.question_id == items.c.question_id)
            & (texts.c.language == sessions.c.language),
        )
        .where(sessions.c.id == bindparam("session_id", type_=Integer))
    )


_ANSWER_READ = _answer_read()


def answer(session_id: int, user_id: int, no: int, raw_choice: object, now: datetime) -> Marked:
    """Mark one answer at once and put it in the book. The first answer is final: the
    same answer again returns the same marking, another one is refused (409).

    Everything the marking needs comes from one read (``_ANSWER_READ``): a phone's
    retry, whose first reply was lost, writes nothing and costs that one statement. A
    first answer claims the item with a conditional update (only an unanswered item
    is written, so of two concurrent first answers one wins and the other is judged
    against it), counts it in the session (``RETURNING`` its end) and files the book.
    """
    found = db.session.execute(_ANSWER_READ, {"session_id": session_id, "no": no}).first()
    if found is None or found.user_id != user_id:
        # Someone else's session is "not found": ids reveal nothing.
        raise NotFound(_l("This practice does not exist."), code="practice_not_found")
    if found.question_id is None:
        raise NotFound(_l("This question is not part of the practice."), code="question_not_found")
    order: list[str] = found.option_order
    indexes = parse_choice(raw_choice, len(order), found.kind)
    if not indexes:
        raise ValidationFailed({"choice": [_l("Choose an answer.")]})
    choice = sorted(order[i] for i in indexes)
    if found.answered_at is not None:
        correct = _as_before(found.choice, found.correct, choice)
        finished = found.finished_at is not None
    else:
        correct = set(choice) == set(found.answer)
        items, sessions = PracticeItem.__table__, PracticeSession.__table__
        written = rows_changed(
            update(items)
            .where(
                items.c.session_id == session_id, items.c.no == no, items.c.answered_at.is_(None)
            )
            .values(choice=choice, correct=correct, answered_at=now)
        )
        if not written:  # a concurrent first answer won: this one must be the same
            other = db.session.execute(
                select(items.c.choice, items.c.correct, sessions.c.finished_at)
                .join(sessions, sessions.c.id == items.c.session_id)
                .where(items.c.session_id == session_id, items.c.no == no)
            ).one()
            correct = _as_before(other.choice, other.correct, choice)
            finished = other.finished_at is not None
        else:
            finished_at = db.session.scalar(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    answered_count=sessions.c.answered_count + 1,
                    correct_count=sessions.c.correct_count + (1 if correct else 0),
                    finished_at=case(
                        (sessions.c.answered_count + 1 >= sessions.c.question_count, now),
                        else_=sessions.c.finished_at,
                    ),
                )
                .returning(sessions.c.finished_at)
            )
            finished = finished_at is not None
            record_answer(user_id, found.question_id, correct, Source(found.source), now)
    position = {original: display_key(i) for i, original in enumerate(order)}
    return Marked(
        no=no,
        correct=correct,
        correct_options=sorted(position[k] for k in found.answer),
        explanation=found.explanation or "",
        choice=sorted(position[k] for k in choice),
        finished=finished,
    )


def _as_before(stored: list[str] | None, stored_correct: bool | None, choice: list[str]) -> bool:
    """The marking of an item answered already, if ``choice`` is the answer it has (a
    retry); another answer is refused: the first is final."""
    if sorted(stored or []) != choice:
        raise Conflict(_l("You have answered this question already."), code="already_answered")
    return bool(stored_correct)


# -- the wrong-answer book ------------------------------------------------------------


def record_answer(
    user_id: int, question_id: int, correct: bool, source: Source, when: datetime
) -> None:
    """Apply one answer to the book (``quiz.practice.book``): a wrong one enters or
    keeps the question there; right ones on two different days take it out."""
    if not correct:
        _record_wrong(user_id, question_id, source, when)
        return
    entry = db.session.scalar(
        select(Mistake)
        .where(Mistake.user_id == user_id, Mistake.question_id == question_id)
        .with_for_update()
    )
    if entry is None or entry.cleared_at is not None:
        return
    after = after_answer(
        Standing(True, entry.correct_streak, entry.last_correct_day), True, local_day(when)
    )
    if not after.in_book:
        entry.cleared_at = when
        entry.correct_streak = 0
        entry.last_correct_day = None
    else:
        entry.correct_streak = after.correct_streak
        entry.last_correct_day = after.last_correct_day
    db.session.flush()


def _record_wrong(user_id: int, question_id: int, source: Source, when: datetime) -> None:
    """Insert or update in one statement, so concurrent wrong answers count each once."""
    db.session.execute(
        upsert(
            Mistake,
            ["user_id", "question_id"],
            {
                "user_id": user_id,
                "question_id": question_id,
                "times_wrong": 1,
                "first_wrong_at": when,
                "last_wrong_at": when,
                "last_source": source.value,
                "correct_streak": 0,
                "last_correct_day": None,
                "cleared_at": None,
            },
            {
                "times_wrong": Mistake.times_wrong + 1,
                "last_wrong_at": lambda excluded: case(
                    (excluded.last_wrong_at > Mistake.last_wrong_at, excluded.last_wrong_at),
                    else_=Mistake.last_wrong_at,
                ),
                "last_source": lambda excluded: excluded.last_source,
                "correct_streak": 0,
                "last_correct_day": None,
                "cleared_at": None,
            },
        )
    )


def harvest_contest_mistakes(user_id: int, now: datetime) -> int:
    """Put the wrong answers of the person's contest attempts whose review is open into
    their book, each attempt once (``mistake_harvests``). Called when the book is read
    (page or API) and before mistakes are practised, so no contest code has to know the
    book. A wrong answer older than the question's latest right answer in the book (or
    its leaving the book) is history, not news, and is skipped. Reserved questions stay
    out: they are only ever shown in their round's review. Returns the attempts taken."""
    attempts = db.session.scalars(
        select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.finished_at.is_not(None),
            Attempt.id.not_in(select(MistakeHarvest.attempt_id)),
        )
    ).all()
    taken = 0
    for attempt in attempts:
        round_ = db.session.get(Round, attempt.round_id)
        if round_ is None or not review_allowed(attempt, round_, now):
            continue
        claimed = db.session.execute(
            insert_ignore(MistakeHarvest, ["attempt_id"])
            .values(attempt_id=attempt.id, harvested_at=now)
            .returning(MistakeHarvest.attempt_id)
        ).scalar()
        if claimed is None:
            continue  # a concurrent request took it
        taken += 1
        wrong = db.session.execute(
            select(AttemptItem.question_id, Answer.answered_at)
            .join(
                Answer,
                (Answer.attempt_id == AttemptItem.attempt_id) & (Answer.no == AttemptItem.no),
            )
            .join(Question, Question.id == AttemptItem.question_id)
            .where(
                AttemptItem.attempt_id == attempt.id,
                Answer.correct.is_(False),
                Question.reserved.is_(False),
            )
        ).all()
        for question_id, answered_at in wrong:
            entry = db.session.get(Mistake, (user_id, question_id))
            if entry is not None and _is_history(entry, answered_at):
                continue
            _record_wrong(user_id, question_id, Source.CONTEST, answered_at)
    db.session.flush()
    return taken


def _is_history(entry: Mistake, answered_at: datetime) -> bool:
    if entry.cleared_at is not None and answered_at <= entry.cleared_at:
        return True
    return entry.last_correct_day is not None and local_day(answered_at) <= entry.last_correct_day


@dataclass(frozen=True)
class BookEntry:
    question_id: int
    text: str
    category: str
    times_wrong: int
    first_wrong_at: datetime
    last_wrong_at: datetime
    last_source: str
    correct_streak: int

    def to_json(self, iso: Any) -> dict[str, Any]:
        return {
            "question": {"id": self.question_id, "text": self.text, "category": self.category},
            "times_wrong": self.times_wrong,
            "first_wrong_at": iso(self.first_wrong_at),
            "last_wrong_at": iso(self.last_wrong_at),
            "source": self.last_source,
            "correct_in_a_row": self.correct_streak,
        }


def book(user_id: int, language: str, now: datetime) -> list[BookEntry]:
    """The questions in the person's book, most recently wrong first (contest wrongs
    collected first). A question not written in ``language`` shows its other version."""
    harvest_contest_mistakes(user_id, now)
    rows = db.session.execute(
        select(Mistake, Question.category)
        .join(Question, Question.id == Mistake.question_id)
        .where(Mistake.user_id == user_id, Mistake.cleared_at.is_(None))
        .order_by(Mistake.last_wrong_at.desc(), Mistake.question_id)
    ).all()
    ids = [entry.question_id for entry, _ in rows]
    texts: dict[int, dict[str, str]] = {}
    for question_id, text_language, text in db.session.execute(
        select(QuestionText.question_id, QuestionText.language, QuestionText.text).where(
            QuestionText.question_id.in_(ids)
        )
    ):
        texts.setdefault(question_id, {})[text_language] = text
    result = []
    for entry, category in rows:
        versions = texts.get(entry.question_id, {})
        text = versions.get(language) or next(iter(versions.values()), "")
        result.append(
            BookEntry(
                question_id=entry.question_id,
                text=text,
                category=category,
                times_wrong=entry.times_wrong,
                first_wrong_at=entry.first_wrong_at,
                last_wrong_at=entry.last_wrong_at,
                last_source=entry.last_source,
                correct_streak=entry.correct_streak,
            )
        )
    return result


# -- the daily set: streak and calendar -----------------------------------------------


@dataclass(frozen=True)
class DailyStatus:
    today: date
    done_today: bool
    streak: int
    days_done: frozenset[date]
    session: PracticeSession | None

    def calendar(self, weeks: int = 5) -> list[list[tuple[date, bool]]]:
        """Whole weeks (Monday first) ending with this one: (day, done) per day."""
        last_monday = self.today - timedelta(days=self.today.weekday())
        first = last_monday - timedelta(weeks=weeks - 1)
        return [
            [
                (
                    first + timedelta(days=7 * w + d),
                    first + timedelta(days=7 * w + d) in self.days_done,
                )
                for d in range(7)
            ]
            for w in range(weeks)
        ]


def streak_of(days_done: set[date] | frozenset[date], today: date) -> int:
    """Days in a row with a finished daily set, up to today (or up to yesterday while
    today's set is not done yet: the streak is not lost before the day is over)."""
    day = today if today in days_done else today - timedelta(days=1)
    count = 0
    while day in days_done:
        count += 1
        day -= timedelta(days=1)
    return count


def daily_status(user_id: int, now: datetime) -> DailyStatus:
    today = local_day(now)
    done = frozenset(
        day
        for day in db.session.scalars(
            select(PracticeSession.daily_day).where(
                PracticeSession.user_id == user_id,
                PracticeSession.daily_day.is_not(None),
                PracticeSession.finished_at.is_not(None),
            )
        )
        if day is not None  # always, by the WHERE; says so to the type checker
    )
    return DailyStatus(
        today=today,
        done_today=today in done,
        streak=streak_of(done, today),
        days_done=done,
        session=_daily_session(user_id, today),
    )


# -- organizers: daily results --------------------------------------------------------


@dataclass(frozen=True)
class DailyRow:
    key: Any  # a date, or a region code
    people: int
    finished: int
    mean_correct: float | None


def daily_results_by_day(first: date, last: date) -> list[DailyRow]:
    """Per day: people who started the daily set, finished it, and their mean right
    answers (finished sets only)."""
    rows = db.session.execute(
        select(
            PracticeSession.daily_day,
            func.count(),
            func.count(PracticeSession.finished_at),
            func.avg(
                case((PracticeSession.finished_at.is_not(None), PracticeSession.correct_count))
            ),
        )
        .where(PracticeSession.daily_day.between(first, last))
        .group_by(PracticeSession.daily_day)
        .order_by(PracticeSession.daily_day.desc())
    ).all()
    return [DailyRow(d, n, f, float(m) if m is not None else None) for d, n, f, m in rows]


def daily_results_by_region(day: date) -> list[DailyRow]:
    """One day's daily set per 盟市 (the league-level region of each person's banner or
    county)."""
    league = func.coalesce(Region.parent_code, Region.code)
    rows = db.session.execute(
        select(
            league,
            func.count(),
            func.count(PracticeSession.finished_at),
            func.avg(
                case((PracticeSession.finished_at.is_not(None), PracticeSession.correct_count))
            ),
        )
        .select_from(PracticeSession)
        .join(User, User.id == PracticeSession.user_id)
        .join(Region, Region.code == User.region_code)
        .where(PracticeSession.daily_day == day)
        .group_by(league)
        .order_by(league)
    ).all()
    return [DailyRow(code, n, f, float(m) if m is not None else None) for code, n, f, m in rows]
