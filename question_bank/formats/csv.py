"""CSV question sheets: one row per question, the same columns as the XLSX format.

Encodings: UTF-8 with or without a BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM (Excel's
"Unicode text", tab-separated) and GBK/GB18030 (plain "CSV" from Excel on Chinese
Windows). The separator is a comma, a semicolon or a tab, whichever the header row uses
most. Problems are reported at the line where the row starts.
"""

from __future__ import annotations

import csv
import io

from question_bank import messages as m
from question_bank.formats.base import (
    MAX_ROWS,
    Collector,
    Failed,
    ImportResult,
    ReadOptions,
    decode_spreadsheet_text,
)
from question_bank.formats.drafts import Assembler, Categories
from question_bank.formats.tabular import Row, TableReader

_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def rows_of(text: str) -> list[Row]:
    """Non-empty records, each cell located at the line where its record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    rows: list[Row] = []
    start = 1
    for record in reader:
        if any(value.strip() for value in record):
            if len(rows) >= MAX_ROWS:
                raise Failed(None, m.TOO_MANY_ROWS, limit=MAX_ROWS)
            rows.append([(value, start) for value in record])
        start = reader.line_num + 1
    return rows


def read_csv(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    try:
        text, encoding = decode_spreadsheet_text(data)
    except Failed as failed:
        collector.error(failed.where, failed.message, **failed.params)
        return assembler.build("csv", [])
    try:
        rows = rows_of(text)
    except Failed as failed:
        collector.error(failed.where, failed.message, **failed.params)
        return assembler.build("csv", [], encoding=encoding)
    except csv.Error as error:
        collector.error(None, m.CSV_SYNTAX, detail=str(error))
        return assembler.build("csv", [], encoding=encoding)
    drafts = TableReader(collector, categories, options).questions(rows, 1)
    return assembler.build("csv", drafts, encoding=encoding)
