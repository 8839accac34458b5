"""Practice services on a real database: what is drawn, marking, the book, the daily
set, contest mistakes once a round's review is open, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from quiz.banks.models import Question
from quiz.contests.models import ReviewPolicy
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import AttemptItem
from quiz.practice import services
from quiz.practice.book import local_day
from quiz.practice.models import DailySet, Mistake, PracticeItem, Source


def _keys(session_id: int, no: int, right: bool) -> list[str]:
    """Displayed keys of the right answer (or of a wrong one)."""
    item = db.session.get(PracticeItem, (session_id, no))
    question = db.session.get(Question, item.question_id)
    keys = [k for k in item.option_order if (k in question.answer) == right]
    if not right:
        keys = keys[:1]
    return sorted(chr(65 + item.option_order.index(k)) for k in keys)


def _question_of(session_id: int, no: int) -> int:
    return db.session.get(PracticeItem, (session_id, no)).question_id


def test_practice_draws_the_category_in_the_language_and_marks_at_once(make, clock):
    make.bank()
    user = make.user()
    session, created = services.start_session(user, "mn", clock(), category="life-health", count=5)
    db.session.commit()
    assert created and session.question_count == 5 and session.language == "mn"
    items = services.session_items(session)
    assert {item.category for item in items} == {"life-health"}
    assert all(not item.answered and item.correct_options is None for item in items)
    assert all("ᠠᠰᠠᠭᠤᠯᠲᠠ" in item.text for item in items)

    marked = services.answer(session.id, session.user_id, 1, _keys(session.id, 1, True), clock())
    db.session.commit()
    assert marked.correct and marked.correct_options == _keys(session.id, 1, True)
    assert marked.explanation.startswith("ᠲᠠᠶᠢᠯᠪᠤᠷᠢ")
    # The same answer again: the same marking; another answer: refused, nothing changed.
    again = services.answer(session.id, session.user_id, 1, _keys(session.id, 1, True), clock())
    assert again == marked
    with pytest.raises(Conflict) as refused:
        services.answer(session.id, session.user_id, 1, _keys(session.id, 1, False), clock())
    assert refused.value.code == "already_answered"
    db.session.rollback()
    db.session.refresh(session)
    assert (session.answered_count, session.correct_count) == (1, 1)

    for no in range(2, 6):
        last = services.answer(
            session.id, session.user_id, no, _keys(session.id, no, False), clock()
        )
    db.session.commit()
    assert last.finished and not last.correct
    assert session.finished_at is not None and session.correct_count == 1


def test_reserved_and_retired_questions_are_never_drawn(make, clock):
    make.bank()
    user = make.user()
    questions = list(db.session.scalars(select(Question).order_by(Question.id)))
    keep = {q.id for q in questions[:3]}
    for q in questions:
        if q.id not in keep:
            q.reserved = True
    questions[0].retired = True
    db.session.commit()
    allowed = keep - {questions[0].id}
    for _ in range(20):
        session, _ = services.start_session(user, "zh", clock(), count=50)
        assert {item.question_id for item in services.session_items(session)} == allowed
    assert sum(c.questions for c in services.categories("zh")) == len(allowed)
    assert set(services.draw_daily(local_day(clock()), "zh")) == allowed
    # Nothing left at all: a clear conflict, not an empty session.
    questions[1].reserved = questions[2].reserved = True
    db.session.commit()
    with pytest.raises(Conflict) as empty:
        services.start_session(user, "zh", clock())
    assert empty.value.code == "no_questions"
    assert services.categories("zh") == []


def test_a_reimport_never_lifts_a_reservation(make, clock):
    from quiz.banks.services import import_bank
    from tests.factories import sample_bank

    make.bank()
    question = db.session.scalar(select(Question).order_by(Question.id))
    question.reserved = True
    db.session.commit()
    import_bank(sample_bank(), clock())
    db.session.refresh(question)
    assert question.reserved


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"language": "en"}, "language"),
        ({"language": None}, "language"),
        ({"language": "zh", "count": 0}, "count"),
        ({"language": "zh", "count": 51}, "count"),
        ({"language": "zh", "count": "5"}, "count"),
        ({"language": "zh", "count": True}, "count"),
        ({"language": "zh", "category": "no-such"}, "category"),
        ({"language": "zh", "category": 3}, "category"),
        ({"language": "zh", "source": "contest"}, "source"),
        ({"language": "zh", "source": ["daily"]}, "source"),
    ],
)
def test_bad_starts_are_refused_by_field(make, clock, kwargs, field):
    make.bank()
    user = make.user()
    language = kwargs.pop("language")
    with pytest.raises(ValidationFailed) as failed:
        services.start_session(user, language, clock(), **kwargs)
    assert field in failed.value.fields


@pytest.mark.parametrize("choice", [None, "A", [], ["Z"], ["A", "A"], [1], ["AB"], ["A", "B"]])
def test_bad_answers_are_refused_and_change_nothing(make, clock, choice):
    make.bank()
    user = make.user()
    session, _ = services.start_session(user, "zh", clock(), count=20)
    db.session.commit()
    # Question 1 must not be a multiple-choice one for ["A", "B"] to be refused.
    no = next(i.no for i in services.session_items(session) if i.kind != "multiple")
    with pytest.raises(ValidationFailed):
        services.answer(session.id, session.user_id, no, choice, clock())
    db.session.rollback()
    assert db.session.get(PracticeItem, (session.id, no)).answered_at is None
    assert db.session.scalar(select(Mistake)) is None


def test_other_peoples_sessions_and_unknown_questions_are_not_found(make, clock):
    make.bank()
    owner, other = make.user(), make.user()
    session, _ = services.start_session(owner, "zh", clock(), count=5)
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_own_session(session.id, other)
    with pytest.raises(NotFound) as unknown:
        services.answer(session.id, session.user_id, 6, ["A"], clock())
    assert unknown.value.code == "question_not_found"
    # Answering checks the owner itself (the API calls it without loading the session).
    for session_id, user_id in ((session.id, other.id), (session.id + 1000, owner.id)):
        with pytest.raises(NotFound) as foreign:
            services.answer(session_id, user_id, 1, _keys(session.id, 1, True), clock())
        assert foreign.value.code == "practice_not_found"
    db.session.rollback()
    assert db.session.get(PracticeItem, (session.id, 1)).answered_at is None


@pytest.mark.parametrize("same", [True, False])
def test_a_first_answer_that_loses_a_race_is_judged_against_the_winner(make, clock, same):
    """Two first answers at once: both read the item unanswered; the one whose claim
    comes second writes nothing and is marked as the winner was (the same answer) or
    refused (another). Only PostgreSQL lets a second connection write between the read
    and the claim (SQLite's writer holds the database's lock from its first read)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a second writer between two statements: PostgreSQL")
    from sqlalchemy import event

    make.bank()
    user = make.user()
    session, _ = services.start_session(user, "zh", clock(), count=5)
    db.session.commit()
    session_id, right, wrong = session.id, _keys(session.id, 1, True), _keys(session.id, 1, False)
    winner = services.answer(session_id, user.id, 1, right, clock())
    db.session.rollback()  # the winner's marking, not kept: it is sent again below

    def answer_first(_conn, _cursor, statement, *_args):
        if statement.startswith("UPDATE practice_items") and not raced:
            raced.append(1)
            with db.engine.connect() as other:  # the concurrent request, committed first
                other.execute(
                    update(PracticeItem)
                    .where(PracticeItem.session_id == session_id, PracticeItem.no == 1)
                    .values(
                        choice=sorted(_originals(session_id, right)),
                        correct=True,
                        answered_at=clock(),
                    )
                )
                other.commit()

    raced: list[int] = []
    event.listen(db.engine, "before_cursor_execute", answer_first)
    try:
        if same:
            marked = services.answer(session_id, user.id, 1, right, clock())
            assert marked == winner
        else:
            with pytest.raises(Conflict) as refused:
                services.answer(session_id, user.id, 1, wrong, clock())
            assert refused.value.code == "already_answered"
    finally:
        event.remove(db.engine, "before_cursor_execute", answer_first)
    assert raced == [1]
    db.session.commit()
    # The loser counted nothing: the session and the book are as the winner left them
    # (the winner's own counting is not part of this staged race).
    db.session.refresh(session)
    assert (session.answered_count, session.correct_count) == (0, 0)
    assert db.session.scalars(select(Mistake).where(Mistake.user_id == user.id)).all() == []


def _originals(session_id: int, shown: list[str]) -> list[str]:
    """The original option keys of displayed keys (A, B…) of item 1."""
    order = db.session.get(PracticeItem, (session_id, 1)).option_order
    return [order[ord(key) - 65] for key in shown]


def test_wrong_answers_fill_the_book_and_two_right_days_empty_it(make, clock):
    make.bank()
    user = make.user()
    first, _ = services.start_session(user, "zh", clock(), count=2)
    services.answer(first.id, first.user_id, 1, _keys(first.id, 1, False), clock())
    services.answer(first.id, first.user_id, 2, _keys(first.id, 2, True), clock())
    db.session.commit()
    wrong_id = _question_of(first.id, 1)
    entries = services.book(user.id, "zh", clock())
    assert [e.question_id for e in entries] == [wrong_id]
    assert entries[0].times_wrong == 1 and entries[0].last_source == Source.PRACTICE

    def practise_mistakes(right: bool) -> None:
        session, _ = services.start_session(user, "zh", clock(), source="mistakes")
        assert [i.question_id for i in services.session_items(session)] == [wrong_id]
        services.answer(session.id, session.user_id, 1, _keys(session.id, 1, right), clock())
        db.session.commit()

    practise_mistakes(False)
    assert services.book(user.id, "zh", clock())[0].times_wrong == 2
    practise_mistakes(True)
    practise_mistakes(True)  # the same day: still in the book
    assert [e.correct_streak for e in services.book(user.id, "zh", clock())] == [1]
    clock.advance(days=1)
    practise_mistakes(True)
    assert services.book(user.id, "zh", clock()) == []
    with pytest.raises(Conflict):
        services.start_session(user, "zh", clock(), source="mistakes")
    # Wrong again later: back in the book, with its count.
    again, _ = services.start_session(user, "zh", clock(), count=50)
    no = next(i.no for i in services.session_items(again) if i.question_id == wrong_id)
    services.answer(again.id, again.user_id, no, _keys(again.id, no, False), clock())
    db.session.commit()
    assert services.book(user.id, "zh", clock())[0].times_wrong == 3


def test_the_daily_set_is_the_same_for_everyone_and_reproducible(make, clock):
    make.bank()
    alice, bat, chen = make.user(), make.user(language="mn"), make.user()
    day = local_day(clock())
    expected = services.draw_daily(day, "zh")
    assert len(expected) == services.DAILY_COUNT
    assert services.draw_daily(day, "zh") == expected  # from the date alone
    a, created = services.start_session(alice, "zh", clock(), source="daily")
    c, _ = services.start_session(chen, "zh", clock(), source="daily")
    b, _ = services.start_session(bat, "mn", clock(), source="daily")
    db.session.commit()
    assert created and a.daily_day == day
    ids = [i.question_id for i in services.session_items(a)]
    assert ids == expected == [i.question_id for i in services.session_items(c)]
    assert [i.options for i in services.session_items(a)] == [
        i.options for i in services.session_items(c)
    ]
    assert db.session.get(DailySet, (day, "mn")).question_ids == services.draw_daily(day, "mn")
    assert b.language == "mn"
    # Asking again the same day gives the same session; a bank change later that day
    # does not change the set.
    db.session.execute(update(Question).values(reserved=True).where(Question.id == ids[0]))
    db.session.commit()
    again, created = services.start_session(alice, "zh", clock(), source="daily")
    assert not created and again.id == a.id
    d, _ = services.start_session(make.user(), "zh", clock(), source="daily")
    assert [i.question_id for i in services.session_items(d)] == expected
    # Another day draws another set (for this bank, these two dates differ).
    assert services.draw_daily(day + timedelta(days=1), "zh") != expected


def test_streak_and_calendar(make, clock):
    make.bank()
    user = make.user()

    def do_daily() -> None:
        session, _ = services.start_session(user, "zh", clock(), source="daily")
        for item in services.session_items(session):
            services.answer(
                session.id, session.user_id, item.no, _keys(session.id, item.no, True), clock()
            )
        db.session.commit()

    do_daily()
    clock.advance(days=1)
    do_daily()
    status = services.daily_status(user.id, clock())
    assert status.streak == 2 and status.done_today
    clock.advance(days=1)  # not done yet today: the streak holds until the day is over
    status = services.daily_status(user.id, clock())
    assert status.streak == 2 and not status.done_today
    weeks = status.calendar()
    done = [d for week in weeks for d, ok in week if ok]
    assert done == sorted(status.days_done) and len(weeks) == 5
    clock.advance(days=1)
    assert services.daily_status(user.id, clock()).streak == 0
    # Started but not finished does not count.
    services.start_session(user, "zh", clock(), source="daily")
    db.session.commit()
    assert services.daily_status(user.id, clock()).streak == 0


def test_streak_rule():
    today = date(2026, 9, 15)
    days = {today - timedelta(days=n) for n in (1, 2, 3, 5)}
    assert services.streak_of(days, today) == 3
    assert services.streak_of(days | {today}, today) == 4
    assert services.streak_of(set(), today) == 0


def test_daily_results_per_day_and_region(make, clock):
    make.bank()
    hohhot = make.user(region_code="150102")
    baotou = make.user(region_code="150202")
    for user, right in ((hohhot, True), (baotou, False)):
        session, _ = services.start_session(user, "zh", clock(), source="daily")
        for item in services.session_items(session):
            services.answer(
                session.id, session.user_id, item.no, _keys(session.id, item.no, right), clock()
            )
    services.start_session(make.user(region_code="150102"), "zh", clock(), source="daily")
    db.session.commit()
    day = local_day(clock())
    [row] = services.daily_results_by_day(day - timedelta(days=3), day)
    assert (row.key, row.people, row.finished, row.mean_correct) == (day, 3, 2, 2.5)
    by_region = {
        r.key: (r.people, r.finished, r.mean_correct) for r in services.daily_results_by_region(day)
    }
    assert by_region == {"150100": (2, 1, 5.0), "150200": (1, 1, 0.0)}


@pytest.mark.parametrize("policy", [ReviewPolicy.AFTER_FINISH, ReviewPolicy.AFTER_CLOSE])
def test_contest_wrongs_enter_the_book_once_the_review_is_open(make, clock, policy):
    contest, round_ = make.setup(review_policy=policy)
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    items = list(
        db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id))
    )
    reserved_item = items[1]
    db.session.get(Question, reserved_item.question_id).reserved = True
    db.session.commit()
    for item in items[:3]:
        question = db.session.get(Question, item.question_id)
        wrong = next(k for k in item.option_order if k not in question.answer)
        play.save_answer(
            attempt.id, user, item.no, [chr(65 + item.option_order.index(wrong))], clock()
        )
    # Before the review opens: nothing.
    assert services.book(user.id, "zh", clock()) == []
    play.finish_attempt(attempt, clock())
    db.session.commit()
    if policy == ReviewPolicy.AFTER_CLOSE:
        assert services.book(user.id, "zh", clock()) == []
        clock.advance(days=2)
    entries = services.book(user.id, "zh", clock())
    db.session.commit()
    expected = {items[0].question_id, items[2].question_id}  # the reserved one stays out
    assert {e.question_id for e in entries} == expected
    assert {e.last_source for e in entries} == {Source.CONTEST}
    # Collected once: reading the book again counts nothing twice.
    assert [e.times_wrong for e in services.book(user.id, "zh", clock())] == [1, 1]
    # And never from someone else's attempt.
    assert services.book(make.user().id, "zh", clock()) == []


def test_the_yaml_flag_reserves_and_round_trips(make, clock):
    from question_bank import BankError, dump_bank, parse_bank
    from quiz.banks.exporting import bank_from_sql
    from quiz.banks.services import import_bank
    from tests.factories import sample_bank

    bank = sample_bank(1)
    text = dump_bank(bank).replace("- id: q-001\n", "- id: q-001\n    reserved: true\n", 1)
    parsed = parse_bank(text)
    assert [q.id for q in parsed.questions if q.reserved] == ["q-001"]
    import_bank(parsed, clock())
    stored = db.session.scalar(select(Question).where(Question.external_id == "q-001"))
    assert stored.reserved
    assert "reserved: true" in dump_bank(bank_from_sql(bank.id))
    with pytest.raises(BankError) as bad:
        parse_bank(text.replace("reserved: true", "reserved: maybe"))
    assert "reserved" in str(bad.value)


def test_the_console_reserves_and_releases_with_an_audit_trail(app, make, clock):
    from quiz.audit.models import AuditEvent
    from tests.banks.console_helpers import organizer_client, own_banks

    row = make.bank(per_cell=1)
    question = db.session.scalar(select(Question).order_by(Question.id))
    browser = organizer_client(app, make)
    own_banks(browser)  # an organizer changes only banks they own or their contests use
    page = browser.get(f"/console/banks/{row.id}/questions/{question.id}")
    assert "/reserve" in page.get_data(as_text=True)
    assert (
        browser.post(f"/console/banks/{row.id}/questions/{question.id}/reserve").status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).reserved
    user = make.user()
    for _ in range(10):
        session, _ = services.start_session(user, "zh", clock(), count=50)
        assert question.id not in {i.question_id for i in services.session_items(session)}
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.object_id) == ("question.reserve", str(question.id))
    browser.post(f"/console/banks/{row.id}/questions/{question.id}/unreserve")
    db.session.expire_all()
    assert not db.session.get(Question, question.id).reserved


def test_practice_never_touches_attempts_boards_or_results(make, clock):
    from sqlalchemy import func

    from quiz.extensions import redis_store
    from quiz.play.models import Answer, Attempt

    contest, _round = make.setup()
    user = make.enrolled(contest)
    keys_before = set(redis_store.client.keys("*"))
    for source in ("practice", "daily"):
        session, _ = services.start_session(user, "zh", clock(), source=source, count=5)
        for item in services.session_items(session):
            services.answer(
                session.id,
                session.user_id,
                item.no,
                _keys(session.id, item.no, item.no % 2 == 0),
                clock(),
            )
        db.session.commit()
    services.start_session(user, "zh", clock(), source="mistakes")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert {k for k in redis_store.client.keys("*") if k.startswith(b"lb:")} <= {
        k for k in keys_before if k.startswith(b"lb:")
    }
