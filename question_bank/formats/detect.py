"""Which format a file is in, from its first bytes and (only as a hint) its display name."""

from __future__ import annotations

import codecs
import re

from question_bank.text import fold_key

_SUFFIXES = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".docx": "docx",
    ".zip": "zip",
    ".xml": "moodle-xml",
    ".gift": "gift",
    ".aiken": "aiken",
}
_YAML = re.compile(r"^format:\s*quiz-bank/", re.MULTILINE)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
_GIFT = re.compile(r"^\s*(?:::|\$CATEGORY:)|\{[^{}]*\}", re.MULTILINE)
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The numbered layout: a question line "1." / "1、" / "（1）" and an answer line "答案：".
_NUMBERED = re.compile(
    r"^\s*(?:\d{1,4}\s*[.、．](?!\d)|[（(]\s*\d{1,4}\s*[)）]|第\s*\d+\s*题)", re.M
)
_ANSWER_LINE = re.compile(
    r"^\s*[【\[]?\s*(?:正确答案|参考答案|标准答案|答案|answer)\s*[】\]]?\s*[:：]?", re.M | re.I
)
_ZIP_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".zip")


def _suffixes(filename: str) -> list[str]:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    parts = name.split(".")[1:]
    return ["." + part for part in parts]


def detect_format(data: bytes, filename: str = "") -> str | None:
    """``yaml``, ``csv``, ``xlsx``, ``xls``, ``docx``, ``zip``, ``gift``, ``moodle-xml``,
    ``aiken``, ``text`` or None when it cannot tell. Content decides first: a zip by what
    it holds, text by its lines (numbered questions with answer lines are ``text`` even
    when named ``.txt`` like Aiken); the name only breaks ties."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, filename)
    if data.startswith(_XLS_MAGIC):
        return "xls"
    head = data[:65536]
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            head = head[len(bom) :]
            text = head.decode(codec, errors="ignore")
            break
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as error:
            # Cut in the middle of a character, or GBK/GB18030 (Chinese Windows).
            if error.start > len(head) - 4:
                text = head[: error.start].decode("utf-8", errors="ignore")
            else:
                text = head.decode("gb18030", errors="ignore")
    if text.lstrip().startswith(("<?xml", "<quiz")):
        return "moodle-xml"
    suffixes = _suffixes(filename)
    for suffix in reversed(suffixes):
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    if _YAML.search(text):
        return "yaml"
    if _NUMBERED.search(text) and _ANSWER_LINE.search(text):
        return "text"
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return "aiken"
    if _GIFT.search(text):
        return "gift"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if any(sep in first for sep in ",;\t"):
        from question_bank.formats.tabular import parse_header

        cells = re.split(r"[,;\t]", first)
        if any(parse_header(cell.strip().strip('"')) for cell in cells if fold_key(cell)):
            return "csv"
    return None


def _zip_kind(data: bytes, filename: str) -> str:
    """A Word document, a workbook, or a .zip holding a spreadsheet and its pictures."""
    import io
    import zipfile

    suffixes = _suffixes(filename)
    if suffixes and suffixes[-1] in _ZIP_SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        names = set()
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if names and not any(name.startswith(("xl/", "word/")) for name in names):
        return "zip"
    return "xlsx"
