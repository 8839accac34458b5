"""The wrong-answer book's rule, as a pure function (tests/practice/test_book_rule.py).

A wrong answer puts a question in the book (or keeps it there) and starts its count of
right answers again. A question leaves the book after two right answers in a row on
different days: a second right answer on the same day as the first does not count, and
any wrong answer in between starts again. Days are calendar days in the contests' zone
(Asia/Shanghai), so a person practising at 23:50 and 00:10 has practised on two days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
RIGHT_DAYS_TO_LEAVE = 2


def local_day(moment: datetime) -> date:
    """The contests' calendar day of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(ZONE).date()


@dataclass(frozen=True)
class Standing:
    """Where a question stands in one person's book."""

    in_book: bool
    correct_streak: int = 0
    last_correct_day: date | None = None


def after_answer(standing: Standing, correct: bool, day: date) -> Standing:
    """The standing after one more answer on ``day`` (days never go backwards)."""
    if not correct:
        return Standing(in_book=True)
    if not standing.in_book:
        return standing
    if standing.correct_streak and standing.last_correct_day == day:
        return standing  # a second right answer on the same day does not count
    streak = standing.correct_streak + 1
    if streak >= RIGHT_DAYS_TO_LEAVE:
        return Standing(in_book=False)
    return Standing(in_book=True, correct_streak=streak, last_correct_day=day)
