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
    FILL = "fill"
    """Fill-in (填空): one or more blanks, each with its accepted answers per language;
    no options and no answer keys (``option_keys`` and ``answer`` are empty)."""


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE})
"""Kinds graded by option keys."""


def shown_answer(keys: Iterable[str], kind: str, language: str) -> str:
    """Answer keys as people read them: a true/false key as its word (正确/错误, never
    T/F), option keys as they are (``A, C``)."""
    if kind == Kind.TRUEFALSE:
        labels = TRUE_FALSE_LABELS.get(language, TRUE_FALSE_LABELS["zh"])
        return ", ".join(labels.get(key, key) for key in keys)
    return ", ".join(keys)


MAX_MEDIA_BYTES = 2 * 1024 * 1024
"""Largest picture a question or an option may carry."""

MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""Picture types a bank may hold (found by their first bytes, never by a file name)."""


@dataclass(frozen=True)
class Media:
    """A picture of a question or of an option.

    Either ``data`` (the bytes, checked: PNG, JPEG, GIF or WebP by magic bytes, at most
    2 MB) with its ``mime`` type, or only a ``url`` that the file referred to and that
    is never fetched (reports name it "not fetched"). ``alt`` is the alternative text
    (language-neutral as the source gave it), ``name`` the name the source gave the
    picture (for reports; not part of its value).
    """

    data: bytes | None = None
    mime: str | None = None
    url: str | None = None
    alt: str = ""
    name: str = field(default="", compare=False)

    @property
    def sha256(self) -> str | None:
        """The content address of the bytes (None for a URL that was not fetched)."""
        if self.data is None:
            return None
        import hashlib

        return hashlib.sha256(self.data).hexdigest()

    @property
    def fetched(self) -> bool:
        return self.data is not None


@dataclass(frozen=True)
class Version:
    """One language's wording of a question; carries no answer, so it can be shown as is."""

    text: str
    options: dict[str, str]
    explanation: str | None
    reviewed: bool = True
    blanks: tuple[tuple[str, ...], ...] = ()
    """Fill-in questions only: per blank, the accepted answers in this language."""


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
    points: float | None = None
    """What the question is worth where a file says so (分值); None: the round decides."""
    media: tuple[Media, ...] = ()
    """Pictures of the question (shown with its text, in every language)."""
    option_media: dict[str, tuple[Media, ...]] = field(default_factory=dict)
    """Pictures of options, by option key (only keys that have one)."""
    reserved: bool = False
    """Reserved for contests: never drawn for practice or the daily set (``quiz.practice``)."""
    benchmark: str | None = None
    """One of the 26 science-literacy benchmarks (``question_bank.literacy``), or None."""
    literacy_part: str | None = None
    """The survey part the question counts towards in a self-test (set with a benchmark)."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this question is written in, in ``LANGUAGES`` order."""
        return tuple(language for language in LANGUAGES if language in self.versions)

    @property
    def blank_count(self) -> int:
        """How many blanks a fill-in question has (0 for other kinds)."""
        return max((len(v.blanks) for v in self.versions.values()), default=0)

    @property
    def all_media(self) -> tuple[Media, ...]:
        """The question's pictures, then its options' in key order."""
        return self.media + tuple(
            m for key in self.option_keys for m in self.option_media.get(key, ())
        )

    def is_correct(self, choice: Iterable[str]) -> bool:
        """All or nothing: the chosen keys are exactly the answer keys."""
        return set(choice) == set(self.answer)

    def fill_results(self, language: str, responses: Iterable[str]) -> tuple[bool, ...]:
        """Per blank of a fill-in question: does the response match an accepted answer of
        ``language`` (compared by ``question_bank.scoring.fill_key``)?"""
        from question_bank.scoring import fill_results

        return fill_results(self.versions[language].blanks, responses, language)

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
