"""The Mongolian review sheet: every Mongolian string out to XLSX with its Chinese and
English, the reviewed sheet back (conflicts named, bad sheets refused with file and row),
the machine-drafted mark removed per reviewed entry, counts on the admin page (admins
only, CSRF on the upload)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from openpyxl import load_workbook
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.admin import translation_review as review
from quiz.audit.models import AuditEvent
from quiz.edge.client import CLI
from quiz.extensions import db
from quiz.regions.models import Region
from tests.factories import PASSWORD

MSGID = "Only this contest's organizers may do this."


@pytest.fixture
def sources(tmp_path: Path) -> review.Sources:
    """Copies of the catalogs and the bundled bank: the tests write to these."""
    real = review.Sources()
    copy = review.Sources(
        catalog_mn=tmp_path / "mn.po", catalog_zh=tmp_path / "zh.po", bank=tmp_path / "bank.yaml"
    )
    shutil.copy(real.catalog_mn, copy.catalog_mn)
    shutil.copy(real.catalog_zh, copy.catalog_zh)
    shutil.copy(real.bank, copy.bank)
    return copy


@pytest.fixture
def config_overrides(sources):
    return {"QUIZ_REVIEW_SOURCES": sources}


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _rows(sheet) -> dict[str, dict[str, object]]:
    header = [c.value for c in sheet[1]]
    return {
        row[0].value: {h: c for h, c in zip(header, row, strict=True)}
        for row in sheet.iter_rows(min_row=2)
    }


def _save(sheet) -> bytes:
    out = io.BytesIO()
    sheet.parent.save(out)
    return out.getvalue()


def _import(data: bytes, sources, skip: bool = False, clock=None):
    from quiz.clock import now

    return review.import_review(
        data, "review.xlsx", sources, skip_conflicts=skip, actor=CLI, now=now()
    )


def test_export_has_every_mongolian_string_with_chinese_and_english(app, sources):
    sheet = _sheet(review.export_review(sources))
    assert [c.value for c in sheet[1]] == list(review.HEADERS)
    rows = _rows(sheet)
    catalog = [m for m in read_po(io.BytesIO(sources.catalog_mn.read_bytes())) if m.id]
    assert sum(k.startswith("catalog:") for k in rows) == len(catalog)
    entry = rows[f"catalog:{MSGID}"]
    assert entry["中文"].value == "只有本竞赛的组织者可以执行此操作。"
    assert entry["status"].value == "machine-drafted"
    assert re.search("[\u1820-\u1878]", entry["Mongolian (as exported)"].value)
    # the bundled bank: title, categories, and every field of a question's Mongolian block
    assert rows["bank:science-literacy:title"]["中文"].value == "公民科学素质题库（入门）"
    assert "bank:science-literacy:question:lh-005:option:A" in rows
    assert rows["bank:science-literacy:question:lh-005:explanation"]["中文"].value.startswith(
        "长期吃盐过多"
    )
    # the regions as stored
    assert rows["region:150100"]["中文"].value == "呼和浩特市"
    assert "English Wikipedia" in rows["region:150100"]["note"].value  # the named source
    # the checker's word for the reviewer: a probable spelling to look at
    assert "mixed-harmony (review)" in rows["region:150500"]["checker"].value
    assert review.checker_notes("ᠰᠠᠨᠭ").startswith("ng-split (certain)")
    counts = review.counts(sources)
    assert counts["catalog"]["drafted"] == len(catalog) and counts["catalog"]["reviewed"] == 0
    assert set(counts) == {"catalog", "bank", "region"}


def test_reviewed_rows_are_written_back_and_lose_the_draft_mark(app, sources, restore_regions):
    sheet = _sheet(review.export_review(sources))
    rows = _rows(sheet)
    rows[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"
    corrected = "ᠡᠨᠡ ᠲᠡᠮᠴᠡᠭᠡᠨ ᠦ ᠵᠣᠬᠢᠶᠠᠨ ᠪᠠᠶᠢᠭᠤᠯᠤᠭᠴᠢ ᠯ ᠡᠭᠦᠨᠢ ᠬᠢᠵᠦ ᠪᠣᠯᠤᠨ᠎ᠠ"
    rows[f"catalog:{MSGID}"]["Mongolian (corrected)"].value = corrected
    # every row of one bank question, one option corrected
    question = "bank:science-literacy:question:lh-005"
    for key, row in rows.items():
        if key.startswith(question + ":"):
            row["reviewed (yes/no)"].value = "是"
    rows[f"{question}:option:A"]["Mongolian (corrected)"].value = "5 ᠭᠷᠠᠮ ᠴᠢ"
    # only some rows of another question: its mark stays
    rows["bank:science-literacy:question:lh-006:text"]["reviewed (yes/no)"].value = "yes"
    # a reviewed region: "no" takes the mark away
    rows["region:150100"]["reviewed (yes/no)"].value = "no"
    rows["region:150100"]["Mongolian (corrected)"].value = "ᠬᠥᠬᠡᠬᠣᠲᠠ ᠬᠣᠲᠠ"

    report = _import(_save(sheet), sources)
    db.session.commit()
    assert (report.errors, report.conflicts, report.applied) == ([], [], True)
    lh005 = [k for k in rows if k.startswith(question + ":")]
    assert report.reviewed == 1 + len(lh005) == 7  # the catalog entry, lh-005's rows

    message = read_po(io.BytesIO(sources.catalog_mn.read_bytes()))[MSGID]
    assert message.string == corrected
    assert review.DRAFT_COMMENT not in message.user_comments
    assert sources.catalog_mn.with_suffix(".mo").exists()
    others = [
        m for m in read_po(io.BytesIO(sources.catalog_mn.read_bytes())) if m.id and m.id != MSGID
    ]
    assert all(review.DRAFT_COMMENT in m.user_comments for m in others)

    bank = {q["id"]: q for q in yaml.safe_load(sources.bank.read_text("utf-8"))["questions"]}
    assert bank["lh-005"]["mn"]["reviewed"] is True
    assert bank["lh-005"]["mn"]["options"]["A"] == "5 ᠭᠷᠠᠮ ᠴᠢ"
    assert bank["lh-006"]["mn"]["reviewed"] is False
    assert sources.bank.read_text("utf-8").startswith("# Starter bank")  # comments kept

    region = db.session.get(Region, "150100")
    assert region.name_mn == "ᠬᠥᠬᠡᠬᠣᠲᠠ ᠬᠣᠲᠠ" and region.mn_reviewed is False
    assert region.mn_edited_at is not None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "region.update")
    ).object_id == ("150100")

    counts = review.counts(sources)
    assert counts["catalog"]["reviewed"] == 1
    # the same sheet again changes nothing and is no conflict
    again = _import(_save(sheet), sources)
    assert (again.applied, again.conflicts, again.errors, again.changed) == (False, [], [], 0)


def test_entries_changed_since_the_export_are_named_and_not_applied(app, sources):
    sheet = _sheet(review.export_review(sources))
    rows = _rows(sheet)
    rows[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"
    rows["catalog:Accounts"]["reviewed (yes/no)"].value = "yes"
    data = _save(sheet)
    # someone edits one of the entries after the export
    catalog = read_po(io.BytesIO(sources.catalog_mn.read_bytes()))
    catalog["Accounts"].string += " ᠨᠢ"
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    sources.catalog_mn.write_bytes(out.getvalue())
    before = sources.catalog_mn.read_bytes()

    report = _import(data, sources)
    assert not report.applied
    assert [(p.row, p.key) for p in report.conflicts] == [
        (rows["catalog:Accounts"]["key"].row, "catalog:Accounts")
    ]
    assert sources.catalog_mn.read_bytes() == before  # nothing applied

    report = _import(data, sources, skip=True)
    assert report.applied and report.reviewed == 1
    catalog = read_po(io.BytesIO(sources.catalog_mn.read_bytes()))
    assert review.DRAFT_COMMENT not in catalog[MSGID].user_comments
    assert review.DRAFT_COMMENT in catalog["Accounts"].user_comments


def test_bad_sheets_get_file_and_row_errors_and_change_nothing(app, sources):
    before = sources.catalog_mn.read_bytes(), sources.bank.read_bytes()
    report = _import(b"not a workbook", sources)
    assert not report.applied and report.errors[0].row == 0

    sheet = _sheet(review.export_review(sources))
    sheet["F1"] = "something else"
    report = _import(_save(sheet), sources)
    assert [p.row for p in report.errors] == [1]
    assert "Mongolian (corrected)" in str(report.errors[0].message)

    sheet = _sheet(review.export_review(sources))
    rows = _rows(sheet)
    rows[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"  # a good row
    rows["catalog:%(n)d minutes"]["Mongolian (corrected)"].value = "ᠮᠢᠨᠦ᠋ᠲ"  # placeholder lost
    rows["catalog:Accounts"]["reviewed (yes/no)"].value = "maybe"
    rows["catalog:Admin"]["Mongolian (corrected)"].value = "Admin"  # no Mongolian letters
    sheet.append(["catalog:No such text", "catalog", "", "", "ᠠ", "", "yes", "", "", "", "x"])
    report = _import(_save(sheet), sources)
    assert not report.applied
    found = {(p.row, p.key) for p in report.errors}
    assert found == {
        (rows["catalog:%(n)d minutes"]["key"].row, "catalog:%(n)d minutes"),
        (rows["catalog:Accounts"]["key"].row, "catalog:Accounts"),
        (rows["catalog:Admin"]["key"].row, "catalog:Admin"),
        (sheet.max_row, "catalog:No such text"),
    }
    assert (sources.catalog_mn.read_bytes(), sources.bank.read_bytes()) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.TEACHER, 403), (Role.ORGANIZER, 403), ("participant", 403)],
)
def test_review_pages_are_for_admins_only(client, make, role, status):
    if role is not None:
        roles = () if role == "participant" else (role,)
        make.user("someone", roles=roles)
        client.post("/login", data={"username": "someone", "password": PASSWORD})
    for path in ("/admin/translations", "/admin/translations/review.xlsx"):
        assert client.get(path).status_code == status
    response = client.post("/admin/translations/import", data={})
    assert response.status_code == status


def test_admin_page_counts_downloads_and_imports(client, make, sources):
    make.user("root", roles=(Role.ADMIN,))
    client.post("/login", data={"username": "root", "password": PASSWORD})
    page = client.get("/admin/translations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    drafted = review.counts(sources)["catalog"]["drafted"]
    assert f"<td>{drafted}</td>" in html
    download = client.get("/admin/translations/review.xlsx")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    sheet = _sheet(download.data)
    _rows(sheet)[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"
    response = client.post(
        "/admin/translations/import",
        data={"sheet": (io.BytesIO(_save(sheet)), "review.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert review.counts(sources)["catalog"]["reviewed"] == 1
    bad = client.post(
        "/admin/translations/import",
        data={"sheet": (io.BytesIO(b"junk"), "junk.xlsx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "junk.xlsx" in bad.get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def config_overrides(self, sources):
        return {"QUIZ_REVIEW_SOURCES": sources, "WTF_CSRF_ENABLED": True}

    def test_upload_without_the_token_is_refused(self, client, make, sources):
        make.user("root", roles=(Role.ADMIN,))
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": token})
        form = client.get("/admin/translations").get_data(as_text=True)
        assert 'name="csrf_token"' in form
        before = sources.catalog_mn.read_bytes()
        data = review.export_review(sources)
        response = client.post(
            "/admin/translations/import",
            data={"sheet": (io.BytesIO(data), "review.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert sources.catalog_mn.read_bytes() == before


def test_cli_export_and_import(runner, tmp_path, sources):
    path = tmp_path / "sheet.xlsx"
    result = runner.invoke(args=["i18n", "export-review", str(path)])
    assert result.exit_code == 0, result.output
    assert "catalog: 0 reviewed" in result.output
    sheet = load_workbook(path).active
    _rows(sheet)[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"
    _rows(sheet)["catalog:Accounts"]["reviewed (yes/no)"].value = "perhaps"
    sheet.parent.save(path)
    result = runner.invoke(args=["i18n", "import-review", str(path)])
    assert (
        result.exit_code == 1
        and f"{path}:" in result.output
        and "nothing applied" in (result.output)
    )
    _rows(sheet)["catalog:Accounts"]["reviewed (yes/no)"].value = ""
    sheet.parent.save(path)
    result = runner.invoke(args=["i18n", "import-review", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 entries marked reviewed" in result.output


def test_read_only_files_are_reported_and_nothing_is_applied(app, sources, monkeypatch):
    # An installed wheel's files may be read-only (the tests run as root: fake the check).
    real_access = review.os.access
    monkeypatch.setattr(
        review.os,
        "access",
        lambda path, mode: path != sources.catalog_mn and real_access(path, mode),
    )
    sheet = _sheet(review.export_review(sources))
    _rows(sheet)[f"catalog:{MSGID}"]["reviewed (yes/no)"].value = "yes"
    before = sources.catalog_mn.read_bytes()
    report = _import(_save(sheet), sources)
    assert not report.applied and "mn.po" in str(report.errors[0].message)
    assert sources.catalog_mn.read_bytes() == before
