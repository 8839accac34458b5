"""What every format reader shares: limits, the result of a read, located notes, decoding.

A reader gets bytes and a display name (never a path: an uploaded file's name is only
shown, never opened). It reports problems (the import fails, nothing is stored),
warnings (the import goes on) and unsupported questions (skipped, each named with its
kind) at a location: a line number, or ``Sheet!C5`` for a workbook.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from question_bank import messages as m
from question_bank.errors import BankError, Problem
from question_bank.model import LANGUAGES, Bank, Question

Location = int | str | None
"""A 1-based line, ``Sheet!C5`` in a workbook, or None for the file as a whole."""

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file any reader accepts (Moodle XML with embedded images can be a few MB)."""

MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
"""Largest total a workbook may unpack to (checked before anything is unpacked)."""

MAX_XLSX_ENTRIES = 2000
"""Most files a workbook (a zip) may hold."""

MAX_ROWS = 50_000
"""Most non-empty rows a CSV file or a worksheet may have."""

MAX_COLUMNS = 200
"""Columns of a worksheet that are read (the format uses 29)."""

DEFAULT_DIFFICULTY = 2
"""Difficulty of a question whose file gives none (GIFT, Moodle XML, Aiken, blank cells)."""

DEFAULT_CATEGORY_ID = "uncategorized"
DEFAULT_CATEGORY_NAME = {"zh": "未分类"}
"""Category of questions that name none, unless the import names one (``--category``)."""


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Note:
    """A warning or a skipped question: like a Problem, but the import goes on."""

    line: Location
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    kind: str | None = None

    def formatted(self, translate: Callable[[str], str] = _identity) -> str:
        return translate(self.message) % self.params


@dataclass
class ImportResult:
    """What a read found. ``bank`` is None when there are problems (all or nothing).

    ``questions`` lists every question that could be built, even when others had
    problems (a preview can show them); ``titles`` maps question ids to the names the
    file gave them (Moodle's question names), for reports.
    """

    format: str
    filename: str
    bank: Bank | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    unsupported: list[Note] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    encoding: str | None = None
    converted: int = 0  # text fields converted from Menksoft to Unicode Mongolian

    @property
    def ok(self) -> bool:
        return self.bank is not None and not self.problems

    def title(self, question: Question) -> str:
        return self.titles.get(question.id, question.id)

    def location(self, question: Question) -> Location:
        return self.locations.get(question.id, question.line)

    def raise_for_problems(self) -> Bank:
        """The bank, or ``BankError`` with every problem."""
        if self.problems or self.bank is None:
            raise BankError(self.problems)
        return self.bank


@dataclass
class ReadOptions:
    """What the caller decides for what a file does not say.

    ``bank_id``/``bank_title``: the bank of formats that carry none (all but YAML and a
    workbook with a bank sheet). ``category``: for questions that name none (a name or
    an id, or a ready ``Category``). ``language``: of single-language formats (GIFT,
    Moodle XML, Aiken), unless the text is in Mongolian script or a question says
    otherwise; and of spreadsheet columns that name no language. ``known_categories``:
    the target bank's stored categories, so that a file naming one by id or name uses it.
    """

    bank_id: str = "imported"
    bank_title: dict[str, str] | None = None
    category: Any = None  # str | Category | None
    known_categories: tuple[Any, ...] = ()  # Category: found by id or name when named
    language: str = "zh"
    max_bytes: int = MAX_FILE_BYTES
    max_unzipped: int = MAX_XLSX_UNCOMPRESSED
    max_entries: int = MAX_XLSX_ENTRIES
    pictures: dict[str, bytes] | None = None  # file name -> bytes (a .zip upload's pictures)
    menksoft: bool = True  # convert Menksoft private-use Mongolian to Unicode


class Collector:
    """Problems, warnings and skipped questions of one read, with their locations."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.warnings: list[Note] = []
        self.unsupported: list[Note] = []

    def error(self, where: Location, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.filename, where, message, params))

    def warn(self, where: Location, message: str, **params: Any) -> None:
        self.warnings.append(Note(where, message, params))

    def skip(self, where: Location, kind: str, title: str | None) -> None:
        self.unsupported.append(
            Note(where, m.UNSUPPORTED_KIND, {"kind": kind}, title=title, kind=kind)
        )


class Failed(Exception):
    """A problem that stops a read at once (bad encoding, damaged file)."""

    def __init__(self, where: Location, message: str, **params: Any) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.params = params


# -- text ---------------------------------------------------------------------------

_MONGOLIAN_LETTER = range(0x1820, 0x18AB)
_MENKSOFT = range(0xE234, 0xE350)  # Menksoft glyph codes: Mongolian typed with Menksoft
_CJK = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def script_language(text: str, default: str) -> str:
    """``mn`` for text in Mongolian script (and no Chinese characters), else ``default``."""
    mongolian = chinese = False
    for ch in text:
        code = ord(ch)
        if code in _MONGOLIAN_LETTER or code in _MENKSOFT:
            mongolian = True
        elif any(low <= code <= high for low, high in _CJK):
            chinese = True
    if mongolian and not chinese:
        return "mn"
    return default if default in LANGUAGES else LANGUAGES[0]


def decode_utf8(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or ``Failed`` at the line of the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Failed(line, m.NOT_UTF8, byte=f"{data[error.start]:02X}") from None


# Characters GBK/GB18030 text from Chinese Windows plausibly holds, beyond ASCII.
_GBK_PLAUSIBLE = (
    (0x00A0, 0x024F),  # Latin-1 and pinyin letters
    (0x0370, 0x04FF),  # Greek, Cyrillic
    (0x1800, 0x18AF),  # Mongolian (GB18030)
    (0x2000, 0x27BF),  # punctuation, symbols, arrows, maths, box drawing
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, ideographs
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


def _plausible_gbk(text: str) -> bool:
    return all(
        ord(ch) < 0x80 or any(low <= ord(ch) <= high for low, high in _GBK_PLAUSIBLE) for ch in text
    )


def decode_spreadsheet_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding found: UTF-8 (with or without a BOM), UTF-16
    with a BOM (Excel's "Unicode text"), or GBK/GB18030 (Excel on Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return decode_utf8(data), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        first_bad = error
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_gbk(text):
        return text, "gb18030"
    line = data.count(b"\n", 0, first_bad.start) + 1
    raise Failed(
        line, m.NOT_TEXT_ENCODING, byte=f"{data[first_bad.start]:02X}", line=line
    ) from None


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of GIFT and Aiken files: UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    GBK/GB18030 (Notepad on Chinese Windows); anything else is reported as not UTF-8 at
    the line of the first bad byte (what Moodle expects)."""
    try:
        return decode_spreadsheet_text(data)
    except Failed:
        return decode_utf8(data), "utf-8"  # raises Failed(NOT_UTF8) at the bad byte


_XML_ILLEGAL = {
    code: None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)
}


def without_control_characters(text: str) -> str:
    """Text without the control characters XML 1.0 and XLSX cells cannot hold."""
    return text.translate(_XML_ILLEGAL)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
