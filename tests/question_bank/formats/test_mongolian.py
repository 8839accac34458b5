"""The transliteration gives the Mongolian the rest of the code base already uses."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from question_bank import TRUE_FALSE_LABELS
from question_bank.formats import mongolian as mg
from question_bank.text import fold_key
from tests import factories


def test_letters_by_their_unicode_names() -> None:
    assert [unicodedata.name(ch) for ch in mg.from_latin("asaγulta")] == [
        "MONGOLIAN LETTER " + name for name in ("A", "SA", "A", "GA", "U", "LA", "TA", "A")
    ]
    assert mg.from_latin("ng") == "\u1829"


def test_words_match_the_labels_and_test_data_typed_elsewhere() -> None:
    labels = TRUE_FALSE_LABELS["mn"]
    assert labels["T"] == mg.TRUE and labels["F"] == mg.FALSE
    source = Path(factories.__file__).read_text(encoding="utf-8")
    for word in (mg.QUESTION, mg.OPTION, mg.EXPLANATION):
        assert word in source


def test_headers_are_told_apart_after_folding() -> None:
    words = [
        mg.QUESTION,
        mg.NUMBER,
        mg.KIND,
        mg.CATEGORY,
        mg.DIFFICULTY,
        mg.ANSWER,
        mg.SOURCE,
        mg.TAGS,
        mg.OPTION,
        mg.EXPLANATION,
        mg.REVIEWED,
        mg.NAME,
    ]
    assert len({fold_key(word) for word in words}) == len(words)
