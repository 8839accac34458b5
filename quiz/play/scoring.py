"""Points for one answer. Grading compares option identities, never option text."""

from __future__ import annotations

from collections.abc import Iterable

from question_bank import Kind
from question_bank.scoring import credit


def points_for(
    kind: str, answer: Iterable[str], choice: Iterable[str], points: int, partial_credit: bool
) -> tuple[bool, int]:
    """(correct, points awarded). Multiple choice is all-or-nothing unless the round
    grants partial credit; partial points round half up to whole points."""
    fraction = credit(Kind(kind), answer, choice)
    correct = fraction == 1.0
    if correct:
        return True, points
    if partial_credit and kind == Kind.MULTIPLE:
        return False, int(points * fraction + 0.5)
    return False, 0
