"""XLSX workbooks: questions, categories and the bank on three sheets; a blank template.

The questions sheet has one row per question (columns as in ``tabular``), the
categories sheet an id and a name per language, the bank sheet the bank's id and title.
Only the questions sheet is required. Headers may be Chinese, Mongolian or English.

A workbook is a zip: before openpyxl sees it, the zip's entry count and total unpacked
size are checked (a "zip bomb" is refused without unpacking anything). openpyxl reads it
read-only and takes cached values, never formulas; it parses the XML parts through
defusedxml. Problems are located as ``Sheet!C5``.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from question_bank import messages as m
from question_bank.formats import mongolian as mg
from question_bank.formats.answers import KIND_VALUES
from question_bank.formats.base import (
    MAX_COLUMNS,
    MAX_ROWS,
    Collector,
    Failed,
    ImportResult,
    ReadOptions,
)
from question_bank.formats.drafts import Assembler, Categories
from question_bank.formats.spreadsheet import Sheet, workbook
from question_bank.formats.tabular import (
    HEADER_LANGUAGES,
    REVIEWED_WORDS,
    Row,
    TableReader,
    header_text,
)
from question_bank.literacy import BENCHMARKS
from question_bank.model import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Question,
    Version,
)
from question_bank.text import fold_key, human_size

SHEET_NAMES = {
    "questions": {"zh": "题目", "mn": mg.QUESTION, "en": "questions"},
    "categories": {"zh": "分类", "mn": mg.CATEGORY, "en": "categories"},
    "bank": {"zh": "题库", "mn": mg.BANK, "en": "bank"},
    "instructions": {"zh": "填写说明", "mn": mg.EXPLANATION, "en": "instructions"},
}
_SHEET_ALIASES = {
    "questions": ("question", "试题", "题目列表", "sheet1"),
    "categories": ("category", "类别"),
    "bank": ("题库信息",),
    "instructions": ("说明", "使用说明", "readme"),
}
_ROLE_BY_NAME = {
    fold_key(name): role
    for role, names in SHEET_NAMES.items()
    for name in (*names.values(), *_SHEET_ALIASES[role])
}
_TAG_UNSAFE = re.compile(r"[,，、;；\n]")


def check_zip(data: bytes, options: ReadOptions, *, damaged: str = m.XLSX_DAMAGED) -> None:
    """Refuse a damaged zip, too many entries or too much unpacked data, unpacking nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise Failed(None, damaged, detail=str(error) or type(error).__name__) from None
    if len(entries) > options.max_entries:
        raise Failed(None, m.ZIP_TOO_MANY_ENTRIES, count=len(entries), limit=options.max_entries)
    total = sum(entry.file_size for entry in entries)
    if total > options.max_unzipped:
        raise Failed(
            None,
            m.ZIP_TOO_LARGE,
            size=human_size(total),
            limit=human_size(options.max_unzipped),
        )


def _sheet_rows(title: str, values_by_row: Iterable[Sequence[Any]]) -> list[Row]:
    """The non-empty rows of a worksheet, each cell located as ``Sheet!C5``."""
    from openpyxl.utils import get_column_letter

    found: list[tuple[int, Sequence[Any]]] = []
    for number, values in enumerate(values_by_row, start=1):
        if values.count(None) == len(values) or all(v is None or v == "" for v in values):
            continue
        if len(found) >= MAX_ROWS:
            raise Failed(None, m.TOO_MANY_ROWS, limit=MAX_ROWS)
        found.append((number, values))
    width = max((len(values) for _, values in found), default=0)
    letters = [get_column_letter(column) for column in range(1, width + 1)]
    return [
        [
            (values[index] if index < len(values) else None, f"{title}!{letter}{number}")
            for index, letter in enumerate(letters)
        ]
        for number, values in found
    ]


def _xlsx_sheets(data: bytes) -> list[tuple[str, list[Row]]]:
    """(title, rows) of every worksheet, in workbook order (chart sheets have no rows)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = []
            for sheet in workbook.worksheets:
                if not hasattr(sheet, "iter_rows"):
                    continue
                sheet.reset_dimensions()  # some writers store wrong dimensions
                rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                sheets.append((sheet.title, _sheet_rows(sheet.title, rows)))
            return sheets
        finally:
            workbook.close()


def _xls_sheets(data: bytes) -> list[tuple[str, list[Row]]]:
    """(title, rows) of every sheet of an Excel 97-2003 workbook (xlrd), dates as dates."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)

            def values(row: int, sheet: Any = sheet) -> list[Any]:
                out = []
                for column in range(min(sheet.ncols, MAX_COLUMNS)):
                    cell = sheet.cell(row, column)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        out.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        out.append(bool(cell.value))
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        out.append(None)
                    else:
                        out.append(cell.value)
                return out

            if sheet.nrows > MAX_ROWS * 2:
                raise Failed(None, m.TOO_MANY_ROWS, limit=MAX_ROWS)
            rows = (values(row) for row in range(sheet.nrows))
            sheets.append((sheet.name, _sheet_rows(sheet.name, rows)))
        return sheets
    finally:
        book.release_resources()


def read_sheets(
    sheets: list[tuple[str, list[Row]]], fmt: str, filename: str, options: ReadOptions
) -> ImportResult:
    """Questions from every sheet that has a question header row, whatever its name.

    A sheet without one is the bank sheet when named so (``题库``/``bank``), a categories
    sheet when its header names categories (``编号``, ``名称``), the notes sheet of the
    template, or else named in a warning as skipped: a sheet's name never makes its
    questions disappear, and one sheet per kind (单选题/多选题/判断题) is read whole.
    """
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    reader = TableReader(collector, categories, options)
    question_sheets = [
        (title, rows)
        for title, rows in sheets
        if _ROLE_BY_NAME.get(fold_key(title)) != "instructions" and reader.has_question_header(rows)
    ]
    bank_id = bank_title = None
    for title, rows in sheets:
        if any(title == t for t, _ in question_sheets):
            continue
        role = _ROLE_BY_NAME.get(fold_key(title))
        if role == "instructions" or not rows:
            continue
        if role == "bank" and reader.has_header(rows, "id"):
            bank_id, bank_title = reader.bank_rows(rows, assembler)
        elif reader.has_header(rows, "name"):
            reader.category_rows(rows, assembler)
        elif question_sheets:
            collector.warn(f"{title}!A1", m.SHEET_SKIPPED, sheet=title)
    if not question_sheets:
        first = next(
            ((t, rows) for t, rows in sheets if _ROLE_BY_NAME.get(fold_key(t)) is None), None
        )
        if first is None and not sheets:
            collector.error(None, m.NO_QUESTION_SHEET)
        else:
            title, rows = first or sheets[0]
            reader.questions(rows, f"{title}!A1")  # reports the missing header row
        return assembler.build(fmt, [])
    drafts = []
    for title, rows in question_sheets:
        drafts += reader.questions(rows, f"{title}!A1")
    return assembler.build(fmt, drafts, bank_id=bank_id, bank_title=bank_title)


def _read_book(
    data: bytes, filename: str, options: ReadOptions, fmt: str, damaged: str
) -> ImportResult:
    try:
        if fmt == "xlsx":
            check_zip(data, options)
        try:
            sheets = _xlsx_sheets(data) if fmt == "xlsx" else _xls_sheets(data)
        except Failed:
            raise
        except Exception as error:  # any failure inside a damaged workbook
            detail = str(error).strip() or type(error).__name__
            raise Failed(None, damaged, detail=detail[:200]) from None
    except Failed as failed:
        collector = Collector(filename)
        collector.error(failed.where, failed.message, **failed.params)
        return Assembler(collector, Categories(), options).build(fmt, [])
    if not sheets:
        collector = Collector(filename)
        collector.error(None, m.NO_QUESTION_SHEET)
        return Assembler(collector, Categories(), options).build(fmt, [])
    return read_sheets(sheets, fmt, filename, options)


def read_xlsx(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    return _read_book(data, filename, options, "xlsx", m.XLSX_DAMAGED)


def read_xls(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    """Excel 97-2003 workbooks, read with xlrd: the same sheets and columns as XLSX."""
    return _read_book(data, filename, options, "xls", m.XLS_DAMAGED)


# -- writing ------------------------------------------------------------------------


def _columns() -> list[tuple[str, str | None, str]]:
    """(field, language, option key) of every questions column, in order."""
    columns: list[tuple[str, str | None, str]] = [
        (name, None, "")
        for name in (
            "id",
            "kind",
            "category",
            "difficulty",
            "answer",
            "source",
            "tags",
            "points",
            "benchmark",
            "part",
        )
    ]
    for language in LANGUAGES:
        columns.append(("text", language, ""))
        columns.extend(("option", language, key) for key in OPTION_KEYS)
        columns.append(("explanation", language, ""))
        columns.append(("reviewed", language, ""))
        columns.append(("answer", language, ""))  # fill-in answers of this language
    return columns


def _tags_cell(tags: tuple[str, ...]) -> str:
    if not tags:
        return ""
    if any(_TAG_UNSAFE.search(tag) for tag in tags) or tags[0].startswith("["):
        return json.dumps(list(tags), ensure_ascii=False)
    return ", ".join(tags)


def _part_cell(question: Question) -> str | None:
    """The part, written only where it differs from the benchmark's usual one (as the
    bank file does), so a sheet's part column stays empty for most questions."""
    if question.benchmark is None or question.literacy_part is None:
        return None
    usual = BENCHMARKS[question.benchmark].part
    return None if question.literacy_part == usual else question.literacy_part


def _answer_cell(question: Question, header_language: str) -> str:
    if question.kind is Kind.TRUEFALSE:
        right = question.answer == ("T",)
        if header_language == "en":
            return "true" if right else "false"
        labels = TRUE_FALSE_LABELS[header_language]
        return labels["T"] if right else labels["F"]
    return ",".join(question.answer)


def blanks_cell(blanks: tuple[tuple[str, ...], ...]) -> str:
    """Fill-in answers as a cell: ``a/b|c``, or JSON when an answer holds a separator."""
    if any(re.search(r"[|｜;；/／\n]|^\s|\s$|^\[", a) for blank in blanks for a in blank):
        return json.dumps([list(blank) for blank in blanks], ensure_ascii=False)
    return "|".join("/".join(blank) for blank in blanks)


def _cells(question: Question, header_language: str) -> list[Any]:
    values: list[Any] = []
    for field, language, key in _columns():
        version = question.versions.get(language) if language else None
        if field == "id":
            values.append(question.id)
        elif field == "kind":
            values.append(KIND_VALUES[question.kind][header_language])
        elif field == "category":
            values.append(question.category)
        elif field == "difficulty":
            values.append(question.difficulty)
        elif field == "answer" and language is None:
            values.append(_answer_cell(question, header_language))
        elif field == "points":
            points = question.points
            values.append(
                None if points is None else int(points) if points.is_integer() else points
            )
        elif field == "source":
            values.append(question.source)
        elif field == "tags":
            values.append(_tags_cell(question.tags))
        elif field == "benchmark":
            values.append(question.benchmark)
        elif field == "part":
            values.append(_part_cell(question))
        elif version is None:
            values.append(None)
        elif field == "text":
            values.append(version.text)
        elif field == "option":
            keep = question.kind is not Kind.TRUEFALSE and key in question.option_keys
            values.append(version.options[key] if keep else None)
        elif field == "explanation":
            values.append(version.explanation)
        elif field == "reviewed":
            values.append(None if version.reviewed else REVIEWED_WORDS[header_language][1])
        elif field == "answer":
            values.append(blanks_cell(version.blanks) if question.kind is Kind.FILL else None)
    return values


def write_xlsx(bank: Bank, header_language: str = "zh", *, instructions: bool = False) -> bytes:
    """The bank as a workbook whose headers are in ``header_language`` (zh, mn or en)."""
    if header_language not in HEADER_LANGUAGES:
        raise ValueError(f"header language must be one of {', '.join(HEADER_LANGUAGES)}")
    columns = _columns()
    kinds = ",".join(KIND_VALUES[kind][header_language] for kind in Kind)
    category_headers = [header_text("id", header_language)] + [
        header_text("name", header_language, language) for language in LANGUAGES
    ]
    sheets = [
        Sheet(
            SHEET_NAMES["questions"][header_language],
            [header_text(f, header_language, lang, key) for f, lang, key in columns],
            (_cells(q, header_language) for q in bank.questions),
            widths=[
                {"text": 40, "explanation": 30, "source": 24, "option": 16}.get(field, 10)
                for field, _, _ in columns
            ],
            styled=True,
            choices=[("B2:B5000", kinds), ("D2:D5000", "1,2,3")],
        ),
        Sheet(
            SHEET_NAMES["categories"][header_language],
            category_headers,
            ([c.id, *(c.name.get(lang) for lang in LANGUAGES)] for c in bank.categories),
            widths=[20, 30, 30],
            styled=True,
        ),
        Sheet(
            SHEET_NAMES["bank"][header_language],
            category_headers,
            [[bank.id, *(bank.title.get(lang) for lang in LANGUAGES)]],
            widths=[20, 30, 30],
            styled=True,
        ),
    ]
    if instructions:
        sheets.insert(0, _instructions(header_language))
    return workbook(sheets, active=1 if instructions else 0)


_NOTES = {
    "id": ("可不填：不填时按题目文字自动生成。小写字母、数字和连字符。", "optional; a-z, 0-9, '-'"),
    "kind": ("单选 / 多选 / 判断；不填时按答案推断。", "single / multiple / truefalse"),
    "category": (
        "分类编号或名称（见“分类”表）；不填则归入导入时指定的分类。",
        "category id or name",
    ),
    "difficulty": ("1 易、2 中、3 难；不填为 2。", "1 easy, 2 medium, 3 hard (default 2)"),
    "answer": (
        "单选写一个字母（B），多选写多个（A,C），判断写 正确/错误。",
        "B, A,C or true/false",
    ),
    "source": ("出处，便于核对；不填则记为文件名。", "where the fact comes from"),
    "tags": ("标签，用逗号分隔（可不填）。", "comma-separated tags"),
    "text": ("题干。中文写在“(中文)”列，蒙古文写在“(蒙古文)”列，至少一种。", "question text"),
    "option": ("选项 A 到 H，从 A 开始连续填写；判断题不填选项。", "options A-H"),
    "explanation": ("解析（可不填）。", "explanation (optional)"),
    "reviewed": ("机器翻译或未审校的译文填“否”。", "'no' for unreviewed wording"),
}


def _instructions(header_language: str) -> Sheet:
    rows = []
    for field, (zh, en) in _NOTES.items():
        name = header_text(field, header_language, None, "A" if field == "option" else "")
        rows.append([name, zh, en])
    return Sheet(
        SHEET_NAMES["instructions"][header_language],
        ["列 / column", "说明", "notes"],
        rows,
        widths=[24, 70, 40],
        styled=True,
    )


def _example_bank() -> Bank:
    def version(text: str, options: dict[str, str], explanation: str | None) -> Version:
        return Version(text, options, explanation)

    return Bank(
        id="my-bank",
        title={"zh": "我的题库"},
        categories=(Category("example", {"zh": "示例分类"}),),
        questions=(
            Question(
                id="ex-001",
                kind=Kind.SINGLE,
                category="example",
                difficulty=1,
                answer=("B",),
                option_keys=("A", "B", "C", "D"),
                source="示例",
                versions={
                    "zh": version(
                        "接种疫苗的主要作用是什么？",
                        {
                            "A": "治疗已经发生的感染",
                            "B": "使身体产生针对特定病原体的免疫力",
                            "C": "补充营养",
                            "D": "代替抗生素",
                        },
                        "疫苗刺激免疫系统产生记忆。",
                    )
                },
            ),
            Question(
                id="ex-002",
                kind=Kind.MULTIPLE,
                category="example",
                difficulty=2,
                answer=("A", "C"),
                option_keys=("A", "B", "C"),
                source="示例",
                versions={
                    "zh": version(
                        "下列哪些属于人体必需的营养素？",
                        {"A": "蛋白质", "B": "塑料", "C": "维生素"},
                        None,
                    )
                },
            ),
            Question(
                id="ex-003",
                kind=Kind.TRUEFALSE,
                category="example",
                difficulty=1,
                answer=("T",),
                option_keys=("T", "F"),
                source="示例",
                versions={
                    "zh": version(
                        "地球绕太阳公转一周约需一年。", dict(TRUE_FALSE_LABELS["zh"]), None
                    )
                },
            ),
        ),
    )


def xlsx_template(language: str = "zh") -> bytes:
    """A workbook to fill in: headers in ``language`` (``zh``, ``mn`` or ``en``), three
    example questions (single, multiple, true/false) to replace, and a sheet of notes."""
    return write_xlsx(_example_bank(), language, instructions=True)
