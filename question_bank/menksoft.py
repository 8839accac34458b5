"""Menksoft private-use Mongolian (glyph codes U+E234-U+E34F) to Unicode Mongolian.

Text typed with the Menksoft input method stores the *shapes* of letters (initial,
medial, final forms, each a code in the Private Use Area) rather than the letters.
Unicode Mongolian (GB/T 25914-2023) stores letters and lets the font choose shapes, so
converting is: find the letter each glyph draws, keep the variation a glyph marks (the
final ``a``/``e`` after MVS), join the diphthong ``ai`` that Menksoft writes with two
glyphs, and turn the Menksoft suffix space into NNBSP.

The glyph table follows the CC0 converter ``suragch/mongol_code`` (Dart), whose ranges
and test pairs are the reference (see NOTICE); the code here is written anew and does
the letter-level part of that converter: the letters come out right, but the finer
shape choices it also recovers (FVS on some medial and final forms, a space between two
words written without one) are not made here. Where a glyph is ambiguous the more
common letter is chosen.
"""

from __future__ import annotations

import re

MENKSOFT_START = 0xE234
MENKSOFT_END = 0xE34F
_RUN = re.compile("[\ue234-\ue34f]+")
NNBSP = "\u202f"
MVS = "\u180e"

# Punctuation, digits and spaces (U+E234-U+E263) to what Unicode has for them.
_PUNCTUATION = {
    0xE234: "\u1800",  # birga
    0xE235: "\u1801",  # ellipsis
    0xE236: "\u1802",  # comma
    0xE237: "\u1803",  # full stop
    0xE238: "\u1804",  # colon
    0xE239: "\u1805",  # four dots
    0xE23A: "\u1806",  # todo soft hyphen
    0xE23B: "\u1807",  # sibe syllable boundary marker
    0xE23C: "\u1808",  # manchu comma
    0xE23D: "\u1809",  # manchu full stop
    0xE23E: "\u180a",  # nirugu
    0xE23F: "\u1800",  # birga with ornament (no code of its own)
    0xE240: "\u1800",  # rotated birga
    0xE241: "\u1800",  # double birga with ornament
    0xE242: "\u1800",  # triple birga with ornament
    0xE243: "\u00b7",  # middle dot
    **{0xE244 + digit: chr(0x1810 + digit) for digit in range(10)},  # digits 0-9
    0xE24E: "\u2048",  # question exclamation mark
    0xE24F: "\u2049",  # exclamation question mark
    0xE250: "\ufe15",  # vertical exclamation mark
    0xE251: "\ufe16",  # vertical question mark
    0xE252: "\ufe14",  # vertical semicolon
    0xE253: "\ufe35",  # vertical left parenthesis
    0xE254: "\ufe36",  # vertical right parenthesis
    0xE255: "\ufe3f",  # vertical left angle bracket
    0xE256: "\ufe40",  # vertical right angle bracket
    0xE257: "\ufe39",  # vertical left tortoise shell bracket
    0xE258: "\ufe3a",  # vertical right tortoise shell bracket
    0xE259: "\ufe3d",  # vertical left double angle bracket
    0xE25A: "\ufe3e",  # vertical right double angle bracket
    0xE25B: "\ufe41",  # vertical left white corner bracket
    0xE25C: "\ufe42",  # vertical right white corner bracket
    0xE25D: "\ufe10",  # vertical comma
    0xE25E: "\u00d7",  # x
    0xE25F: "\u203b",  # reference mark
    0xE260: "\u2013",  # en dash
    0xE261: "\ufe31",  # vertical em dash
    0xE262: NNBSP,  # a space glyph of unknown use: the suffix connector
    0xE263: NNBSP,  # the suffix space
}

# First glyph code of each letter, in code order (each letter's glyphs run to the next).
_LETTER_STARTS = (
    (0xE264, "\u1820"),  # a
    (0xE270, "\u1821"),  # e
    (0xE279, "\u1822"),  # i
    (0xE283, "\u1823"),  # o
    (0xE28B, "\u1824"),  # u
    (0xE293, "\u1825"),  # oe
    (0xE2A0, "\u1826"),  # ue
    (0xE2AD, "\u1827"),  # ee
    (0xE2B1, "\u1828"),  # na (ang inside its range, below)
    (0xE2C1, "\u182a"),  # ba
    (0xE2C8, "\u182b"),  # pa
    (0xE2CE, "\u182c"),  # qa
    (0xE2E1, "\u182d"),  # ga
    (0xE2F1, "\u182e"),  # ma
    (0xE2F7, "\u182f"),  # la
    (0xE2FD, "\u1830"),  # sa
    (0xE303, "\u1831"),  # sha
    (0xE308, "\u1832"),  # ta
    (0xE30E, "\u1833"),  # da
    (0xE315, "\u1834"),  # cha
    (0xE318, "\u1835"),  # ja
    (0xE31E, "\u1836"),  # ya
    (0xE322, "\u1837"),  # ra
    (0xE329, "\u1838"),  # wa
    (0xE32D, "\u1839"),  # fa
    (0xE333, "\u183a"),  # ka
    (0xE339, "\u183b"),  # kha
    (0xE33F, "\u183c"),  # tsa
    (0xE342, "\u183d"),  # za
    (0xE345, "\u183e"),  # haa
    (0xE348, "\u183f"),  # zra
    (0xE34B, "\u1840"),  # lha
    (0xE34E, "\u1841"),  # zhi
    (0xE34F, "\u1842"),  # chi
)
_ANG = range(0xE2BB, 0xE2BF)
_VOWELS = range(0xE264, 0xE2B1)
_I_MEDIAL = 0xE27E  # a long tooth: the second half of the diphthong ai, ei, ...
_Y_STRAIGHT = 0xE321  # straight ya: with a following long tooth, the i of a diphthong
_I_DOUBLE_TOOTH = 0xE281  # double long tooth: the i of a diphthong in one glyph
_A_FINAL_MVS = 0xE26A
_E_FINAL_MVS = 0xE274


def letter(code: int) -> str | None:
    """The Unicode letter a Menksoft letter glyph draws."""
    if code in _ANG:
        return "\u1829"
    found = None
    for start, value in _LETTER_STARTS:
        if code < start:
            break
        found = value
    return found


def has_menksoft(text: str) -> bool:
    return _RUN.search(text) is not None


def _word(codes: list[int]) -> str:
    out: list[str] = []
    index = 0
    while index < len(codes):
        code = codes[index]
        above = codes[index - 1] if index else 0
        below = codes[index + 1] if index + 1 < len(codes) else 0
        if code in _PUNCTUATION:
            out.append(_PUNCTUATION[code])
        elif code in (_Y_STRAIGHT, _I_MEDIAL) and above in _VOWELS and below == _I_MEDIAL:
            out.append("\u1822")  # ya + i (or i + i) after a vowel: one i (diphthong)
            index += 1
        elif code == _I_DOUBLE_TOOTH:
            out.append("\u1822")
        elif code in (_A_FINAL_MVS, _E_FINAL_MVS) and above >= 0xE264 and not _letter_at(below):
            out.append(MVS + ("\u1820" if code == _A_FINAL_MVS else "\u1821"))
        else:
            out.append(letter(code) or "")
        index += 1
    return "".join(out)


def _letter_at(code: int) -> bool:
    return 0xE264 <= code <= MENKSOFT_END


def to_unicode(text: str) -> str:
    """``text`` with every run of Menksoft glyph codes turned into Unicode Mongolian."""
    return _RUN.sub(lambda match: _word([ord(ch) for ch in match.group()]), text)
