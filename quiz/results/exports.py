"""CSV and XLSX tables for organizers, safe to open in Excel or WPS.

A participant chooses their own display name, so a name like ``=HYPERLINK("http://…")``
must never become a formula on an organizer's computer (spreadsheet formula injection):

- CSV: a text cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading
  apostrophe (OWASP's advice); numbers stay numbers.
- XLSX: every text cell is written as an inline string (``t="inlineStr"``), never as a
  formula, so the text is kept exactly and never evaluated.

CSV is UTF-8 with a byte-order mark: Excel on Windows otherwise reads it as the local
code page (GBK on Chinese Windows) and garbles Chinese and Mongolian.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from quiz.downloads import sheet_title as excel_sheet_title

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralize(value: Any) -> Any:
    """A CSV cell value that no spreadsheet will run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as UTF-8 CSV with a BOM, every text cell neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralize(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as an XLSX workbook (write-only: rows are streamed, not held)."""
    book = Workbook(write_only=True)
    # Sheet titles may not hold []:*?/\ and at most 31 characters.
    sheet = book.create_sheet(excel_sheet_title(sheet_title))
    sheet.append([_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would say "f")
        return cell
    return value
