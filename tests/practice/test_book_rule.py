"""The wrong-answer book's leave rule (quiz/practice/book.py), checked against a plain
reading of the rule over whole histories of answers, and its contests-zone days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.practice.book import Standing, after_answer, local_day

# The machine is shared: slow generation under load is not a failure of the rule.
LOADED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A history: answers in time order, each (days after the previous answer, right?).
histories = st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=25)


def _replay(history: list[tuple[int, bool]]) -> tuple[Standing, list[tuple[date, bool]]]:
    standing = Standing(in_book=False)
    day = date(2026, 1, 1)
    dated = []
    for gap, correct in history:
        day += timedelta(days=gap)
        dated.append((day, correct))
        standing = after_answer(standing, correct, day)
    return standing, dated


def _in_book_by_the_words(dated: list[tuple[date, bool]]) -> bool:
    """In the book iff there was a wrong answer and, since the last one, the question has
    not been answered right on two different days (right answers since it, in a row,
    counted by distinct day)."""
    in_book = False
    right_days: set[date] = set()
    for day, correct in dated:
        if not correct:
            in_book, right_days = True, set()
        elif in_book:
            right_days.add(day)
            if len(right_days) >= 2:
                in_book, right_days = False, set()
    return in_book


@LOADED
@given(histories)
def test_the_rule_matches_its_words(history: list[tuple[int, bool]]) -> None:
    standing, dated = _replay(history)
    assert standing.in_book == _in_book_by_the_words(dated)
    if not standing.in_book:
        assert standing.correct_streak == 0


@LOADED
@given(histories, st.integers(1, 5))
def test_right_answers_on_one_day_never_take_a_question_out(
    history: list[tuple[int, bool]], times: int
) -> None:
    standing, dated = _replay([*history, (1, False)])
    day = dated[-1][0] + timedelta(days=1)
    for _ in range(times):
        standing = after_answer(standing, True, day)
    assert standing.in_book
    standing = after_answer(standing, True, day + timedelta(days=1))
    assert not standing.in_book


@LOADED
@given(st.integers(1, 10))
def test_a_wrong_answer_in_between_starts_again(gap: int) -> None:
    day = date(2026, 3, 1)
    standing = after_answer(Standing(False), False, day)
    standing = after_answer(standing, True, day + timedelta(days=1))
    standing = after_answer(standing, False, day + timedelta(days=2))
    standing = after_answer(standing, True, day + timedelta(days=2 + gap))
    assert standing.in_book and standing.correct_streak == 1


def test_a_right_answer_outside_the_book_changes_nothing() -> None:
    assert after_answer(Standing(False), True, date(2026, 1, 1)) == Standing(False)


def test_days_are_beijing_days() -> None:
    # 15:59 UTC is 23:59 in Beijing; 16:00 UTC is midnight there.
    assert local_day(datetime(2026, 9, 15, 15, 59)) == date(2026, 9, 15)
    assert local_day(datetime(2026, 9, 15, 16, 0)) == date(2026, 9, 16)
