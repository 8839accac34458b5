"""Class lists: template, XLSX/CSV/GBK reading, row-and-column errors, re-import,
one-time passwords and the forced password change at first login."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.accounts.models import User
from quiz.audit.models import AuditEvent
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.schools import roster
from quiz.schools.models import SchoolStudent
from tests.banks.console_helpers import translated
from tests.factories import post_login
from tests.schools.conftest import csv_bytes, import_students


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_template_headers_in_both_languages_read_back(app, world, clock):
    for language in ("zh", "mn"):
        data = roster.template_xlsx(language)
        headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(data)).active[1]]
        assert headers == [roster.header_label(c, language) for c in roster.COLUMNS]
        sheet = openpyxl.load_workbook(io.BytesIO(data))
        sheet.active.append(["Bat", "A-17", "mn"])
        out = io.BytesIO()
        sheet.save(out)
        rows = roster.parse_roster(out.getvalue(), "list.xlsx")
        assert [(r.name, r.student_number, r.language, r.row) for r in rows] == [
            ("Bat", "A-17", "mn", 2)
        ]
    assert roster.header_label("name", "zh") == "姓名"
    assert any(0x1820 <= ord(ch) <= 0x18AA for ch in roster.header_label("student_number", "mn"))


def test_gbk_csv_with_chinese_headers_creates_accounts(app, world, clock):
    data = csv_bytes(
        [["姓名", "学号", "语言"], ["张三", "001", "中文"], ["巴特", "002", "mn"]], "gbk"
    )
    report = roster.import_roster(
        Actor.of(world.teacher), world.school_class.id, data, "list.csv", clock()
    )
    assert [c.student_name for c in report.created] == ["张三", "巴特"]
    users = {
        u.display_name: u
        for u in db.session.scalars(select(User).where(User.school_id == world.school.id))
    }
    zhang = users["张三"]
    assert zhang.must_change_password and zhang.region_code == world.school.region_code
    assert zhang.roles == {"participant"} and users["巴特"].language == "mn"
    assert zhang.username == f"s{world.school.id}-001"
    # The password is stored hashed only, and it works once the card is read.
    card = report.created[0]
    assert card.one_time_password not in zhang.password_hash
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.roster_import"))
    assert event.school_id == world.school.id and event.after["created"] == 2


def test_reimport_updates_instead_of_duplicating(app, world, clock):
    import_students(world, clock, [("Aa", "1"), ("Bb", "2")])
    report = import_students(world, clock, [("Aa", "1"), ("Bb renamed", "2"), ("Cc", "3")])
    assert [c.student_name for c in report.created] == ["Cc"]
    assert (report.updated, report.unchanged) == (1, 1)
    count = db.session.scalar(select(func.count()).select_from(SchoolStudent))
    assert count == 3
    names = set(
        db.session.scalars(select(User.display_name).where(User.school_id == world.school.id))
    )
    assert "Bb renamed" in names and "Bb" not in names


def test_bad_rows_are_named_and_nothing_is_stored(app, world, clock):
    data = _xlsx(
        [
            ["Name", "Student number", "Language"],
            ["Aa", "1", "zh"],
            ["", "2", "zh"],
            ["Cc", "1", "fr"],
        ]
    )
    with pytest.raises(roster.RosterInvalid) as caught:
        roster.import_roster(
            Actor.of(world.teacher), world.school_class.id, data, "list.xlsx", clock()
        )
    lines = [roster.describe(p, "zh") for p in caught.value.problems]
    assert lines[0] == "第 3 行，姓名 列：缺少姓名。"
    assert lines[1].startswith("第 4 行，学号 列：") and "2" in lines[1]
    assert lines[2] == "第 4 行，语言 列：请填写 zh 或 mn（中文或蒙古文）。"
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "name"),
        (4, "student_number"),
        (4, "language"),
    ]
    assert db.session.scalar(select(func.count()).select_from(SchoolStudent)) == 0


def test_missing_column_and_unreadable_file(app, world, clock):
    with pytest.raises(roster.RosterInvalid) as caught:
        roster.parse_roster(csv_bytes([["Name"], ["Aa"]]), "x.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "student_number")]
    with pytest.raises(roster.RosterInvalid):
        roster.parse_roster(b"PK\x03\x04broken", "x.xlsx")
    with pytest.raises(roster.RosterInvalid):
        roster.parse_roster(b"", "x.csv")


def test_upload_page_shows_row_errors_in_mongolian(app, client, world, clock):
    post_login(client, world.teacher.username)
    client.post("/language/mn", data={})
    data = csv_bytes([["Name", "Student number"], ["Aa", ""]])
    response = client.post(
        f"/classes/{world.school_class.id}/roster",
        data={"file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    from flask_babel import force_locale

    with force_locale("mn_Mong_CN"):
        expected = roster.describe(
            roster.RowProblem(2, "student_number", roster._l("The student number is missing.")),
            "mn",
        )
    assert expected.startswith(roster.header_label("student_number", "mn")) is False
    assert expected in html and "2" in expected


def test_import_page_shows_cards_once_then_forced_password_change(app, client, world, clock):
    post_login(client, world.teacher.username)
    data = csv_bytes([["Name", "Student number"], ["Aa", "7"]])
    response = client.post(
        f"/classes/{world.school_class.id}/roster",
        data={"file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    username = f"s{world.school.id}-7"
    assert username in html
    import re

    password = re.search(r"<code>([a-z2-9]{10})</code>", html).group(1)
    # The class page afterwards does not show it again.
    assert password not in client.get(f"/classes/{world.school_class.id}").get_data(as_text=True)
    student = app.test_client()
    assert post_login(student, username, password).status_code == 302
    blocked = student.get("/")
    assert blocked.status_code == 302 and blocked.location.endswith("/account/password")
    api = student.get("/api/v1/me")
    assert api.status_code == 403 and api.json["error"]["code"] == "password_change_required"
    token = app.test_client().post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert token.status_code == 403
    changed = student.post(
        "/account/password",
        data={
            "current_password": password,
            "new_password": "my-own-pass-77",
            "confirm_password": "my-own-pass-77",
        },
    )
    assert changed.status_code == 302
    assert student.get("/").status_code == 200
    assert (
        db.session.scalar(select(User.must_change_password).where(User.username_key == username))
        is False
    )


def test_login_cards_as_pdf_right_after_import_and_reset(app, client, world, clock):
    post_login(client, world.teacher.username)
    data = csv_bytes(
        [["Name", "Student number", "Language"], ["Aa", "1", "zh"], ["Bat", "2", "mn"]]
    )
    response = client.post(
        f"/classes/{world.school_class.id}/roster",
        data={"file": (io.BytesIO(data), "list.csv"), "pdf": "y"},
        content_type="multipart/form-data",
    )
    # A page, not the bare PDF: a download would leave the browser on the class page as
    # it was before the import ("no student yet"). The PDF is a link on it.
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert pdf_of(html).startswith(b"%PDF")
    assert "Aa" in html and "Bat" in html
    assert translated("zh", "No student yet: import the class list.") not in html
    back = client.get(f"/classes/{world.school_class.id}").get_data(as_text=True)
    assert translated("zh", "No student yet: import the class list.") not in back
    reset = client.post(f"/classes/{world.school_class.id}/passwords", data={"pdf": "y"})
    assert pdf_of(reset.get_data(as_text=True)).startswith(b"%PDF")
    page = client.post(f"/classes/{world.school_class.id}/passwords", data={})
    assert page.mimetype == "text/html" and page.get_data(as_text=True).count("login-card") >= 2


def test_names_typed_with_menksoft_become_unicode_mongolian(app, world, clock):
    """Issue 12 item 6: a class list typed with the Menksoft input method."""
    from tests.question_bank.test_menksoft import WORDS

    menksoft, unicode = WORDS["mongol"]
    data = _xlsx([["姓名", "学号", "语言"], [f"{menksoft} ᠪᠠᠲᠤ", "003", "mn"]])
    [row] = roster.parse_roster(data, "list.xlsx")
    assert row.name == f"{unicode} ᠪᠠᠲᠤ"


def pdf_of(html: str) -> bytes:
    """The login cards PDF behind the page's download link."""
    found = re.search(r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)" download="', html)
    assert found, "no PDF download link"
    return base64.b64decode(found.group(1))


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_csv_template_beside_the_xlsx_ones_reads_back(client, world, language):
    world.teacher.language = language  # the account's language picks the pages'
    db.session.commit()
    post_login(client, world.teacher.username)
    for page in ("/schools", f"/classes/{world.school_class.id}"):
        html = client.get(page).get_data(as_text=True)
        assert f'href="/schools/roster-template/{language}.csv"' in html, page
        assert 'href="/schools/roster-template/zh.xlsx"' in html, page
    response = client.get(f"/schools/roster-template/{language}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="class-list-{language}.csv"' in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    assert data.decode("utf-8-sig").rstrip("\r\n").split(",") == [
        roster.header_label(c, language) for c in roster.COLUMNS
    ]
    rows = roster.parse_roster(data + b"Bat,A-17,mn\r\n", "list.csv")
    assert [(r.name, r.student_number, r.language) for r in rows] == [("Bat", "A-17", "mn")]
    assert client.get("/schools/roster-template/zh.pdf").status_code == 404


def test_bank_list_offers_csv_and_word_templates_beside_xlsx(client, make):
    from quiz.accounts.models import Role

    organizer = make.user("org", roles=(Role.ORGANIZER,))
    post_login(client, organizer.username)
    html = client.get("/console/banks").get_data(as_text=True)
    for link in (
        "/template/zh",
        "/template/mn",
        "/template/zh?format=csv",
        "/template/zh?format=docx",
    ):
        assert f'href="/console/banks{link}"' in html, link
