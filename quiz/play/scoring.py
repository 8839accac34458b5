"""Points for one answer. Grading compares option identities, never option text; a
fill-in answer is compared with the accepted answers by their normalised keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from question_bank import Kind
from question_bank.scoring import credit, fill_results


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


def fill_points(
    accepted: Mapping[str, Sequence[Sequence[str]]],
    responses: Sequence[str],
    points: int,
    partial_credit: bool,
) -> tuple[bool, int]:
    """(correct, points) of a fill-in answer. A blank is right when its response matches
    one of the blank's accepted answers in any language of the question (a participant
    may switch language mid-attempt, and a formula or a number is the same in both),
    compared by ``fill_key`` after Unicode normalisation. All blanks right: full points;
    with partial credit, the share of blanks right."""
    count = max((len(blanks) for blanks in accepted.values()), default=0)
    right = [False] * count
    for language, blanks in accepted.items():
        for index, ok in enumerate(fill_results(blanks, responses, language)):
            right[index] = right[index] or ok
    if count and all(right):
        return True, points
    if partial_credit and count:
        return False, int(points * sum(right) / count + 0.5)
    return False, 0


# The speed bonus is worth at most this share of the attempt's question points.
SPEED_BONUS_DIVISOR = 5  # 1/5 = 20 %


def speed_bonus(
    *,
    max_points: int,
    correct_count: int,
    question_count: int,
    allowed_ms: int,
    time_used_ms: int,
) -> int:
    """Extra points for handing in early, in a round with ``Round.speed_bonus`` on.

    ``cap × (time left ÷ time allowed) × (correct answers ÷ questions)``, rounded down,
    with ``cap = max_points // 5``. Integer arithmetic only, so the same attempt always
    gets the same bonus. Weighting by the share of correct answers means handing in a
    blank sheet at once earns nothing; an attempt closed at its deadline has no time left
    and earns nothing either. ``allowed_ms`` is the attempt's own window (deadline minus
    start), which is shorter than the time limit when the round closes first.
    """
    cap = max_points // SPEED_BONUS_DIVISOR
    if cap <= 0 or question_count <= 0 or allowed_ms <= 0 or correct_count <= 0:
        return 0
    remaining = min(allowed_ms, max(0, allowed_ms - time_used_ms))
    correct = min(correct_count, question_count)
    return (cap * remaining * correct) // (allowed_ms * question_count)
