"""docs/question-bank-format.md describes every format and lists every format message."""

from __future__ import annotations

from pathlib import Path

import pytest

from question_bank import messages as m
from question_bank.formats import mongolian as mg
from question_bank.formats.tabular import HEADERS

DOC = Path(__file__).resolve().parents[3] / "docs" / "question-bank-format.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_format_message_is_documented(doc: str) -> None:
    missing = [
        name
        for name, msgid in m.format_messages().items()
        if "`{}`".format(msgid.replace("|", "\\|")) not in doc
    ]
    assert missing == []


@pytest.mark.parametrize(
    "heading",
    [
        "## Other file formats",
        "### Spreadsheets: XLSX and CSV",
        "### GIFT",
        "### Moodle XML",
        "### Aiken",
        "### What Moodle's own test files give",
    ],
)
def test_a_section_per_format(doc: str, heading: str) -> None:
    assert f"\n{heading}\n" in doc


def test_documented_mongolian_headers_are_the_ones_the_code_reads(doc: str) -> None:
    for field, names in HEADERS.items():
        if field == "name":
            continue
        header = names["mn"].strip() + (" A" if field == "option" else "")
        assert f"`{header}`" in doc, field
    assert f"`{mg.TRUE}` / `{mg.FALSE}`" in doc
