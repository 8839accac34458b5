"""The speed bonus: extra points for handing in early, added once when an attempt finishes,
so the stored score, the live boards and a rebuild from SQL all agree."""

from __future__ import annotations

import random
from datetime import timedelta

from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.play import services as play
from quiz.play.models import Answer, AttemptItem
from quiz.play.scoring import speed_bonus
from quiz.play.state import attempt_state
from tests.leaderboards.test_rebuild import _snapshot


def test_the_rule():
    full = {"max_points": 100, "question_count": 10, "allowed_ms": 600_000}
    # cap = 100 // 5 = 20; half the time left, all correct: 10.
    assert speed_bonus(correct_count=10, time_used_ms=300_000, **full) == 10
    # half correct: half of that
    assert speed_bonus(correct_count=5, time_used_ms=300_000, **full) == 5
    # nothing correct, or no time left, or over time: nothing
    assert speed_bonus(correct_count=0, time_used_ms=1, **full) == 0
    assert speed_bonus(correct_count=10, time_used_ms=600_000, **full) == 0
    assert speed_bonus(correct_count=10, time_used_ms=900_000, **full) == 0
    # never above the cap, always an integer rounded down
    assert speed_bonus(correct_count=10, time_used_ms=0, **full) == 20
    assert speed_bonus(correct_count=3, time_used_ms=123_456, **full) == (20 * 476_544 * 3) // (
        600_000 * 10
    )
    assert (
        speed_bonus(correct_count=1, time_used_ms=0, max_points=4, question_count=1, allowed_ms=1)
        == 0
    )


def _answer_correctly(attempt, user, clock):
    """Give the right answer to every question (the test knows the key from SQL)."""
    from quiz.banks.models import Question

    items = db.session.query(AttemptItem).filter_by(attempt_id=attempt.id).all()
    for item in items:
        key = db.session.get(Question, item.question_id).answer
        choice = [chr(ord("A") + item.option_order.index(k)) for k in key]
        play.save_answer(attempt.id, user, item.no, choice, clock())


def test_bonus_is_added_once_at_finish_and_stored(make, clock):
    contest, round_ = make.setup(speed_bonus=True, time_limit_seconds=600)
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    _answer_correctly(attempt, user, clock)
    clock.advance(seconds=150)  # a quarter of the time used
    db.session.refresh(attempt)
    question_points = attempt.points
    assert question_points == attempt.max_points
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    db.session.refresh(attempt)
    expected = (attempt.max_points // 5) * 3 // 4  # three quarters of the time left
    assert attempt.bonus_points == expected > 0
    assert attempt.points == question_points + expected
    # Finishing again changes nothing.
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    db.session.refresh(attempt)
    assert attempt.points == question_points + expected
    # The participant's result and the board show the same total.
    state = attempt_state(attempt, "zh", clock())
    assert state.to_json()["score"] == attempt.points
    view = boards.read_board(contest, round_.id, None, 10, user.id, None, clock())
    assert view.me["score"] == attempt.points


def test_no_bonus_without_the_switch_or_at_the_deadline(make, clock):
    contest, round_ = make.setup(time_limit_seconds=600)
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    _answer_correctly(attempt, user, clock)
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    db.session.refresh(attempt)
    assert attempt.bonus_points == 0 and attempt.points == attempt.max_points

    contest2, fast = make.setup(speed_bonus=True, time_limit_seconds=600)
    user2 = make.enrolled(contest2)
    late, _ = play.start_attempt(user2, fast, "zh", clock())
    _answer_correctly(late, user2, clock)
    clock.advance(minutes=30)  # closed by the server at the deadline
    play.finalize_overdue(clock())
    db.session.commit()  # the edge commits (services flush)
    db.session.refresh(late)
    assert late.finish_reason == "deadline" and late.bonus_points == 0


def test_rebuilt_boards_equal_the_live_ones_with_the_bonus(make, clock):
    rng = random.Random(11)
    contest, round_ = make.setup(speed_bonus=True, time_limit_seconds=900, max_attempts=2)
    users = [make.enrolled(contest) for _ in range(12)]
    bonuses = 0
    for user in users:
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        state = attempt_state(attempt, "zh", clock())
        for question in state.questions:
            clock.advance(milliseconds=rng.randint(500, 20_000))
            if rng.random() < 0.8:
                play.save_answer(
                    attempt.id, user, question.no, [rng.choice(question.options).key], clock()
                )
        if rng.random() < 0.4:
            _answer_correctly(attempt, user, clock)
        play.finish_attempt(attempt, clock())
        db.session.commit()  # the edge commits (services flush)
        db.session.refresh(attempt)
        bonuses += attempt.bonus_points
    assert bonuses > 0, "no attempt earned a bonus: the test would prove nothing"
    live = _snapshot(contest.id)
    assert live
    boards.rebuild(clock() + timedelta(seconds=1), [contest.id])
    assert _snapshot(contest.id) == live
    # And the stored points are the answers' points plus the bonus, for everyone.
    from sqlalchemy import func, select

    from quiz.play.models import Attempt

    for attempt in db.session.scalars(select(Attempt)):
        answered = db.session.scalar(
            select(func.coalesce(func.sum(Answer.points), 0)).where(Answer.attempt_id == attempt.id)
        )
        assert attempt.points == answered + attempt.bonus_points
