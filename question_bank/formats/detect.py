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
    ".xml": "moodle-xml",
    ".gift": "gift",
    ".aiken": "aiken",
}
_YAML = re.compile(r"^format:\s*quiz-bank/", re.MULTILINE)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
_GIFT = re.compile(r"^\s*(?:::|\$CATEGORY:)|\{[^{}]*\}", re.MULTILINE)
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _suffixes(filename: str) -> list[str]:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    parts = name.split(".")[1:]
    return ["." + part for part in parts]


def detect_format(data: bytes, filename: str = "") -> str | None:
    """``yaml``, ``csv``, ``xlsx``, ``gift``, ``moodle-xml``, ``aiken``, ``xls`` (an old
    Excel file, to be refused with advice) or None when it cannot tell."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        return "xls"
    head = data[:65536]
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16")):
        if head.startswith(bom):
            head = head[len(bom) :]
            text = head.decode(codec, errors="ignore")
            break
    else:
        text = head.decode("utf-8", errors="ignore")
    if text.lstrip().startswith(("<?xml", "<quiz")):
        return "moodle-xml"
    suffixes = _suffixes(filename)
    for suffix in reversed(suffixes):
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    if _YAML.search(text):
        return "yaml"
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
