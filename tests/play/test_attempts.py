"""Attempts: one per policy, idempotent answers, server deadlines, review policy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.play import services
from quiz.play.models import Answer, Attempt, AttemptItem
from quiz.play.state import attempt_state

T = TypeVar("T")
R = TypeVar("R")


def _count(model, **filters) -> int:
    query = select(func.count()).select_from(model)
    for name, value in filters.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_start_stores_draw_order_permutation_and_deadline(make, clock):
    contest, round_ = make.setup(time_limit_seconds=300)
    user = make.enrolled(contest)
    attempt, created = services.start_attempt(user, round_, "zh", clock())
    assert created
    assert attempt.deadline == clock() + timedelta(seconds=300)
    items = db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.no)
    ).all()
    assert [i.no for i in items] == list(range(1, 7))
    assert len({i.question_id for i in items}) == 6  # no repeats
    for item in items:
        assert sorted(item.option_order) in (["A", "B", "C", "D"], ["F", "T"])
    assert attempt.max_points == sum(i.points for i in items)


def test_deadline_is_capped_by_round_close(make, clock):
    contest, round_ = make.setup(closes_at=clock() + timedelta(minutes=2), time_limit_seconds=600)
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    assert attempt.deadline == clock() + timedelta(minutes=2)


def test_start_refused_before_open_after_close_and_without_enrollment(make, clock):
    contest, round_ = make.setup(
        opens_at=clock() + timedelta(hours=1), closes_at=clock() + timedelta(hours=2)
    )
    stranger = make.user()
    with pytest.raises(Exception) as exc:
        services.start_attempt(stranger, round_, "zh", clock())
    assert getattr(exc.value, "code", "") == "not_enrolled"
    user = make.enrolled(contest)
    with pytest.raises(Conflict) as exc:
        services.start_attempt(user, round_, "zh", clock())
    assert exc.value.code == "round_not_open"
    clock.advance(hours=3)
    with pytest.raises(Conflict) as exc:
        services.start_attempt(user, round_, "zh", clock())
    assert exc.value.code == "round_closed"
    with pytest.raises(ValidationFailed):
        services.start_attempt(user, round_, "en", clock())
    assert _count(Attempt) == 0


def _race(app, count: int, prepare: Callable[[int], T], act: Callable[[int, T], R]) -> list[R]:
    """Run ``act`` in ``count`` threads released at once by a barrier, each in its own
    app context. ``prepare`` loads what a thread needs first, then the thread commits, so
    it holds no lock while the others get ready. Returns the results; fails on any error.
    """
    barrier = threading.Barrier(count)
    results: list[R] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        with app.app_context():
            try:
                loaded = prepare(index)
                db.session.commit()
                barrier.wait(timeout=30)
                results.append(act(index, loaded))
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_concurrent_starts_create_exactly_one_attempt(app, make, clock):
    from quiz.accounts.models import User
    from quiz.contests.models import Round

    contest, round_ = make.setup()
    user = make.enrolled(contest)
    user_id, round_id = user.id, round_.id
    db.session.remove()

    def prepare(_: int) -> tuple[User, Round]:
        me, rnd = db.session.get(User, user_id), db.session.get(Round, round_id)
        rnd.contest  # noqa: B018 - load before the race
        return me, rnd

    def start(_: int, loaded: tuple[User, Round]) -> tuple[int, bool]:
        attempt, created = services.start_attempt(*loaded, "zh", clock())
        db.session.commit()  # the edge commits (a request, here the thread)
        return attempt.id, created

    results = _race(app, 20, prepare, start)
    assert len({attempt_id for attempt_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert _count(Attempt, user_id=user_id) == 1


def test_concurrent_saves_of_one_attempt_keep_its_totals_exact(app, make, clock):
    """All questions of an attempt saved at once, one thread each, in five attempts: the
    deadline guard's row lock serializes the saves, so each recount sees every answer
    committed before it and the stored totals equal the answers. (Without the lock the
    last two recounts can run side by side and each miss the other's answer: on
    PostgreSQL this test then fails.)"""
    from quiz.accounts.models import User

    contest, round_ = make.setup(max_attempts=5)
    user_id = make.enrolled(contest).id
    for _ in range(5):
        user = db.session.get(User, user_id)
        attempt, _ = services.start_attempt(user, round_, "zh", clock())
        numbers = [q.no for q in attempt_state(attempt, "zh", clock()).questions]
        attempt_id = attempt.id
        db.session.commit()
        db.session.remove()

        def save(index: int, me: User, attempt_id: int = attempt_id, numbers=numbers) -> None:
            services.save_answer(attempt_id, me, numbers[index], ["A"], clock())

        _race(app, len(numbers), lambda _: db.session.get(User, user_id), save)
        stored = db.session.get(Attempt, attempt_id)
        answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
        assert stored.answered_count == len(answers) == len(numbers)
        assert stored.points == sum(a.points for a in answers)
        assert stored.correct_count == sum(1 for a in answers if a.correct)
        services.finish_attempt(stored, clock())
        db.session.commit()
        round_ = db.session.merge(round_)


def test_a_save_that_waited_for_the_attempts_lock_counts_what_the_other_wrote(
    app, make, clock, monkeypatch
):
    """PostgreSQL saves in one statement, whose snapshot is taken before it waits for the
    attempt's row lock: a save of the same attempt that commits meanwhile is not in that
    snapshot. The statement sees that the row it locked is newer than its snapshot,
    writes nothing, and the save is redone holding the lock: the totals count both
    answers. (Recounting from the stale snapshot would miss the other one.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row lock; SQLite serializes writers at BEGIN IMMEDIATE")
    from quiz.accounts.models import User
    from quiz.play import hotpath

    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    first, second = (q.no for q in attempt_state(attempt, "zh", clock()).questions[:2])
    attempt_id, user_id = attempt.id, user.id
    db.session.commit()
    db.session.remove()
    redone: list[int] = []
    pipelined = hotpath.pipelined

    def spying(conn, steps, **options):
        if len(steps) == 3:
            redone.append(1)
        return pipelined(conn, steps, **options)

    monkeypatch.setattr(hotpath, "pipelined", spying)
    errors: list[BaseException] = []

    def save() -> None:
        with app.app_context():
            try:
                me = db.session.get(User, user_id)
                db.session.commit()
                services.save_answer(attempt_id, me, second, ["A"], clock())
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    with db.engine.connect() as other, db.engine.connect() as watcher:
        # Another save of the attempt holds its lock and writes an answer...
        lock = "SELECT id FROM attempts WHERE id = :id FOR NO KEY UPDATE"
        other.execute(sql_text(lock), {"id": attempt_id})
        waiting = threading.Thread(target=save)
        waiting.start()
        for _ in range(500):  # ...while this save's statement waits for the lock
            blocked = watcher.scalar(
                sql_text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            watcher.rollback()
            if blocked:
                break
            threading.Event().wait(0.01)
        else:
            raise AssertionError(f"the save never waited for the lock: {errors}")
        other.execute(
            sql_text(
                "INSERT INTO answers (attempt_id, no, choice, correct, points, answered_at,"
                " revisions) VALUES (:id, :no, '[\"Z\"]', false, 0, :now, 1)"
            ),
            {"id": attempt_id, "no": first, "now": clock()},
        )
        other.execute(
            sql_text(
                "UPDATE attempts SET answered_count = 1, last_answer_at = :now WHERE id = :id"
            ),
            {"id": attempt_id, "now": clock()},
        )
        other.commit()
        waiting.join(timeout=30)
    assert not errors, errors
    assert redone == [1]
    stored = db.session.get(Attempt, attempt_id)
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
    assert stored.answered_count == len(answers) == 2
    assert stored.points == sum(a.points for a in answers)
    assert stored.correct_count == sum(1 for a in answers if a.correct)


def test_repeated_answer_counts_once_and_can_change(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    state = attempt_state(attempt, "zh", clock())
    single = next(q for q in state.questions if q.kind != "multiple")
    for _ in range(3):
        services.save_answer(attempt.id, user, single.no, ["A"], clock())
    db.session.refresh(attempt)
    assert attempt.answered_count == 1
    assert _count(Answer, attempt_id=attempt.id) == 1
    services.save_answer(attempt.id, user, single.no, ["B"], clock())
    services.save_answer(attempt.id, user, single.no, [], clock())  # cleared
    db.session.refresh(attempt)
    assert attempt.answered_count == 0 and attempt.points == 0


def test_score_matches_the_key_whatever_the_option_order(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    from quiz.banks.models import Question

    expected = 0
    items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id))
    for item in items:
        question = db.session.get(Question, item.question_id)
        shown = [chr(65 + item.option_order.index(k)) for k in question.answer]
        services.save_answer(attempt.id, user, item.no, shown, clock())
        expected += item.points
    db.session.refresh(attempt)
    assert attempt.points == expected == attempt.max_points
    assert attempt.correct_count == attempt.question_count


def test_partial_credit_only_when_the_round_allows(make, clock):
    from quiz.play.scoring import points_for

    assert points_for("multiple", ["A", "C"], ["A"], 20, False) == (False, 0)
    assert points_for("multiple", ["A", "C"], ["A"], 20, True) == (False, 10)
    assert points_for("multiple", ["A", "C"], ["A", "B"], 20, True) == (False, 0)
    assert points_for("multiple", ["A", "C"], ["C", "A"], 20, False) == (True, 20)
    assert points_for("single", ["B"], ["A"], 10, True) == (False, 0)


def test_answers_after_deadline_are_refused_within_grace_accepted(app, make, clock):
    contest, round_ = make.setup(time_limit_seconds=60)
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    clock.advance(seconds=63)  # past the deadline, inside the 5 s grace
    services.save_answer(attempt.id, user, 1, ["A"], clock())
    clock.advance(seconds=3)  # 66 s: beyond the grace
    with pytest.raises(Conflict) as exc:
        services.save_answer(attempt.id, user, 2, ["A"], clock())
    assert exc.value.code == "deadline_passed"
    db.session.refresh(attempt)
    assert attempt.finished_at == attempt.deadline
    assert attempt.finish_reason == "deadline"
    assert attempt.time_used_ms == 60_000
    assert _count(Answer, attempt_id=attempt.id) == 1


def test_finish_is_idempotent_and_freezes_answers(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    services.save_answer(attempt.id, user, 1, ["A"], clock())
    clock.advance(seconds=42)
    first = services.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    finished_at, used = first.finished_at, first.time_used_ms
    clock.advance(seconds=10)
    again = services.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    assert (again.finished_at, again.time_used_ms) == (finished_at, used) == (finished_at, 42_000)
    with pytest.raises(Conflict) as exc:
        services.save_answer(attempt.id, user, 1, ["B"], clock())
    assert exc.value.code == "attempt_finished"


def test_finalize_overdue_closes_open_attempts(make, clock):
    contest, round_ = make.setup(time_limit_seconds=60)
    users = [make.enrolled(contest) for _ in range(3)]
    for user in users:
        services.start_attempt(user, round_, "zh", clock())
    clock.advance(seconds=30)
    assert services.finalize_overdue(clock()) == 0
    clock.advance(minutes=5)
    assert services.finalize_overdue(clock()) == 3
    assert _count(Attempt, finish_reason="deadline") == 3


def test_bad_choices_are_refused_and_change_nothing(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    other = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    single = next(
        q for q in attempt_state(attempt, "zh", clock()).questions if q.kind != "multiple"
    )
    for bad in (["Z"], ["A", "A"], ["A", "B"], "A", [1], None, ["AB"]):
        with pytest.raises(ValidationFailed):
            services.save_answer(attempt.id, user, single.no, bad, clock())
    with pytest.raises(NotFound):
        services.save_answer(attempt.id, user, 99, ["A"], clock())
    with pytest.raises(NotFound):
        services.save_answer(attempt.id, other, single.no, ["A"], clock())
    with pytest.raises(NotFound):
        services.save_answer(attempt.id + 1000, user, 1, ["A"], clock())
    assert _count(Answer) == 0


def test_max_attempts_allows_a_second_attempt_after_finishing(make, clock):
    contest, round_ = make.setup(max_attempts=2)
    user = make.enrolled(contest)
    first, created = services.start_attempt(user, round_, "zh", clock())
    assert created
    same, created = services.start_attempt(user, round_, "zh", clock())
    assert same.id == first.id and not created
    services.finish_attempt(first, clock())
    db.session.commit()  # the edge commits (services flush)
    second, created = services.start_attempt(user, round_, "zh", clock())
    assert created and second.attempt_no == 2
    services.finish_attempt(second, clock())
    db.session.commit()  # the edge commits (services flush)
    last, created = services.start_attempt(user, round_, "zh", clock())
    assert last.id == second.id and not created


@pytest.mark.parametrize("policy", ["never", "after_finish", "after_close"])
def test_key_is_revealed_only_as_the_review_policy_allows(make, clock, policy):
    contest, round_ = make.setup(review_policy=policy, closes_at=clock() + timedelta(hours=1))
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    assert not attempt_state(attempt, "zh", clock()).review
    services.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    assert attempt_state(attempt, "zh", clock()).review is (policy == "after_finish")
    clock.advance(hours=2)
    state = attempt_state(attempt, "zh", clock())
    assert state.review is (policy != "never")
    body = state.to_json()
    assert ("correct" in body["questions"][0]) is (policy != "never")


def test_switching_language_keeps_answers_and_deadline(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest, language="mn")
    attempt, _ = services.start_attempt(user, round_, "mn", clock())
    services.save_answer(attempt.id, user, 1, ["A"], clock())
    zh = attempt_state(attempt, "zh", clock())
    mn = attempt_state(attempt, "mn", clock())
    assert zh.questions[0].choice == mn.questions[0].choice == ["A"]
    assert zh.questions[0].text != mn.questions[0].text
    assert zh.remaining_seconds == mn.remaining_seconds


def test_live_rounds_lock_given_answers_and_move_the_board(make, clock):
    from quiz.leaderboards.services import read_board

    contest, round_ = make.setup(live_scores=True)
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    clock.advance(seconds=4)
    services.save_answer(attempt.id, user, 1, ["A"], clock())
    services.save_answer(attempt.id, user, 1, ["A"], clock())  # the same again: fine
    with pytest.raises(Conflict) as exc:
        services.save_answer(attempt.id, user, 1, ["B"], clock())
    assert exc.value.code == "answer_locked"
    board = read_board(contest, round_.id, None, 10, user.id, None, clock())
    assert board.me is not None and board.me["time_used_ms"] == 4000


def test_exam_rounds_enter_the_board_when_finished(make, clock):
    from quiz.leaderboards.services import read_board

    contest, round_ = make.setup()  # live_scores off: answers may change until hand-in
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    services.save_answer(attempt.id, user, 1, ["A"], clock())
    services.save_answer(attempt.id, user, 1, ["B"], clock())
    assert read_board(contest, round_.id, None, 10, user.id, None, clock()).me is None
    clock.advance(seconds=9)
    services.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    board = read_board(contest, round_.id, None, 10, user.id, None, clock())
    assert board.me["rank"] == 1 and board.me["time_used_ms"] == 9000
    assert board.entries[0].display_name == user.display_name
