"""Who uses a bank: questions the bank console asks, answered by the layers above it.

Rounds (quiz.contests) draw from banks and attempts (quiz.play) hold drawn questions,
but banks sit below both (docs/architecture.md, "Layers"): the console asks here and
``quiz.contests.bank_usage`` and ``quiz.play.bank_usage`` answer, connected when the app
is built (``quiz.app``). An unanswered question would make a used bank look unused (any
organizer could then rewrite a running contest's questions), so asking one that nobody
answers raises instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blinker import Namespace, Signal

_asks = Namespace()

contests_drawing_from = _asks.signal(
    "bank-contests",
    doc="""Which contests have rounds drawing from bank ``bank_id``: an iterable of ids.
    Answered by quiz.contests.bank_usage.""",
)
organizer_draws_from = _asks.signal(
    "bank-organizer",
    doc="""Whether user ``user_id`` organizes a contest with a round drawing from bank
    ``bank_id``: a bool. Answered by quiz.contests.bank_usage.""",
)
questions_in_attempts = _asks.signal(
    "bank-questions-in-attempts",
    doc="""Which of ``question_ids`` were drawn into any attempt: a set of ids (their
    keys are then frozen). Answered by quiz.play.bank_usage.""",
)


def _answers(signal: Signal, **question: Any) -> list[Any]:
    answers = [answer for _, answer in signal.send(None, **question)]
    if not answers:
        raise RuntimeError(f"nobody answers {signal.name!r}: quiz.app connects its receivers")
    return answers


def contests_using(bank_id: int) -> list[int]:
    """Ids of the contests whose rounds draw from the bank: those an edit affects."""
    found: set[int] = set()
    for ids in _answers(contests_drawing_from, bank_id=bank_id):
        found.update(ids)
    return sorted(found)


def runs_contest_drawing_from(bank_id: int, user_id: int) -> bool:
    """Whether the user organizes a contest that draws from the bank."""
    return any(_answers(organizer_draws_from, bank_id=bank_id, user_id=user_id))


def used_questions(question_ids: Iterable[int]) -> set[int]:
    """Which of these questions appear in any attempt (their key is then frozen)."""
    ids = list(question_ids)
    if not ids:
        return set()
    found: set[int] = set()
    for used in _answers(questions_in_attempts, question_ids=ids):
        found.update(used)
    return found
