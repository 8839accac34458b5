"""Every bank parser fuzzed: whatever bytes arrive, only the documented outcome leaves.

``read_bank`` (all formats: YAML, CSV, XLSX, GIFT, Moodle XML, Aiken) documents that it
never raises for what is wrong with a file: the result lists every problem, each at its
line (a number, ``Sheet!C5`` in a workbook, or none for a problem of the whole file),
and then has no bank. ``parse_bank`` (YAML text) raises only ``BankError``, whose
problems carry the same. Inputs are arbitrary bytes, and text built from each format's
own syntax so the fuzzing gets past the first line; XLSX is fuzzed by corrupting a real
workbook. Warnings are errors in this suite, so a library warning escaping counts too.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import BankError
from question_bank.errors import Problem
from question_bank.formats import FORMATS, read_bank, write_bank
from question_bank.formats.yaml import parse_bank
from tests.factories import sample_bank

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of each format's syntax, and text that is not.
TOKENS = {
    "yaml": [
        "format: quiz-bank/1\n",
        "id: b\n",
        "questions:\n",
        "  - id: q1\n",
        "    kind: single\n",
        "    answer: B\n",
        "    options: {A: x, B: y}\n",
        "    zh:\n",
        "      text: 题\n",
        "categories:\n",
        "- ",
        ": ",
        "&a ",
        "*a",
        "!!python/object ",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\t",
        "\n",
        "  ",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "? ",
        "|\n",
        ">\n",
        "#",
    ],
    "csv": [
        "id,kind,category,difficulty,answer,zh_text,zh_A,zh_B\n",
        "q1,single,c,1,B,题,甲,乙\n",
        ",",
        '"',
        '""',
        "\n",
        "\r\n",
        ";",
        "\t",
        "=cmd()",
        "ᠠᠣ",
        "A,C",
        "正确",
        "\ufeff",
    ],
    "gift": [
        "::q1::",
        "What {",
        "}",
        "=right",
        "~wrong",
        "#feedback",
        "$CATEGORY: c\n",
        "{T}",
        "{FALSE}",
        "%50%",
        "->",
        "\\{",
        "\\=",
        "//comment\n",
        "\n\n",
        "[html]",
        "[markdown]",
        "{#1:2}",
        "~%-100%x",
        "ᠠᠣ",
        ":",
        "=",
    ],
    "moodle-xml": [
        '<?xml version="1.0"?>',
        "<quiz>",
        "</quiz>",
        '<question type="multichoice">',
        "</question>",
        "<name><text>n</text></name>",
        '<questiontext format="html">',
        "</questiontext>",
        "<text>",
        "</text>",
        '<answer fraction="100">',
        "</answer>",
        '<answer fraction="-50">',
        "<single>true</single>",
        "<![CDATA[x]]>",
        "&amp;",
        "&x;",
        '<!DOCTYPE q [<!ENTITY x "y">]>',
        "<",
        ">",
        "ᠠᠣ",
        '<question type="truefalse">',
    ],
    "text": [
        "1. ",
        "2、",
        "（3）",
        "第4题",
        "一、单选题\n",
        "A. ",
        "B、",
        "C．",
        "答案：",
        "【答案】",
        "ANSWER：",
        "解析：",
        "难度：",
        "分类：",
        "分值：",
        "AC",
        "Ｂ",
        "√",
        "____",
        "|",
        "/",
        "\n",
        "ᠠᠣ",
        "\ue2c1\ue26d",
    ],
    "aiken": [
        "Question?\n",
        "A. one\n",
        "B) two\n",
        "C. three\n",
        "ANSWER: B\n",
        "ANSWER: Z\n",
        "ANSWER:\n",
        "\n",
        "A.",
        "ᠠᠣ\n",
        "  ",
        "\r\n",
    ],
}


def syntax(fmt: str) -> st.SearchStrategy[bytes]:
    pieces = st.one_of(st.sampled_from(TOKENS[fmt]), st.text(max_size=6))
    return st.lists(pieces, max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))


def _check(data: bytes, fmt: str) -> None:
    """The read's contract for one input."""
    result = read_bank(data, "fuzz", fmt)
    assert (result.bank is None) == bool(result.problems)
    lines = data.count(b"\n") + data.count(b"\r") + 2
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert problem.line is None or isinstance(problem.line, str | int)
        if isinstance(problem.line, int):
            assert 1 <= problem.line <= lines, (problem, lines)
        assert problem.formatted()  # the message and its params fit together
    for note in (*result.warnings, *result.unsupported):
        assert note.formatted()


TEXT_FORMATS = [name for name in FORMATS if name not in {"xlsx", "xls", "docx", "zip"}]


@pytest.mark.parametrize("fmt", [*FORMATS, "auto"])
@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_give_problems_with_lines_never_an_exception(fmt, data):
    _check(data, fmt)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@FUZZ
@given(data=st.data())
def test_text_in_the_formats_own_syntax_gives_a_bank_or_problems(fmt, data):
    _check(data.draw(syntax(fmt)), fmt)


@FUZZ
@given(text=syntax("yaml").map(lambda b: b.decode("utf-8")))
def test_yaml_text_raises_only_bank_errors_with_lines(text):
    try:
        parse_bank(text, "fuzz.yaml")
    except BankError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line is None or problem.line >= 1
            assert problem.formatted()


_WORKBOOK = write_bank(sample_bank(1), "xlsx")


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, len(_WORKBOOK) - 1), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, len(_WORKBOOK))),
)
def test_corrupted_workbooks_give_problems_never_an_exception(edits, cut):
    data = bytearray(_WORKBOOK)
    for index, value in edits:
        data[index] = value
    _check(bytes(data[:cut] if cut is not None else data), "xlsx")


@FUZZ
@given(
    sheet_xml=st.lists(
        st.sampled_from(
            [
                "<row>",
                "</row>",
                '<c r="A1" t="s">',
                '<c r="ZZZ99999999">',
                "</c>",
                "<v>",
                "</v>",
                "1e309",
                "-1",
                "<is><t>x</t></is>",
                '<c t="inlineStr">',
                "&lt;",
                "<",
            ]
        ),
        max_size=30,
    )
)
def test_workbooks_with_mangled_sheet_xml_give_problems(sheet_xml):
    """A valid zip whose first sheet's XML is replaced: openpyxl's parser is fuzzed."""
    source = zipfile.ZipFile(io.BytesIO(_WORKBOOK))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head = body.split(b"<sheetData>")[0]
                body = (
                    head
                    + b"<sheetData>"
                    + "".join(sheet_xml).encode()
                    + b"</sheetData></worksheet>"
                )
            target.writestr(info, body)
    _check(out.getvalue(), "xlsx")
