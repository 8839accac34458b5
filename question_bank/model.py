"""The question bank as plain values: one question is one item in several languages.

A question has one id, one answer key, one category and one difficulty; each language
only supplies wording. Options keep their key (A, B, ... or T/F) in every language, so
grading, statistics and rankings never look at the language or at the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

LANGUAGES: tuple[str, ...] = ("zh", "mn")
"""Supported languages, in the order the app and the files list them."""

OPTION_KEYS: tuple[str, ...] = tuple("ABCDEFGH")
"""Keys of single/multiple options; a question uses a prefix of at least two of them."""

TRUE_FALSE_KEYS: tuple[str, ...] = ("T", "F")

TRUE_FALSE_LABELS: dict[str, dict[str, str]] = {
    "zh": {"T": "正确", "F": "错误"},
    # ǰöb (Khalkha зөв) "right, correct" and buruɣu (Khalkha буруу) "wrong".
    "mn": {"T": "ᠵᠥᠪ", "F": "ᠪᠤᠷᠤᠭᠤ"},
}
"""Labels the loader gives T and F, so bank authors never type them (or mistype them)."""


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"


@dataclass(frozen=True)
class Version:
    """One language's wording of a question; carries no answer, so it can be shown as is."""

    text: str
    options: dict[str, str]
    explanation: str | None
    reviewed: bool = True


@dataclass(frozen=True)
class Question:
    """A question with its answer key; ``line`` is where it came from, not part of its value."""

    id: str
    kind: Kind
    category: str
    difficulty: int
    answer: tuple[str, ...]
    option_keys: tuple[str, ...]
    source: str
    versions: dict[str, Version]
    tags: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this question is written in, in ``LANGUAGES`` order."""
        return tuple(language for language in LANGUAGES if language in self.versions)

    def is_correct(self, choice: Iterable[str]) -> bool:
        """All or nothing: the chosen keys are exactly the answer keys."""
        return set(choice) == set(self.answer)

    def partial_credit(self, choice: Iterable[str]) -> float:
        """Moodle-like credit in [0, 1] (see ``question_bank.scoring.credit``)."""
        from question_bank.scoring import credit

        return credit(self.kind, self.answer, choice)


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]


@dataclass(frozen=True)
class Bank:
    """A whole bank; ``filename`` records where it was read from and is not compared."""

    id: str
    title: dict[str, str]
    categories: tuple[Category, ...]
    questions: tuple[Question, ...]
    filename: str | None = field(default=None, compare=False)
