"""Question banks in and out of other file formats: CSV, XLSX, GIFT, Moodle XML, Aiken.

``read_bank(data, filename, fmt)`` reads bytes (the name is only displayed) into an
``ImportResult``: the bank, or every problem with its line (``Sheet!C5`` in a workbook),
plus warnings and the questions of kinds the platform does not run, each named.
``write_bank(bank, fmt)`` writes YAML, XLSX, GIFT or Moodle XML; ``xlsx_template`` gives
a workbook to fill in. Plain library: no Flask, no SQLAlchemy.
"""

from question_bank.formats.base import (
    DEFAULT_CATEGORY_ID,
    DEFAULT_DIFFICULTY,
    MAX_FILE_BYTES,
    MAX_XLSX_ENTRIES,
    MAX_XLSX_UNCOMPRESSED,
    ImportResult,
    Location,
    Note,
    ReadOptions,
)
from question_bank.formats.detect import detect_format
from question_bank.formats.drafts import (
    drop_duplicates,
    duplicate_key,
    generated_id,
    question_keys,
    slug_for,
)
from question_bank.formats.registry import (
    EXPORT_FORMATS,
    FORMATS,
    IMPORT_FORMATS,
    Format,
    read_bank,
    write_bank,
)
from question_bank.formats.xlsx import xlsx_template

__all__ = [
    "DEFAULT_CATEGORY_ID",
    "DEFAULT_DIFFICULTY",
    "EXPORT_FORMATS",
    "FORMATS",
    "IMPORT_FORMATS",
    "MAX_FILE_BYTES",
    "MAX_XLSX_ENTRIES",
    "MAX_XLSX_UNCOMPRESSED",
    "Format",
    "ImportResult",
    "Location",
    "Note",
    "ReadOptions",
    "detect_format",
    "drop_duplicates",
    "duplicate_key",
    "generated_id",
    "question_keys",
    "read_bank",
    "slug_for",
    "write_bank",
    "xlsx_template",
]
