"""The one spreadsheet writer: every XLSX and CSV file the platform writes is made here.

Question bank exports and templates, class-list templates, the teacher's school and class
exports, the organizer's results and participation tables: all of them. A pupil chooses
their own display name and a teacher types student numbers, so a cell such as
``=HYPERLINK("http://…")`` or ``@SUM(…)`` must never become a formula on the computer of
whoever opens the file (spreadsheet formula injection, OWASP "CSV injection"):

- XLSX: every text cell is written as an inline string (``t="inlineStr"``), never as a
  formula (``<f>``), whatever it starts with (``=``, ``+``, ``-``, ``@``, TAB, CR, or
  their full-width forms ``＝＋－＠`` that Excel and WPS in Chinese accept as formula
  signs). The text is kept exactly: a re-import reads back what was written. Characters
  an XLSX file cannot hold (C0 controls, U+FFFE/U+FFFF, unpaired surrogates) are dropped
  rather than failing the whole export.
- CSV: a CSV file has no cell types, so a text cell starting with one of those
  characters gets a leading apostrophe (OWASP's advice); numbers stay numbers. UTF-8
  with a byte-order mark: Excel on Windows otherwise reads it as the local code page
  (GBK on Chinese Windows) and garbles Chinese and Mongolian.

openpyxl's write-only mode streams rows, so an export of 600,000 results is not held in
memory. No Flask or SQLAlchemy here (the library rule): the app passes plain rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from question_bank.formats.base import without_control_characters

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet may take as the start of a formula when the text is typed or read
# from a CSV file (full-width forms: Chinese input methods type them).
FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass
class Sheet:
    """One worksheet: a header row and data rows (any iterable; streamed)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()  # column widths in characters, from column A
    styled: bool = False  # a bold, shaded header row that stays in view when scrolling
    # Drop-down lists: (cell range, comma-separated choices), e.g. ("B2:B5000", "a,b").
    choices: Sequence[tuple[str, str]] = ()


def sheet_title(text: str) -> str:
    """A valid worksheet title: no ``[]:*?/\\``, at most 31 characters."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet1"


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell can hold it (unwritable characters dropped)."""
    return _SURROGATES.sub("", without_control_characters(value))


def workbook(sheets: Sequence[Sheet], *, active: int = 0) -> bytes:
    """The sheets as one workbook, every text cell stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        out = book.create_sheet(sheet_title(sheet.title))
        for column, width in enumerate(sheet.widths, start=1):
            out.column_dimensions[get_column_letter(column)].width = width
        for cell_range, values in sheet.choices:
            rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
            rule.add(cell_range)
            out.data_validations.append(rule)
        if sheet.styled:
            out.freeze_panes = "A2"
        header = [_cell(out, value) for value in sheet.header]
        if sheet.styled:
            for cell in header:
                cell.font, cell.fill = bold, fill
        out.append(header)
        for row in sheet.rows:
            cells = [_cell(out, value) for value in row]
            for cell, value in zip(cells, row, strict=True):
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = wrap
            out.append(cells)
    book.active = active
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return WriteOnlyCell(sheet)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=xlsx_text(value))
        cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would say "f")
        return cell
    return WriteOnlyCell(sheet, value=value)


def xlsx_table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One table as a one-sheet workbook."""
    return workbook([Sheet(title, header, rows)])


def neutralize(value: Any) -> Any:
    """A CSV cell value that no spreadsheet will run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_FIRST):
        return "'" + value
    return value


def csv_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as UTF-8 CSV with a BOM, every text cell neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralize(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
