"""Grading: by option identity for choice questions (the one definition of credit, used
by the app too), by normalised comparison keys for fill-in answers."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

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


# -- fill-in answers ----------------------------------------------------------------

_NNBSP = "\u202f"
_KEEP = "\U000f0000"  # a private-use stand-in for NNBSP while NFKC runs
_SHAPING = {
    ord(ch): None for ch in ("\u180b", "\u180c", "\u180d", "\u180f", "\u180e", "\u200c", "\u200d")
}


def fill_key(text: str, language: str) -> str:
    """The comparison key of a fill-in answer: what two spellings must share to count as
    the same answer. Only ever a key: stored text is never NFKC'd.

    NFKC folds full-width letters and digits (ＡＢ１ → AB1) and compatibility forms;
    ``casefold`` ignores case; punctuation (Chinese and English: 。，、；：？！“”（）.,;:?!"'()
    …) and white space are dropped for Chinese. For Mongolian, NNBSP (U+202F, the suffix
    connector, which NFKC would turn into a plain space) is kept as it is, variation
    selectors, MVS, ZWJ and ZWNJ (shape only) are dropped, and runs of spaces count as one.
    """
    if language == "mn":
        text = text.replace(_NNBSP, _KEEP)
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("P"):
            continue
        kept.append(ch)
    text = "".join(kept)
    if language == "mn":
        text = " ".join(text.translate(_SHAPING).split()).replace(_KEEP, _NNBSP)
        return text.replace(" " + _NNBSP, _NNBSP).replace(_NNBSP + " ", _NNBSP)
    return "".join(text.split())


def fill_results(
    blanks: Sequence[Sequence[str]], responses: Iterable[str], language: str
) -> tuple[bool, ...]:
    """Per blank: whether the response (in order) matches one of its accepted answers."""
    given = list(responses)
    results = []
    for number, accepted in enumerate(blanks):
        response = given[number] if number < len(given) else ""
        key = fill_key(response, language)
        results.append(bool(key) and any(key == fill_key(a, language) for a in accepted))
    return tuple(results)


def fill_credit(blanks: Sequence[Sequence[str]], responses: Iterable[str], language: str) -> float:
    """Share of the blanks answered right, in [0, 1] (all or nothing is ``== 1.0``)."""
    results = fill_results(blanks, responses, language)
    return sum(results) / len(results) if results else 0.0
