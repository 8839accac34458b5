"""A .zip upload: one spreadsheet (or Word document) plus the pictures it names.

The spreadsheet's picture column (``图片``, ``图片URL``, ``picture``) names files of the
archive (``circuit.png``, or a path inside it; compared without case). The archive is
checked like a workbook before anything is unpacked (entry count, unpacked size), and
each picture is checked by its bytes (PNG, JPEG, GIF, WebP, at most 2 MB).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from question_bank import messages as m
from question_bank.formats.base import Collector, Failed, ImportResult, ReadOptions
from question_bank.formats.drafts import Assembler, Categories

_BOOKS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".docx": "docx"}


def read_zip(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    from question_bank.formats.registry import FORMATS
    from question_bank.formats.xlsx import check_zip

    try:
        check_zip(data, options)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = [info for info in archive.infolist() if not info.is_dir()]
            books = [
                info
                for info in files
                if "." + info.filename.rsplit(".", 1)[-1].lower() in _BOOKS
                and not info.filename.rsplit("/", 1)[-1].startswith(("~$", "."))
                and not info.filename.startswith("__MACOSX/")
            ]
            if not books:
                raise Failed(None, m.ZIP_NO_SHEET)
            book = books[0]
            pictures = {
                info.filename.rsplit("/", 1)[-1]: archive.read(info)
                for info in files
                if info is not book and not info.filename.startswith("__MACOSX/")
            }
            inner = archive.read(book)
    except Failed as failed:
        collector = Collector(filename)
        collector.error(failed.where, failed.message, **failed.params)
        return Assembler(collector, Categories(), options).build("zip", [])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        collector = Collector(filename)
        collector.error(None, m.XLSX_DAMAGED, detail=str(error) or type(error).__name__)
        return Assembler(collector, Categories(), options).build("zip", [])
    fmt = _BOOKS["." + book.filename.rsplit(".", 1)[-1].lower()]
    inner_name = f"{filename}/{book.filename}"
    result = FORMATS[fmt].read(inner, inner_name, replace(options, pictures=pictures))
    result.format = "zip"
    return result
