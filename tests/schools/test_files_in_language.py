"""Generated school files speak their reader's language (issue 14): sheet names, download
names, login cards (HTML and PDF) in the student's own language, dates in the contests'
time zone. Nothing English, nothing Chinese on a Mongolian pupil's card."""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from quiz.extensions import db
from tests.factories import post_login
from tests.schools.conftest import csv_bytes

LOCALE = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}
MONGOLIAN = re.compile(r"[\u1820-\u18af]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def in_(language: str, msgid: str) -> str:
    with force_locale(LOCALE[language]):
        return gettext(msgid)


def saved_name(response) -> str:
    """The name a browser saves the download under (RFC 5987 ``filename*``)."""
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def no_english(text: str) -> bool:
    stem = text.split(".", 1)[0]
    return not re.search("[A-Za-z]", stem)


def _import(client, world, rows, pdf=False):
    data = csv_bytes(
        [[in_("zh", "Name"), in_("zh", "Student number"), in_("zh", "Language")], *rows]
    )
    return client.post(
        f"/classes/{world.school_class.id}/roster",
        data={"file": (io.BytesIO(data), "list.csv"), **({"pdf": "y"} if pdf else {})},
    )


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_exports_and_templates_are_named_and_sheeted_in_the_readers_language(
    client, world, language
):
    world.teacher.language = language
    db.session.commit()
    post_login(client, world.teacher.username)
    _import(client, world, [["巴特尔", "1", in_("zh", "Mongolian")], ["王芳", "2", ""]])
    for path in (
        f"/schools/{world.school.id}/export.xlsx",
        f"/classes/{world.school_class.id}/export.xlsx",
        f"/schools/roster-template/{language}.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        name = saved_name(response)
        assert no_english(name), (path, name)
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        for sheet in book.sheetnames:
            assert not re.search("[A-Za-z]", sheet), (path, sheet)
            script = MONGOLIAN if language == "mn" else CHINESE
            assert script.search(sheet), (path, sheet)
    students = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/schools/{world.school.id}/export.xlsx").data)
    ).worksheets[0]
    rows = list(students.iter_rows(values_only=True))
    # Languages by name, the account's creation in the contests' zone, never ISO or UTC.
    assert {row[6] for row in rows[1:]} == {"中文", "ᠮᠣᠩᠭᠣᠯ"}
    assert "UTC" not in " ".join(str(c) for c in rows[0])
    assert all("T" not in str(row[7]) and not str(row[7]).startswith("2026-") for row in rows[1:])


def test_a_mongolian_pupils_login_card_is_all_mongolian(client, world):
    post_login(client, world.teacher.username)  # the teacher reads Chinese
    page = _import(client, world, [["巴特尔", "1", in_("zh", "Mongolian")], ["王芳", "2", ""]])
    html = page.get_data(as_text=True)
    cards = re.findall(
        r'<section class="card login-card" lang="([^"]+)">(.*?)</section>', html, re.S
    )
    assert len(cards) == 2
    by_lang = {lang: body for lang, body in cards}
    mongolian, chinese = by_lang["mn-Mong-CN"], by_lang["zh-Hans-CN"]
    for msgid in ("Username", "One-time password", "Log in at"):
        assert in_("mn", msgid) in mongolian and in_("zh", msgid) not in mongolian
        assert in_("zh", msgid) in chinese
    # The PDF cards: each label in its student's language, the name of the download too.
    # (the cards page carries the PDF as a download link, so the browser leaves the form)
    reset = client.post(f"/classes/{world.school_class.id}/passwords", data={"pdf": "y"})
    found = re.search(
        r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)" download="([^"]+)"',
        reset.get_data(as_text=True),
    )
    assert found, "no PDF download link"
    name = found.group(2)
    assert no_english(name) and name.endswith(".pdf")
    pdf = base64.b64decode(found.group(1))
    text = "".join(p.extract_text().replace("\x00", "") for p in PdfReader(io.BytesIO(pdf)).pages)
    assert in_("zh", "Username") in text  # 王芳's card
    assert text.count(in_("zh", "One-time password")) == 1  # only on 王芳's card
