"""XLSX: the template, Chinese and Mongolian headers, cell locations, damaged files, bombs."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from question_bank import Kind, human_size
from question_bank import messages as m
from question_bank.formats import (
    MAX_XLSX_ENTRIES,
    MAX_XLSX_UNCOMPRESSED,
    ImportResult,
    read_bank,
    write_bank,
    xlsx_template,
)
from question_bank.formats import mongolian as mg
from question_bank.formats.tabular import header_text
from tests.factories import sample_bank


def workbook(rows: list[list], title: str = "Sheet1", extra=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra:
        extra(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, **settings) -> ImportResult:
    return read_bank(data, "题库.xlsx", **settings)


@pytest.mark.parametrize("language", ["zh", "mn", "en"])
def test_template_imports_as_its_examples(language: str) -> None:
    data = xlsx_template(language)
    assert data.startswith(b"PK")
    result = read(data)
    assert result.problems == [] and result.warnings == []
    assert [q.kind for q in result.questions] == [Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE]
    assert [q.answer for q in result.questions] == [("B",), ("A", "C"), ("T",)]
    assert result.bank.id == "my-bank"


def test_template_headers_are_chinese_or_mongolian() -> None:
    def headers(language: str) -> dict[str, list]:
        book = openpyxl.load_workbook(io.BytesIO(xlsx_template(language)))
        return {sheet.title: [c.value for c in sheet[1]] for sheet in book.worksheets}

    zh = headers("zh")
    assert list(zh) == ["填写说明", "题目", "分类", "题库"]
    assert zh["题目"][:7] == ["编号", "题型", "分类", "难度", "答案", "出处", "标签"]
    assert "题目(中文)" in zh["题目"] and "选项A(蒙古文)" in zh["题目"]
    mn = headers("mn")
    assert mg.QUESTION in mn  # the questions sheet
    questions = mn[mg.QUESTION]
    assert questions[:5] == [mg.NUMBER, mg.KIND, mg.CATEGORY, mg.DIFFICULTY, mg.ANSWER]
    assert f"{mg.QUESTION}({mg.MONGOLIAN})" in questions
    assert f"{mg.OPTION} A({mg.CHINESE})" in questions
    assert header_text("option", "mn", "mn", "B") == f"{mg.OPTION} B({mg.MONGOLIAN})"


def test_plain_sheet_with_a_title_row_and_cell_locations() -> None:
    data = workbook(
        [
            ["2024 科普竞赛题库"],
            ["题型", "题目", "选项A", "选项B", "选项C", "答案", "难度"],
            ["单选", "一？", "a", "b", "c", "B", 1],
            ["多选", "二？", "a", "b", "c", "A,C", 2.0],
            ["判断", "三？", None, None, None, True, None],
        ],
        title="试题",
    )
    result = read(data)
    assert result.problems == []
    assert [q.answer for q in result.questions] == [("B",), ("A", "C"), ("T",)]
    assert [q.difficulty for q in result.questions] == [1, 2, 2]
    assert result.locations[result.questions[1].id] == "试题!A4"


def test_errors_name_the_sheet_and_cell() -> None:
    data = workbook(
        [
            ["题目", "选项A", "选项B", "答案", "难度"],
            ["一？", "a", "b", "C", 1],
            ["二？", "a", "b", None, 1],
            ["三？", "a", "b", "A", 7],
        ],
        title="题目",
    )
    result = read(data)
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [
        ("题目!D2", m.ANSWER_NOT_OPTION),
        ("题目!D3", m.NO_ANSWER),
        ("题目!E4", m.BAD_DIFFICULTY),
    ]


def test_mongolian_headers_built_from_the_transliteration() -> None:
    data = workbook(
        [
            [mg.KIND, mg.QUESTION, f"{mg.OPTION} A", f"{mg.OPTION} B", mg.ANSWER, mg.CATEGORY],
            [mg.SINGLE, mg.QUESTION + "?", mg.TRUE, mg.FALSE, "B", mg.CATEGORY],
            [mg.TRUEFALSE, mg.QUESTION + "!", None, None, mg.TRUE, mg.CATEGORY],
        ],
        title=mg.QUESTION,
    )
    result = read(data)
    assert result.problems == []
    single, truefalse = result.questions
    assert list(single.versions) == ["mn"] and single.answer == ("B",)
    assert truefalse.answer == ("T",)
    [category] = result.bank.categories
    assert category.name == {"mn": mg.CATEGORY}


def test_categories_and_bank_sheets() -> None:
    def more(book):
        categories = book.create_sheet("分类")
        categories.append(["编号", "名称(中文)", "名称(蒙古文)"])
        categories.append(["safety", "安全", mg.CATEGORY])
        bank = book.create_sheet("题库")
        bank.append(["编号", "名称(中文)"])
        bank.append(["my-bank", "我的题库"])

    data = workbook([["题目", "答案", "分类"], ["问？", "对", "安全"]], "题目", more)
    result = read(data)
    assert result.bank.id == "my-bank" and result.bank.title == {"zh": "我的题库"}
    assert result.bank.categories[0].name == {"zh": "安全", "mn": mg.CATEGORY}
    assert result.questions[0].category == "safety"


def test_formulas_are_read_as_their_cached_values_never_run() -> None:
    data = workbook([["题目", "答案"], ["问？", '=IF(TRUE,"对","错")']])
    result = read(data)
    # openpyxl wrote no cached value: the cell reads as empty; nothing is evaluated.
    assert [(p.line, p.message) for p in result.problems] == [("Sheet1!B2", m.NO_ANSWER)]


def test_export_keeps_formula_like_text_as_text() -> None:
    bank = sample_bank(1)
    question = bank.questions[0]
    zh = question.versions["zh"]
    from dataclasses import replace

    changed = replace(
        question,
        versions={**question.versions, "zh": replace(zh, text='=HYPERLINK("x")+1')},
    )
    bank = replace(bank, questions=(changed, *bank.questions[1:]))
    data = write_bank(bank, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["题目"]
    cell = next(c for c in sheet[2] if c.value == '=HYPERLINK("x")+1')
    assert cell.data_type == "s"
    assert read(data).bank == bank


def test_truncated_workbook_is_reported() -> None:
    data = xlsx_template("zh")
    result = read(data[: len(data) // 2])
    [problem] = result.problems
    assert (problem.line, problem.message) == (None, m.XLSX_DAMAGED)
    assert result.bank is None


def test_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    result = read(out.getvalue())
    assert [p.message for p in result.problems] == [m.XLSX_DAMAGED]


def test_zip_bomb_is_refused_before_unpacking() -> None:
    out = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(MAX_XLSX_UNCOMPRESSED // len(chunk) + 1):
            entry.write(chunk)
    data = out.getvalue()
    assert len(data) < 1 << 20  # a small file...
    result = read(data)
    [problem] = result.problems
    assert problem.message == m.ZIP_TOO_LARGE  # ...that would unpack to over the limit
    assert problem.params["limit"] == human_size(MAX_XLSX_UNCOMPRESSED)


def test_zip_with_too_many_entries_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(MAX_XLSX_ENTRIES + 1):
            archive.writestr(f"x/{number}.xml", b"")
    result = read(out.getvalue())
    assert [p.message for p in result.problems] == [m.ZIP_TOO_MANY_ENTRIES]


def test_damaged_old_xls_is_reported() -> None:
    # An .xls was refused with advice until xlrd read them (issue 12).
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    result = read_bank(data, "old.xls")
    assert [p.message for p in result.problems] == [m.XLS_DAMAGED]


def test_empty_workbook() -> None:
    result = read(workbook([]))
    assert [p.message for p in result.problems] == [m.NO_HEADER_ROW]
