"""Detecting formats, limits that hold for every format, and the library's isolation."""

from __future__ import annotations

import pytest

from question_bank import human_size
from question_bank import messages as m
from question_bank.formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    MAX_FILE_BYTES,
    detect_format,
    read_bank,
    write_bank,
    xlsx_template,
)
from question_bank.formats.html_text import html_to_text
from tests.factories import sample_bank


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (xlsx_template(), "upload", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.bin", "xls"),
        (b'<?xml version="1.0"?><quiz/>', "whatever.txt", "moodle-xml"),
        (b"\xef\xbb\xbf<quiz></quiz>", "", "moodle-xml"),
        (b"format: quiz-bank/1\n", "bank.txt", "yaml"),
        (b"x: 1", "bank.yml", "yaml"),
        (b"Q?{T}", "questions.gift.txt", "gift"),
        (b"Q?\nA. a\nB. b\nANSWER: A\n", "questions.aiken.txt", "aiken"),
        (b"::Q1:: Q?{=a ~b}", "upload", "gift"),
        (b"Q?\nA. a\nB. b\nANSWER: B", "upload", "aiken"),
        ("题目,答案\n问？,对\n".encode(), "upload", "csv"),
        ("题目,答案\n问？,对\n".encode("gbk"), "data.csv", "csv"),
        (b"hello world", "notes", None),
    ],
)
def test_detect_format(data: bytes, name: str, expected: str | None) -> None:
    assert detect_format(data, name) == expected


def test_names_are_only_hints_never_paths() -> None:
    result = read_bank(b"Q?{T}", "../../etc/passwd.gift")
    assert result.ok and result.bank.questions[0].source == "../../etc/passwd.gift"


def test_too_large_is_refused_before_parsing() -> None:
    result = read_bank(b" " * (MAX_FILE_BYTES + 1), "big.csv")
    [problem] = result.problems
    # Sizes are given as people read them (question_bank.human_size).
    assert (problem.message, problem.params["limit"]) == (
        m.FILE_TOO_LARGE,
        human_size(MAX_FILE_BYTES),
    )


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"hello", "auto", m.UNKNOWN_FORMAT),
        (b"Q?{T}", "pdf", m.UNSUPPORTED_FORMAT),  # (docx was unknown until issue 12)
        (b"  \n", "gift", m.FILE_EMPTY),
    ],
)
def test_file_level_problems(data: bytes, fmt: str, message: str) -> None:
    result = read_bank(data, "file", fmt)
    assert [(p.line, p.message) for p in result.problems] == [(None, message)]
    result.problems[0].formatted()


def test_formats_listed() -> None:
    assert set(IMPORT_FORMATS) == {
        "yaml",
        "csv",
        "xlsx",
        "gift",
        "moodle-xml",
        "aiken",
        *("xls", "docx", "text", "zip"),  # issue 12
    }
    assert set(EXPORT_FORMATS) == {"yaml", "xlsx", "gift", "moodle-xml"}
    with pytest.raises(ValueError, match="cannot export"):
        write_bank(sample_bank(1), "csv")


def test_yaml_reads_through_the_registry() -> None:
    text = write_bank(sample_bank(1), "yaml")
    result = read_bank(text, "bank.yaml")
    assert result.ok and result.bank == sample_bank(1)
    broken = read_bank(text.replace(b"difficulty: 1", b"difficulty: 9", 1), "bank.yaml")
    assert [p.message for p in broken.problems] == [m.BAD_DIFFICULTY]


@pytest.mark.parametrize(
    ("html", "text", "media"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb", False),
        ("x&nbsp;&lt;&amp;&gt; y", "x\u00a0<&> y", False),
        ("a<br/>b<br>c", "a\nb\nc", False),
        ("<script>evil()</script><style>p{}</style>ok", "ok", False),
        # (the alt text is the picture's, not glued onto the text: issue 12)
        ('<img src="@@PLUGINFILE@@/a.png" alt="图">看图', "看图", True),
        ('<a href="http://x">link</a>', "link", True),
        ("  many   spaces\n and\tlines ", "many spaces and lines", False),
        ("<pre>a  b\nc</pre>", "a  b\nc", False),
    ],
)
def test_html_to_text(html: str, text: str, media: bool) -> None:
    assert html_to_text(html) == (text, media)


def test_every_message_can_be_formatted() -> None:
    from question_bank.errors import Problem

    for msgid in m.format_messages().values():
        params = {
            name: "x"
            for name in (
                "size",
                "limit",
                "value",
                "allowed",
                "byte",
                "line",
                "column",
                "first",
                "detail",
                "count",
                "kind",
                "existing",
                "id",
                "weight",
                "tag",
                "key",
                *("sheet", "name", "url", "language", "other", "other_count", "fields", "option"),
            )
        }
        Problem("f", 1, msgid, params).formatted()


def test_drop_duplicates_folds_mongolian_and_spares_updates() -> None:
    from question_bank.formats import drop_duplicates, duplicate_key
    from question_bank.formats import mongolian as mg

    text = f"{mg.QUESTION}?"
    data = f"{mg.QUESTION},{mg.ANSWER}\n{text},{mg.TRUE}\n".encode()
    result = read_bank(data, "mn.csv")
    [question] = result.questions
    # Stored with o for u, a variation selector and a ZWJ: a reader sees the same word.
    stored_text = text.replace("\u1824", "\u1823")
    stored_text = stored_text[:2] + "\u180b\u200d" + stored_text[2:]
    key = duplicate_key("mn", stored_text, question.versions["mn"].options.values())
    assert key == duplicate_key("mn", text, question.versions["mn"].options.values())

    kept = read_bank(data, "mn.csv")
    assert drop_duplicates(kept, {key: "bank/old"}, updatable={question.id}) == []
    assert len(kept.questions) == 1

    notes = drop_duplicates(result, {key: "bank/old"})
    assert [(n.line, n.message, n.params) for n in notes] == [
        (2, m.DUPLICATE_OF_EXISTING, {"existing": "bank/old"})
    ]
    assert result.questions == [] and result.bank.questions == ()


def test_slugs_for_category_names() -> None:
    from question_bank.formats import slug_for

    assert slug_for("Default for New Features") == "default-for-new-features"
    assert slug_for("Iota/Kappa") == "iota-kappa"
    assert slug_for("生命与健康").startswith("c-")
    assert slug_for("生命与健康") == slug_for("生命与健康")


def test_too_many_rows() -> None:
    from question_bank.formats.base import MAX_ROWS

    data = ("题目,答案\n" + "问？,对\n" * (MAX_ROWS + 1)).encode()
    result = read_bank(data, "big.csv")
    assert [p.message for p in result.problems] == [m.TOO_MANY_ROWS]


def test_a_far_away_cell_does_not_make_a_huge_sheet() -> None:
    import io
    import time

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["题目", "答案"])
    sheet.append(["问？", "对"])
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    started = time.monotonic()
    result = read_bank(out.getvalue(), "far.xlsx")
    assert time.monotonic() - started < 20
    assert result.ok and len(result.questions) == 1
