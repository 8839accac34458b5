"""Unicode handling for Chinese and traditional Mongolian text.

Mongolian needs care: NNBSP (U+202F) joins a suffix to its word and NFKC would turn it
into a plain space, so text is stored NFC only. Several letters look alike (o/u, ö/ü,
t/d), and variation selectors change shapes without changing the word, so search and
duplicate detection use a folded key, while grading never compares text at all.
"""

from __future__ import annotations

import re
import unicodedata

NNBSP = "\u202f"
MVS = "\u180e"
FVS = ("\u180b", "\u180c", "\u180d", "\u180f")
ZWNJ = "\u200c"
ZWJ = "\u200d"

_MONGOLIAN_WORD = re.compile("[\u1820-\u1878\u1880-\u18aa\u180b-\u180f\u202f\u200c\u200d]+")
_MONGOLIAN_LETTER = re.compile("[\u1820-\u1878\u1880-\u18aa]")

# Shape-only characters: they change how a word is drawn, not which word it is.
_SHAPING = {ord(ch): None for ch in (*FVS, MVS, ZWNJ, ZWJ)}
# For the folded key also drop NNBSP and merge letters that many fonts draw alike.
_FOLD = {
    **_SHAPING,
    ord(NNBSP): None,
    0x1823: 0x1824,  # MONGOLIAN LETTER O -> U
    0x1825: 0x1826,  # MONGOLIAN LETTER OE -> UE
    0x1832: 0x1833,  # MONGOLIAN LETTER TA -> DA
}


_LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")
_EDITOR_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def editor_lines(text: str) -> list[str]:
    """The lines of a text file as an editor numbers them: split at CRLF, CR or LF only.

    ``str.splitlines`` also splits at form feed, vertical tab, the file/group/record
    separators, NEL and U+2028/9, so a problem reported "on line 3" would not be on the
    line the author's editor calls 3.
    """
    return _EDITOR_LINE_BREAK.split(text)


def normalize(text: str) -> str:
    """NFC, ``\n`` for every kind of line break, stripped: the form every stored text has.

    Never NFKC: it would turn NNBSP into a plain space. Line breaks are unified because
    YAML reads CR, NEL and U+2028/9 as line breaks anyway, and spreadsheets send CRLF.
    """
    return unicodedata.normalize("NFC", _LINE_BREAK.sub("\n", text)).strip()


def mongolian_words(text: str) -> list[str]:
    """Mongolian words in ``text``, each with its suffixes (joined by NNBSP) and selectors.

    ``str.split`` and regex ``\\w``/``\\s`` cut Mongolian words apart (NNBSP counts as
    whitespace, FVS as marks, MVS as format), hence the explicit character class.
    A suffix connector at a word's edge connects nothing and is dropped.
    """
    words = []
    for match in _MONGOLIAN_WORD.finditer(unicodedata.normalize("NFC", text)):
        word = match.group().strip(NNBSP)
        if _MONGOLIAN_LETTER.search(word):
            words.append(word)
    return words


def fold_key(text: str) -> str:
    """A key under which spellings a reader cannot tell apart compare equal (search, dupes)."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD).casefold()
    return " ".join(unicodedata.normalize("NFC", text).split())


def sort_key(text: str) -> str:
    """Code-point order without shaping characters (what ICU's ``mn`` collation gives)."""
    return unicodedata.normalize("NFC", text).translate(_SHAPING)


def human_size(size: int) -> str:
    """A byte count as people read it: ``8 MB``, ``1.5 KB``, ``900 B`` (binary units,
    as operating systems show file sizes; never "8388608 bytes")."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "B":
                return f"{int(value)} B"
            shown = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{shown} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
