"""Grading by option identity: the one definition of credit, used by the app too."""

from __future__ import annotations

from collections.abc import Iterable

from question_bank.model import Kind


def credit(kind: Kind, answer: Iterable[str], choice: Iterable[str]) -> float:
    """Credit in [0, 1] for a choice of option keys.

    Single and true/false questions are all or nothing. For multiple choice,
    (right keys picked - wrong keys picked) / number of right keys, clamped to [0, 1], as
    Moodle does, so ticking every option earns nothing.
    """
    picked, right = set(choice), set(answer)
    if picked == right:
        return 1.0
    if kind is not Kind.MULTIPLE or not right:
        return 0.0
    return min(1.0, max(0.0, (len(picked & right) - len(picked - right)) / len(right)))
