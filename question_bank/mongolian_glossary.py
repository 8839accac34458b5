"""The platform's terms in Inner Mongolian written Mongolian: one form each.

The data is ``question_bank/data/mongolian_glossary.tsv`` (docs/mongolian-glossary.md
shows it): English, Chinese, the Mongolian form (a verb as its stem with a trailing
``-``), its transliteration, a pattern for the English msgids that use the term, wrong
forms to avoid (transliterated, space-separated) and notes. ``mismatches(msgid, msgstr)``
names the terms whose English is in a msgid while the translation lacks the form or
uses a wrong one; the catalog test uses it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from question_bank.transliteration import to_mongolian

DATA = Path(__file__).parent / "data" / "mongolian_glossary.tsv"
_WORD_START = "(?<![\u1820-\u18aa])"
_SHAPING = {ord(ch): None for ch in "\u180b\u180c\u180d\u180f\u200c\u200d"}


@dataclass(frozen=True)
class Term:
    english: str
    chinese: str
    mongolian: str  # the form as written; a verb stem without the trailing "-"
    transliteration: str
    pattern: re.Pattern[str] | None  # English msgids that use the term
    avoid: tuple[str, ...] = ()  # wrong forms (written), matched at a word's start
    notes: str = ""

    @property
    def is_stem(self) -> bool:
        return self.transliteration.endswith("-")


def fold(text: str) -> str:
    """For finding a form in a text: NFC, no FVS/ZWJ/ZWNJ, NNBSP as a plain space."""
    return unicodedata.normalize("NFC", text).translate(_SHAPING).replace("\u202f", " ")


@cache
def terms(path: Path = DATA) -> tuple[Term, ...]:
    """The glossary's rows; ValueError naming the line when one does not hold together."""
    rows: list[Term] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != 7:
                raise ValueError(f"{path}:{number}: expected 7 columns, got {len(row)}")
            english, chinese, mongolian, latin, pattern, avoid, notes = row
            written = mongolian.removesuffix("-")
            if to_mongolian(latin.removesuffix("-")) != written:
                raise ValueError(f"{path}:{number}: {mongolian} is not {latin}")
            compiled = re.compile(pattern, re.IGNORECASE) if pattern else None
            wrong = tuple(to_mongolian(word) for word in avoid.split())
            rows.append(Term(english, chinese, written, latin, compiled, wrong, notes))
    return tuple(rows)


def mismatches(msgid: str, msgstr: str, glossary: tuple[Term, ...] | None = None) -> list[Term]:
    """Terms whose English is in ``msgid`` and whose form ``msgstr`` lacks. A term kept in
    Latin letters on purpose (YAML keys such as ``categories``) is not a mismatch."""
    found = []
    text = fold(msgstr)
    for term in terms() if glossary is None else glossary:
        if term.pattern is None:
            continue
        match = term.pattern.search(msgid)
        if match is None or match.group(0).lower() in msgstr.lower():
            continue
        if fold(term.mongolian) not in text or any(
            re.search(_WORD_START + re.escape(fold(wrong)), text) for wrong in term.avoid
        ):
            found.append(term)
    return found
