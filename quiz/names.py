"""The one character rule for names people type and others see.

Every name field uses it: account display names (registration, profile, ``quiz users
create``, the admin console, teachers added to a school), class-list imports, live-game
nicknames, school, class, league, contest and round names. Length rules stay with each
field; this module only says which characters a name may hold.

Refused anywhere in a name:

- control characters (C0, DEL, C1: ``\\u0000``, tab, new line …), line and paragraph
  separators (U+2028, U+2029), lone surrogates, code points Unicode has not assigned;
- format characters (category Cf): the text-direction overrides, embeddings and isolates
  (U+202A–202E, U+2066–2069), direction marks (U+200E, U+200F, U+061C), the zero-width
  space U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen, tag characters …;
- the "blank" letters used to fake an empty name (Hangul fillers U+115F, U+1160,
  U+3164, U+FFA0; the blank Braille pattern U+2800).

Allowed, because traditional Mongolian needs them: the free variation selectors FVS1–4
(U+180B–180D, U+180F), the Mongolian vowel separator (MVS, U+180E, a format character),
ZWNJ and ZWJ (U+200C, U+200D) — each only *inside* a word, right after a character that
is not a space (and MVS, ZWNJ and ZWJ also right before one) — and the narrow no-break
space U+202F before a case suffix. A name must also have at least one visible character
(a letter, digit, punctuation mark or symbol): only spaces, joiners or marks is refused.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

# Format characters (Cf) that Mongolian words need; every other Cf is refused.
JOINERS = frozenset("\u180e\u200c\u200d")  # MVS, ZWNJ, ZWJ: between two characters
# Marks that select a letter's form: right after a character (FVS1-4).
SELECTORS = frozenset("\u180b\u180c\u180d\u180f")
# Letters and symbols that draw nothing: used to make a name look empty.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
_VISIBLE_CATEGORIES = frozenset("LNPS")


def _refused(char: str) -> bool:
    if char in JOINERS:
        return False
    return char in BLANKS or unicodedata.category(char) in _REFUSED_CATEGORIES


def _word_char(char: str | None) -> bool:
    """A character a joiner or selector may stand next to: present, not a space."""
    return char is not None and not char.isspace() and not _refused(char)


def name_problems(text: str) -> list:
    """What is wrong with the characters of a name (already NFC and trimmed); [] if fine."""
    for index, char in enumerate(text):
        if _refused(char):
            return [
                _l(
                    "A name cannot contain control, invisible or text-direction characters"
                    " (character %(n)d, %(code)s).",
                    n=index + 1,
                    code=f"U+{ord(char):04X}",
                )
            ]
        before = text[index - 1] if index else None
        after = text[index + 1] if index + 1 < len(text) else None
        if (char in JOINERS and not (_word_char(before) and _word_char(after))) or (
            char in SELECTORS and not _word_char(before)
        ):
            return [
                _l(
                    "Joining and variation characters may only stand inside a word"
                    " (character %(n)d, %(code)s).",
                    n=index + 1,
                    code=f"U+{ord(char):04X}",
                )
            ]
    if text and not any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in text):
        return [_l("A name needs at least one visible letter, digit or sign.")]
    return []


def check_name(errors: dict[str, list], field: str, text: str) -> None:
    """Add the character problems of ``text`` to ``errors[field]``, unless it has some."""
    if field not in errors and (problems := name_problems(text)):
        errors[field] = problems
