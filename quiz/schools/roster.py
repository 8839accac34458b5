"""Class lists: the downloadable template, reading an uploaded list, importing it.

A class list has one row per student: name, student number and (optionally) language.
Headers may be written in Chinese, Mongolian or English: they are the catalog
translations of the msgids ``Name``, ``Student number`` and ``Language``, so the
template and the reader can never disagree. Files: XLSX (read by openpyxl, read-only,
values not formulas, XML through defusedxml; the zip is checked for size first by the
question-bank reader's ``check_zip``) or CSV in UTF-8, UTF-16 or GBK/GB18030 (the bank
reader's ``decode_spreadsheet_text`` and ``rows_of``).

The import is all or nothing: every problem is reported with its row and column, in the
user's language, and nothing is stored until the whole list is right. Re-importing the
same list updates the students (matched by school and student number) instead of
creating them twice.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from question_bank.formats import spreadsheet
from question_bank.formats.base import Failed, ReadOptions, decode_spreadsheet_text
from question_bank.formats.csv import rows_of
from question_bank.formats.spreadsheet import Sheet
from question_bank.formats.tabular import cell_text
from question_bank.formats.xlsx import check_zip
from question_bank.menksoft import to_unicode
from question_bank.text import fold_key
from quiz.accounts.models import Role, User, UserRole
from quiz.accounts.services import DISPLAY_NAME_MAX, hash_password, username_key
from quiz.audit.services import record
from quiz.edge.client import Actor
from quiz.errors import Conflict, QuizError
from quiz.extensions import db
from quiz.i18n import LANGUAGE_NAMES, LOCALES
from quiz.names import name_problems
from quiz.schools.models import SchoolStudent
from quiz.schools.services import Card, card_for, get_class, one_time_password, username_for

MAX_STUDENTS = 100  # one class; each new account costs one scrypt hash (~0.1 s)
NUMBER_MAX = 32
COLUMNS = ("name", "student_number", "language")
REQUIRED = ("name", "student_number")
_HEADER_MSGIDS = {"name": "Name", "student_number": "Student number", "language": "Language"}
# Marked for extraction here; translated where used (the locale varies per call).
_MARKED = (_l("Name"), _l("Student number"), _l("Language"), _l("Chinese"), _l("Mongolian"))


def header_label(column: str, language: str) -> str:
    with force_locale(LOCALES[language]):
        return _(_HEADER_MSGIDS[column])


def _accepted_headers() -> dict[str, str]:
    """Folded header text -> column, for English and both catalogs."""
    accepted = {fold_key(msgid): column for column, msgid in _HEADER_MSGIDS.items()}
    for language in LOCALES:
        for column in COLUMNS:
            accepted[fold_key(header_label(column, language))] = column
    return accepted


def _accepted_languages() -> dict[str, str]:
    accepted = {"zh": "zh", "mn": "mn", "chinese": "zh", "mongolian": "mn"}
    for code, name in LANGUAGE_NAMES.items():
        accepted[fold_key(name)] = code
    for language in LOCALES:
        with force_locale(LOCALES[language]):
            accepted[fold_key(_("Chinese"))] = "zh"
            accepted[fold_key(_("Mongolian"))] = "mn"
    return accepted


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    student_number: str
    language: str | None


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    column: str | None  # a key of COLUMNS, shown as its header in the reader's language
    message: Any  # lazily translated


class RosterInvalid(QuizError):
    """The list has problems; ``problems`` names each one's row and column."""

    status = 422
    code = "roster_invalid"

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(_l("The class list has problems; nothing was imported."))
        self.problems = problems


def _problem(row: int | None, column: str | None, message: Any) -> RosterInvalid:
    return RosterInvalid([RowProblem(row, column, message)])


# -- reading -------------------------------------------------------------------------

Table = list[tuple[int, list[str]]]  # (row number, cell texts)


def _xlsx_table(data: bytes) -> Table:
    import openpyxl

    try:
        check_zip(data, ReadOptions())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _problem(
            None, None, _l("The file could not be read. Upload an XLSX or CSV file.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        table: Table = []
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=20), start=1):
            cells = [cell_text(v).strip() for v in values]
            if any(cells):
                table.append((number, cells))
            if len(table) > MAX_STUDENTS + 1:
                break
        return table
    finally:
        workbook.close()


def _csv_table(data: bytes) -> Table:
    try:
        text, _encoding = decode_spreadsheet_text(data)
        rows = rows_of(text)
    except (Failed, csv.Error) as exc:
        raise _problem(
            None, None, _l("The file could not be read. Upload an XLSX or CSV file.")
        ) from exc
    return [(cells[0][1], [str(value).strip() for value, _line in cells]) for cells in rows]


def read_table(data: bytes, filename: str) -> Table:
    if not data:
        raise _problem(None, None, _l("The file is empty."))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _xlsx_table(data)
    return _csv_table(data)


def parse_roster(data: bytes, filename: str) -> list[RosterRow]:
    """The students of a class list, or ``RosterInvalid`` naming every bad row."""
    table = read_table(data, filename)
    if not table:
        raise _problem(None, None, _l("The file is empty."))
    header_row, headers = table[0]
    accepted = _accepted_headers()
    positions: dict[str, int] = {}
    for index, text in enumerate(headers):
        column = accepted.get(fold_key(text))
        if column is not None and column not in positions:
            positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise RosterInvalid(
            [
                RowProblem(header_row, c, _l("This column is missing from the first row."))
                for c in missing
            ]
        )
    body = table[1:]
    if not body:
        raise _problem(None, None, _l("The file lists no students."))
    if len(body) > MAX_STUDENTS:
        raise _problem(
            None, None, _l("A class list may have at most %(n)d students.", n=MAX_STUDENTS)
        )
    languages = _accepted_languages()
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    students: list[RosterRow] = []

    def cell(cells: list[str], column: str) -> str:
        index = positions.get(column)
        value = cells[index] if index is not None and index < len(cells) else ""
        # Names typed with the Menksoft input method become Unicode Mongolian.
        return unicodedata.normalize("NFC", to_unicode(value)).strip()

    for number, cells in body:
        name, student_number = cell(cells, "name"), cell(cells, "student_number")
        language_text = cell(cells, "language")
        if not name:
            problems.append(RowProblem(number, "name", _l("The name is missing.")))
        elif len(name) > DISPLAY_NAME_MAX:
            problems.append(
                RowProblem(
                    number,
                    "name",
                    _l("The name may have at most %(n)d characters.", n=DISPLAY_NAME_MAX),
                )
            )
        elif bad_name := name_problems(name):
            problems.append(RowProblem(number, "name", bad_name[0]))
        if not student_number:
            problems.append(
                RowProblem(number, "student_number", _l("The student number is missing."))
            )
        elif len(student_number) > NUMBER_MAX:
            problems.append(
                RowProblem(
                    number,
                    "student_number",
                    _l("The student number may have at most %(n)d characters.", n=NUMBER_MAX),
                )
            )
        elif fold_key(student_number) in seen:
            problems.append(
                RowProblem(
                    number,
                    "student_number",
                    _l(
                        "This student number is already in row %(row)d.",
                        row=seen[fold_key(student_number)],
                    ),
                )
            )
        else:
            seen[fold_key(student_number)] = number
        language = None
        if language_text:
            language = languages.get(fold_key(language_text))
            if language is None:
                problems.append(
                    RowProblem(number, "language", _l("Write zh or mn (Chinese or Mongolian)."))
                )
        students.append(RosterRow(number, name, student_number, language))
    if problems:
        raise RosterInvalid(problems)
    return students


def describe(problem: RowProblem, language: str) -> str:
    """One problem as a line for the page: row, column (its header), message."""
    message = str(problem.message)
    column = header_label(problem.column, language) if problem.column else None
    if problem.row is not None and column:
        return _(
            "Row %(row)d, column %(column)s: %(message)s",
            row=problem.row,
            column=column,
            message=message,
        )
    if problem.row is not None:
        return _("Row %(row)d: %(message)s", row=problem.row, message=message)
    return message


# -- the template ----------------------------------------------------------------------


def template_xlsx(language: str) -> bytes:
    """An empty class list with the headers in ``language`` (one header row)."""
    header = [header_label(column, language) for column in COLUMNS]
    with force_locale(LOCALES[language]):
        title = _("Class list")
    return spreadsheet.workbook([Sheet(title, header, [], widths=(24, 18, 12))])


def template_csv(language: str) -> bytes:
    """The same class list as CSV: UTF-8 with a byte-order mark, so Excel on Chinese
    Windows opens the Chinese or Mongolian headers as text, not as mojibake."""
    return spreadsheet.csv_table([header_label(column, language) for column in COLUMNS], [])


# -- importing -------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[Card] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0


def import_roster(
    actor: Actor, class_id: int, data: bytes, filename: str, now: datetime
) -> ImportReport:
    """Create or update the students of a class list in one transaction.

    New students get an account (participant; the school's county as region; the
    school set) with a generated username and a one-time password, returned once on
    the report's cards and stored only hashed; they must change it at first login.
    Students already known by their student number are updated (name, language, class)
    and keep their password.
    """
    school, school_class = get_class(actor.user, class_id, manage=True)
    rows = parse_roster(data, filename)
    report = ImportReport()
    existing = {
        fold_key(s.student_number): (s, u)
        for s, u in db.session.execute(
            select(SchoolStudent, User)
            .join(User, User.id == SchoolStudent.user_id)
            .where(SchoolStudent.school_id == school.id)
        )
    }
    taken: set[str] = set()
    for row in rows:
        found = existing.get(fold_key(row.student_number))
        if found is not None:
            student, user = found
            language = row.language or user.language
            if (user.display_name, user.language, student.class_id) == (
                row.name,
                language,
                school_class.id,
            ):
                report.unchanged += 1
                continue
            user.display_name, user.language = row.name, language
            student.class_id = school_class.id
            report.updated += 1
            continue
        password = one_time_password()
        username = username_for(school.id, row.student_number, taken)
        user = User(
            username=username,
            username_key=username_key(username),
            password_hash=hash_password(password),
            display_name=row.name,
            region_code=school.region_code,
            school_id=school.id,
            language=row.language or "zh",
            created_at=now,
            must_change_password=True,
        )
        user.role_rows = [UserRole(role=str(Role.PARTICIPANT))]
        db.session.add(user)
        db.session.flush()
        db.session.add(
            SchoolStudent(
                user_id=user.id,
                school_id=school.id,
                class_id=school_class.id,
                student_number=row.student_number,
                created_at=now,
            )
        )
        report.created.append(card_for(user, school, school_class, password))
    record(
        actor,
        action="school.roster_import",
        object_type="school_class",
        object_id=school_class.id,
        school_id=school.id,
        now=now,
        after={
            "created": len(report.created),
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    try:
        db.session.flush()
    except IntegrityError as exc:  # another import of the same numbers won the race
        raise Conflict(
            _l("Another import changed this school's students meanwhile. Try again."),
            code="roster_conflict",
        ) from exc
    return report
