"""Organizers' files speak their reader's language (issue 14): download names, sheet
names, languages by name and moments in the contests' time zone, in Chinese and in
Mongolian; a certificate's labels are in its participant's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader

from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.results import services
from tests.factories import log_in
from tests.results.test_results import _contest
from tests.schools.test_files_in_language import CHINESE, MONGOLIAN, in_, no_english, saved_name


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_results_participation_and_certificates_in_the_readers_language(
    make, clock, client, language
):
    organizer, contest, round_, _hohhot, _baotou = _contest(make, clock)
    round_.title_mn = "ᠠᠩᠬᠠᠨ ᠤ ᠱᠠᠲᠤ"
    organizer.language = language
    db.session.commit()
    clock.moment = datetime(2026, 9, 15, 18, 1, 20)
    services.close_round(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    log_in(client, organizer)
    script = MONGOLIAN if language == "mn" else CHINESE
    for path in (
        f"/console/rounds/{round_.id}/results.xlsx",
        f"/console/rounds/{round_.id}/results.csv",
        f"/console/contests/{contest.id}/participation.xlsx",
        f"/console/rounds/{round_.id}/certificates.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        name = saved_name(response)
        assert no_english(name) and script.search(name), (path, name)
        if path.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(response.data))
            assert all(script.search(s) and not re.search("[A-Za-z]", s) for s in book.sheetnames)
    table = list(
        csv.reader(
            io.StringIO(
                client.get(f"/console/rounds/{round_.id}/results.csv").data.decode("utf-8-sig")
            )
        )
    )
    finished, spoken = (
        table[0].index(in_(language, "Finished at")),
        table[0].index(in_(language, "Language")),
    )
    for row in table[1:]:
        assert row[spoken] == "中文"  # the language by its name, not "zh"
        # The finish in the contests' zone (UTC 08:00 is 16:00 in Shanghai), for the reader.
        expected = "2026年9月15日 16:" if language == "zh" else "2026.09.15 16:"
        assert row[finished].startswith(expected), row[finished]


def test_certificate_labels_follow_the_participant_not_the_organizer(make, clock, client):
    organizer, _contest_row, round_, _hohhot, baotou = _contest(make, clock)
    baotou[1].language = "mn"
    db.session.commit()
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    log_in(client, organizer)  # the organizer reads Chinese
    pages = [
        p.extract_text().replace("\x00", "")
        for p in PdfReader(
            io.BytesIO(client.get(f"/console/rounds/{round_.id}/certificates.pdf?top=3").data)
        ).pages
    ]
    chinese_labels = [in_("zh", m) for m in ("Awarded to", "Certificate of Achievement")]
    chinese_pages = [p for p in pages if all(label in p for label in chinese_labels)]
    assert len(chinese_pages) == len(pages) - 1  # everyone else: Chinese labels
    # The Mongolian participant's page carries no Chinese label.
    mongolian = next(p for p in pages if p not in chinese_pages)
    assert not any(label in mongolian for label in chinese_labels)
    assert MONGOLIAN.search(mongolian)


def test_upload_limit_and_bank_filters_read_as_people_read(make, client):
    from quiz.accounts.models import Role
    from quiz.banks.models import BankCategory

    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    for category in db.session.scalars(
        db.select(BankCategory).where(BankCategory.bank_id == bank.id)
    ):
        category.name_zh = {"life-health": "生命健康", "safety-emergency": "安全应急"}[
            category.slug
        ]
    db.session.commit()
    log_in(client, organizer)
    upload = client.get("/console/banks/import").get_data(as_text=True)
    assert "8 MB" in upload and "8388608" not in upload and "字节" not in upload
    listing = client.get(f"/console/banks/{bank.id}").get_data(as_text=True)
    assert "生命健康" in listing and "安全应急" in listing
    assert ">life-health<" not in listing and "(life-health)" not in listing
