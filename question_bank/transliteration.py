"""The ASCII transliteration Mongolian text is drafted in, turned into Unicode.

Traditional Mongolian is never typed into the code base directly (hand-typed strings came
out with wrong letters): translators draft it in this one-character-per-code-point
transliteration (docs/translations.md has the table), and ``to_mongolian`` converts it.
The catalog drafts (``tools/i18n_drafts.py``), the glossary
(``question_bank/data/mongolian_glossary.tsv``) and the word lists of the text checker
(``question_bank.mongolian_check``) all use it.

    a e i o u O(ö) U(ü) E(ē)        n N(ng) b p q g m l s x(š) t d c(č) j(ǰ) y r w f K z h
    -  MVS (U+180E) before a separated final a/e: ner-e, tog-a
    _  NNBSP (U+202F) before a case suffix: tan_u, ulus_un
    1 2 3 4  FVS1-FVS4 after the letter they select a form of: d1ugar
    {...}  copied verbatim (placeholders, digits, Latin words); {{} and {}} give { and }
    ", " and ". " become the Mongolian comma and full stop; a final "." the full stop.
"""

from __future__ import annotations

import re
import unicodedata

LETTERS = {
    "a": 0x1820,
    "e": 0x1821,
    "i": 0x1822,
    "o": 0x1823,
    "u": 0x1824,
    "O": 0x1825,
    "U": 0x1826,
    "E": 0x1827,
    "n": 0x1828,
    "N": 0x1829,
    "b": 0x182A,
    "p": 0x182B,
    "q": 0x182C,
    "g": 0x182D,
    "m": 0x182E,
    "l": 0x182F,
    "s": 0x1830,
    "x": 0x1831,
    "t": 0x1832,
    "d": 0x1833,
    "c": 0x1834,
    "j": 0x1835,
    "y": 0x1836,
    "r": 0x1837,
    "w": 0x1838,
    "f": 0x1839,
    "K": 0x183A,
    "z": 0x183D,
    "h": 0x183E,
    "-": 0x180E,  # MVS
    "_": 0x202F,  # NNBSP
    "1": 0x180B,
    "2": 0x180C,
    "3": 0x180D,
    "4": 0x180F,  # FVS1-4
}
KEEP = set(" ?:!")
MONGOLIAN_COMMA = "\u1802"
MONGOLIAN_FULL_STOP = "\u1803"
_BACK = {chr(code): letter for letter, code in LETTERS.items()}


def _convert_plain(text: str, *, final: bool) -> str:
    """Convert a run of transliteration outside {...}."""
    # a "." at the end of a run that is not the end of the string (i.e. right before a
    # {...} group) is ambiguous; only the final one is allowed
    if not final and text.endswith("."):
        raise ValueError(f"'.' right before a {{...}} group: {text!r}")
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "," and text[i + 1 : i + 2] == " ":
            out.append(MONGOLIAN_COMMA + " ")
            i += 2
            continue
        if ch == ".":
            if text[i + 1 : i + 2] == " ":
                out.append(MONGOLIAN_FULL_STOP + " ")
                i += 2
                continue
            if i == len(text) - 1:
                out.append(MONGOLIAN_FULL_STOP)
                i += 1
                continue
            raise ValueError(f"stray '.' in {text!r}")
        if ch in LETTERS:
            out.append(chr(LETTERS[ch]))
        elif ch in KEEP:
            out.append(ch)
        else:
            raise ValueError(f"character {ch!r} not in the transliteration map: {text!r}")
        i += 1
    return "".join(out)


def to_mongolian(src: str) -> str:
    """Unicode Mongolian (NFC) for a transliterated text; ValueError for a typo."""
    parts: list[str] = []
    pos = 0
    for m in re.finditer(r"\{(\{|\}|[^{}]*)\}", src):
        parts.append(_convert_plain(src[pos : m.start()], final=False))
        parts.append(m.group(1))
        pos = m.end()
    parts.append(_convert_plain(src[pos:], final=True))
    return unicodedata.normalize("NFC", "".join(parts))


def to_latin(text: str) -> str:
    """The transliteration of Mongolian letters and connectors (others kept as they are),
    for messages a reader without a Mongolian font can still follow."""
    return "".join(_BACK.get(ch, ch) for ch in text)
