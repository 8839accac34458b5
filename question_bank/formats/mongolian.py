"""Mongolian-script words the spreadsheet formats use, built from a transliteration.

Traditional Mongolian is never typed into this source: earlier hand-typed strings came
out with wrong letters. Words are written here in a Latin transliteration and turned
into code points through their Unicode names (``MONGOLIAN LETTER ...``), so every
letter can be checked by reading the Latin.

Transliteration (one Latin letter per Mongolian letter): a e i o u ö ü n b p m l s t d
y r w f k h z, ``ng`` for ANG, ``q`` for QA (also front-vowel k), ``γ`` for GA (also
front-vowel g), ``š`` SHA, ``č`` CHA, ``ǰ`` JA, ``-`` the vowel separator (MVS, before a
separated final a/e: ``ner-e``). Spaces stay spaces.

These header and value words are machine-drafted and await review by a fluent
speaker; the readers also accept the Chinese and English names, and compare headers
with ``fold_key``, so o/u and t/d spelling variants are accepted.
"""

from __future__ import annotations

import unicodedata

_LETTERS = {
    "a": "A",
    "e": "E",
    "i": "I",
    "o": "O",
    "u": "U",
    "ö": "OE",
    "ü": "UE",
    "n": "NA",
    "ng": "ANG",
    "b": "BA",
    "p": "PA",
    "q": "QA",
    "γ": "GA",
    "m": "MA",
    "l": "LA",
    "s": "SA",
    "š": "SHA",
    "t": "TA",
    "d": "DA",
    "č": "CHA",
    "ǰ": "JA",
    "y": "YA",
    "r": "RA",
    "w": "WA",
    "f": "FA",
    "k": "KA",
    "h": "HAA",
    "z": "ZA",
}


def from_latin(latin: str) -> str:
    """Mongolian script for a transliterated word or phrase (see the module docstring)."""
    out: list[str] = []
    index = 0
    while index < len(latin):
        if latin.startswith("ng", index):
            out.append(unicodedata.lookup("MONGOLIAN LETTER ANG"))
            index += 2
            continue
        ch = latin[index]
        if ch == " ":
            out.append(" ")
        elif ch == "-":
            out.append(unicodedata.lookup("MONGOLIAN VOWEL SEPARATOR"))
        else:
            out.append(unicodedata.lookup("MONGOLIAN LETTER " + _LETTERS[ch]))
        index += 1
    return "".join(out)


# Words used by headers, sheet names and cell values (transliterations above).
QUESTION = from_latin("asaγulta")
NUMBER = from_latin("duγar")
KIND = from_latin("töröl")
CATEGORY = from_latin("angγilal")
DIFFICULTY = from_latin("qündü qilbar")
ANSWER = from_latin("qariγu")
SOURCE = from_latin("eqi surbulǰi")
TAGS = from_latin("temdeγ")
OPTION = from_latin("songγolta")
EXPLANATION = from_latin("tayilburi")
REVIEWED = from_latin("qinaγdaγsan")
NAME = from_latin("ner-e")
BANK = from_latin("sang")
MONGOLIAN = from_latin("mongγol")
CHINESE = from_latin("qitad")
SINGLE = from_latin("γaγča songγolta")
MULTIPLE = from_latin("olan songγolta")
TRUEFALSE = from_latin("ǰöb buruγu")
TRUE = from_latin("ǰöb")
FALSE = from_latin("buruγu")
YES = from_latin("teimü")
NO = from_latin("üγei")
EASY = from_latin("qilbar")
MEDIUM = from_latin("dumda")
HARD = from_latin("qündü")
FILL = from_latin("qoγusun nöqüqü")
POINTS = from_latin("onuγ-a")
PICTURE = from_latin("ǰiruγ")
BENCHMARK = from_latin("qemǰiγür")
PART = from_latin("qeseγ")

# Earlier spellings (Khalkha forms) that templates downloaded before issue 19 carry:
# the readers still accept them.
OLD_POINTS = from_latin("onoo")  # mongolian-check: ignore
OLD_YES = from_latin("tiyimü")  # mongolian-check: ignore
