"""Layers (docs/architecture.md): the upward signals are answered in every app built.

The import contract itself runs in ``make lint`` (lint-imports); here, what it relies
on at run time: each signal a lower layer sends has its receivers once ``create_app``
ran, and a question the bank console asks that nobody answers raises rather than
passing a used bank off as unused.
"""

from __future__ import annotations

import pytest
from flask import Flask

from quiz import signals
from quiz.banks import usage
from quiz.contests import bank_usage


@pytest.mark.parametrize(
    "signal",
    [
        signals.standing_changed,
        signals.attempts_published,
        signals.boards_rebuilt,
        signals.frozen_boards_rebuilt,
        usage.contests_drawing_from,
        usage.organizer_draws_from,
        usage.questions_in_attempts,
    ],
    ids=lambda signal: signal.name,
)
def test_every_upward_signal_has_a_receiver(app: Flask, signal) -> None:
    assert signal.receivers


def test_an_unanswered_bank_question_raises(app: Flask) -> None:
    usage.contests_drawing_from.disconnect(bank_usage.contests_drawing_from)
    try:
        with pytest.raises(RuntimeError, match="nobody answers"):
            usage.contests_using(1)
    finally:
        usage.contests_drawing_from.connect(bank_usage.contests_drawing_from)
    assert usage.contests_using(1) == []
