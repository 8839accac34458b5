"""The formats by name: how to read each, how to write those that can be written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from question_bank import messages as m
from question_bank.formats.aiken import read_aiken
from question_bank.formats.archive import read_zip
from question_bank.formats.base import ImportResult, ReadOptions
from question_bank.formats.csv import read_csv
from question_bank.formats.detect import detect_format
from question_bank.formats.gift import read_gift, write_gift
from question_bank.formats.moodle_xml import read_moodle_xml, write_moodle_xml
from question_bank.formats.numbered import read_docx, read_text
from question_bank.formats.xlsx import read_xls, read_xlsx, write_xlsx
from question_bank.formats.yaml import dump_bank, read_yaml
from question_bank.model import Bank
from question_bank.text import human_size


def _write_yaml(bank: Bank, **_: Any) -> bytes:
    return dump_bank(bank).encode("utf-8")


def _write_xlsx(bank: Bank, *, header_language: str = "zh", **_: Any) -> bytes:
    return write_xlsx(bank, header_language)


def _write_gift(bank: Bank, *, language: str = "zh", **_: Any) -> bytes:
    return write_gift(bank, language)


def _write_moodle_xml(bank: Bank, *, language: str = "zh", **_: Any) -> bytes:
    return write_moodle_xml(bank, language)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    suffix: str
    media_type: str
    read: Callable[[bytes, str, ReadOptions], ImportResult]
    write: Callable[..., bytes] | None = None
    languages: str = "all"  # "all", or "one" for formats that carry one language


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("yaml", "YAML (quiz-bank/1)", ".yaml", "application/yaml", read_yaml, _write_yaml),
        Format(
            "xlsx",
            "Excel workbook",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            read_xlsx,
            _write_xlsx,
        ),
        Format(
            "xls",
            "Excel 97-2003 workbook",
            ".xls",
            "application/vnd.ms-excel",
            read_xls,
        ),
        Format("csv", "CSV", ".csv", "text/csv", read_csv),
        Format(
            "docx",
            "Word document",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            read_docx,
        ),
        Format("text", "Numbered text", ".txt", "text/plain", read_text),
        Format("zip", "Spreadsheet and pictures (.zip)", ".zip", "application/zip", read_zip),
        Format("gift", "Moodle GIFT", ".gift.txt", "text/plain", read_gift, _write_gift, "one"),
        Format(
            "moodle-xml",
            "Moodle XML",
            ".xml",
            "application/xml",
            read_moodle_xml,
            _write_moodle_xml,
            "one",
        ),
        Format("aiken", "Aiken", ".aiken.txt", "text/plain", read_aiken, languages="one"),
    )
}
IMPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)
EXPORT_FORMATS: tuple[str, ...] = tuple(name for name, f in FORMATS.items() if f.write)


def read_bank(
    data: bytes,
    filename: str = "upload",
    fmt: str = "auto",
    options: ReadOptions | None = None,
    **settings: Any,
) -> ImportResult:
    """Read a bank from bytes in any format (``auto``: detected). Never raises for what
    is wrong with the file: the result lists the problems (and has no bank then).

    ``filename`` is only shown in messages and used as the default source; it is never
    opened. ``settings`` are ``ReadOptions`` fields (``category=``, ``language=``, ...).
    """
    options = options or ReadOptions(**settings)
    failed = ImportResult(format=fmt, filename=filename)
    if len(data) > options.max_bytes:
        failed.problems.append(
            m_problem(
                filename,
                m.FILE_TOO_LARGE,
                size=human_size(len(data)),
                limit=human_size(options.max_bytes),
            )
        )
        return failed
    if fmt == "auto":
        detected = detect_format(data, filename)
        if detected is None:
            failed.problems.append(
                m_problem(filename, m.UNKNOWN_FORMAT, allowed=", ".join(FORMATS))
            )
            return failed
        fmt = detected
    if fmt not in FORMATS:
        failed.problems.append(
            m_problem(filename, m.UNSUPPORTED_FORMAT, value=fmt, allowed=", ".join(FORMATS))
        )
        return failed
    if not data.strip():
        failed.format = fmt
        failed.problems.append(m_problem(filename, m.FILE_EMPTY))
        return failed
    return FORMATS[fmt].read(data, filename, options)


def m_problem(filename: str, message: str, **params: Any) -> Any:
    from question_bank.errors import Problem

    return Problem(filename, None, message, params)


def write_bank(bank: Bank, fmt: str, *, language: str = "zh", header_language: str = "zh") -> bytes:
    """The bank in ``fmt`` (yaml, xlsx, gift, moodle-xml). ``language``: the language GIFT
    and Moodle XML write (a question without it: its first language); ``header_language``:
    of the XLSX headers."""
    found = FORMATS.get(fmt)
    if found is None or found.write is None:
        raise ValueError(f"cannot export to {fmt}: use one of {', '.join(EXPORT_FORMATS)}")
    return found.write(bank, language=language, header_language=header_language)
