"""The console's import: upload, preview (nothing stored), confirm (exactly that)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from question_bank import dump_bank
from question_bank import messages as m
from question_bank.formats import MAX_XLSX_UNCOMPRESSED, read_bank, write_bank, xlsx_template
from question_bank.formats import mongolian as mg
from quiz.audit.models import AuditEvent
from quiz.banks.models import BankUpload, QuestionBank, QuestionText
from quiz.banks.models import Question as QuestionRow
from quiz.banks.services import import_bank
from quiz.extensions import db
from tests.banks.console_helpers import (
    count,
    digest_of,
    organizer_client,
    own_banks,
    token_of,
    translated,
    translated_head,
    upload,
)
from tests.factories import sample_bank
from tests.interop import FIXTURES, moodle_dir

CSV = (
    "题型,题目,选项A,选项B,选项C,答案,解析,分类\n"
    "单选,水的沸点是多少？,90度,100度,110度,B,标准大气压下,物理\n"
    "判断,地球是圆的。,,,,对,,地理\n"
).encode()


def stored() -> tuple[int, int, int]:
    return count(QuestionBank), count(QuestionRow), count(QuestionText)


def test_preview_shows_everything_and_stores_nothing_then_confirm_imports(app, make, clock):
    browser = organizer_client(app, make)
    before = stored()

    token = token_of(upload(browser, CSV, "题库.csv"))
    page = browser.get(f"/console/banks/import/{token}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert stored() == before  # the preview wrote no bank, question or text
    assert count(BankUpload) == 1
    for shown in ("水的沸点是多少？", "90度", "100度", "标准大气压下", "地球是圆的。", "题库.csv"):
        assert shown in html
    # The organizer sees the key: the right option is marked.
    assert '<li class="correct"><span class="option-key">B</span> 100度' in html
    assert 'data-count="import">2<' in html

    done = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})

    assert done.status_code == 302
    bank = db.session.scalars(select(QuestionBank)).one()
    assert done.location == f"/console/banks/{bank.id}"
    assert (bank.slug, bank.title_zh) == ("web-bank", "网页题库")
    assert stored() == (1, 2, 2)
    assert count(BankUpload) == 0  # the bytes are gone with the confirm
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.object_id) == (
        "bank.import",
        browser.user.id,
        str(bank.id),
    )
    assert event.after["added"] == 2 and event.after["file"] == "题库.csv"
    # A second confirm finds nothing to import.
    again = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": "x"})
    assert again.status_code == 404 and stored() == (1, 2, 2)


def test_another_organizers_token_and_an_expired_one_are_refused(app, make, clock):
    owner = organizer_client(app, make, "owner")
    other = organizer_client(app, make, "other")
    token = token_of(upload(owner, CSV, "a.csv"))
    digest = digest_of(owner.get(f"/console/banks/import/{token}").get_data(as_text=True))

    assert other.get(f"/console/banks/import/{token}").status_code == 404
    refused = other.post(f"/console/banks/import/{token}/confirm", data={"digest": digest})
    assert refused.status_code == 404
    assert count(QuestionRow) == 0 and count(BankUpload) == 1

    clock.advance(minutes=61)
    expired = owner.post(f"/console/banks/import/{token}/confirm", data={"digest": digest})
    assert expired.status_code == 410
    assert translated("zh", "This upload has expired. Please upload the file again.") in (
        expired.get_data(as_text=True)
    )
    assert count(QuestionRow) == 0 and count(BankUpload) == 0


def test_expired_uploads_of_anyone_are_purged_by_the_next_upload(app, make, clock):
    first = organizer_client(app, make, "first")
    second = organizer_client(app, make, "second")
    token_of(upload(first, CSV, "a.csv"))
    clock.advance(hours=2)
    token = token_of(upload(second, CSV, "b.csv", new_slug="other-bank"))
    assert db.session.scalars(select(BankUpload.token)).all() == [token]


def test_a_confirm_after_the_bank_changed_shows_the_new_preview(app, make, clock):
    """Another import stored one of the file's questions meanwhile: the confirm would no
    longer import what was previewed, so it stores nothing and sends back to a preview."""
    browser = organizer_client(app, make)
    token = token_of(upload(browser, CSV, "a.csv"))
    digest = digest_of(browser.get(f"/console/banks/import/{token}").get_data(as_text=True))
    data = read_bank(CSV, "other.csv", bank_id="elsewhere")
    import_bank(data.raise_for_problems(), clock())
    before = stored()

    response = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest})

    assert response.status_code == 302 and response.location.endswith(token)
    assert stored() == before
    page = browser.get(response.location).get_data(as_text=True)
    assert (
        translated(
            "zh", "The bank changed since the preview. Check the new preview and confirm again."
        )
        in page
    )
    assert 'id="duplicates"' in page  # both questions are now duplicates of stored ones


FILES = {
    "bank.yaml": lambda: write_bank(sample_bank(1), "yaml"),
    "bank.xlsx": lambda: write_bank(sample_bank(1), "xlsx", header_language="mn"),
    "bank.gift": lambda: write_bank(sample_bank(1), "gift", language="mn"),
    "bank.xml": lambda: write_bank(sample_bank(1), "moodle-xml", language="zh"),
    "utf8.csv": lambda: CSV,
    "gbk.csv": lambda: CSV.decode().encode("gbk"),
    "bank.aiken.txt": lambda: "水的沸点？\nA) 90度\nB) 100度\nANSWER: B\n".encode(),
    "template-zh.xlsx": lambda: xlsx_template("zh"),
    "template-mn.xlsx": lambda: xlsx_template("mn"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_format_through_the_web(app, make, name):
    browser = organizer_client(app, make)
    data = FILES[name]()
    expected = read_bank(data, name)
    assert expected.ok, expected.problems
    token = token_of(upload(browser, data, name))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert f'data-count="import">{len(expected.questions)}<' in html
    first = expected.questions[0]
    for language, version in first.versions.items():
        assert str(translated(language, "%(t)s", t=version.text)) in html

    response = browser.post(
        f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)}
    )

    assert response.status_code == 302
    assert count(QuestionRow) == len(expected.questions)
    row = db.session.scalars(select(QuestionRow).where(QuestionRow.external_id == first.id)).one()
    assert list(row.answer) == list(first.answer)
    assert set(row.languages) == set(first.languages)


# The project's own fixtures, and Moodle's (when at hand): (GIFT file, the unsupported
# questions it names with the line of the last one, XML file, its essay, the categories).
CONSOLE_FILES = {
    "own": (
        "kinds.gift.txt",
        (("essay", "Open-1"), ("matching", "Instruments"), ("numerical", "Legs")),
        "nested.xml",
        "Water essay",
        ["earth", "earth-air", "earth-water", "earth-water-ice"],
    ),
    "moodle": (
        "questions.gift.txt",
        (("essay", "Q8"), ("matching", "Moodle activities"), ("numerical", "Q5")),
        "nested_categories_with_questions.xml",
        "Kappa Essay Question",
        ["iota", "iota-kappa", "iota-kappa-lambda", "iota-mu"],
    ),
}


@pytest.mark.parametrize("source", sorted(CONSOLE_FILES))
def test_interop_fixtures_name_unsupported_kinds(app, make, source):
    gift, named, xml, essay, categories = CONSOLE_FILES[source]
    folder = FIXTURES if source == "own" else moodle_dir()
    browser = organizer_client(app, make)
    token = token_of(upload(browser, (folder / gift).read_bytes(), gift))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert 'data-count="import">6<' in html  # the fill-in question is imported too
    for kind, title in named:
        assert f'<span class="badge">{kind}</span> {title}:' in html
    assert translated("zh", "Line %(line)s", line=31) in html

    data = (folder / xml).read_bytes()
    token = token_of(upload(browser, data, "nested.xml", new_slug="nested"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert 'data-count="import">4<' in html and essay in html
    browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})
    stored = db.session.scalars(
        select(QuestionRow.category).join(QuestionBank).where(QuestionBank.slug == "nested")
    ).all()
    assert sorted(stored) == categories


def _truncated_xlsx() -> bytes:
    return xlsx_template("zh")[:700]


def _gbk_csv_missing_answer() -> bytes:
    return "题目,选项A,选项B,答案\r\n好？,甲,乙,A\r\n坏？,甲,乙,\r\n".encode("gbk")


def _no_correct_option() -> bytes:
    return "好？{=甲 ~乙}\n\n坏？{~甲 ~乙}\n".encode()


@pytest.mark.parametrize("language", ["zh", "mn"])
@pytest.mark.parametrize(
    ("name", "make_data", "where", "message"),
    [
        ("broken.xlsx", _truncated_xlsx, None, m.XLSX_DAMAGED),
        ("excel.csv", _gbk_csv_missing_answer, 3, m.NO_ANSWER),
        ("bad.gift", _no_correct_option, 3, m.NO_CORRECT_OPTION),
    ],
)
def test_bad_files_show_located_errors_in_the_users_language(
    app, make, language, name, make_data, where, message
):
    browser = organizer_client(app, make, language=language)
    token = token_of(upload(browser, make_data(), name))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)

    location = (
        translated(language, "Whole file")
        if where is None
        else translated(language, "Line %(line)s", line=where)
    )
    text = translated_head(language, message) if "%(" in message else translated(language, message)
    assert f"<li><strong>{location}</strong>: {text}" in html
    if language == "mn":
        assert text != message  # really translated
    assert 'name="digest"' not in html  # no confirm button
    refused = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": ""})
    assert refused.status_code == 302
    assert count(QuestionRow) == 0 and count(QuestionBank) == 0


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(MAX_XLSX_UNCOMPRESSED // len(chunk) + 1):
            entry.write(chunk)
    return out.getvalue()


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="truefalse"><questiontext><text>&lol3;</text></questiontext>
</question></quiz>
"""


@pytest.mark.parametrize(
    ("name", "make_data", "message"),
    [("bomb.xlsx", _zip_bomb, m.ZIP_TOO_LARGE), ("bomb.xml", lambda: ENTITY_BOMB, m.XML_FORBIDDEN)],
)
def test_zip_bombs_and_xml_entities_are_refused_through_the_web(
    app, make, name, make_data, message
):
    browser = organizer_client(app, make)
    data = make_data()
    assert len(data) < 1 << 20
    token = token_of(upload(browser, data, name))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert translated_head("zh", message) in html
    assert 'name="digest"' not in html
    browser.post(f"/console/banks/import/{token}/confirm", data={"digest": ""})
    assert count(QuestionRow) == 0 and count(QuestionBank) == 0


def test_a_file_over_the_upload_limit_is_refused_unread(app, make):
    browser = organizer_client(app, make)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(browser, b"x" * 8192, "big.csv")
    assert response.status_code == 413
    assert translated("zh", "The upload is too large.") in response.get_data(as_text=True)
    assert count(BankUpload) == 0


def test_upload_form_problems_are_shown_and_nothing_is_kept(app, make, clock):
    import_bank(sample_bank(1), clock())
    browser = organizer_client(app, make)
    taken = upload(browser, CSV, "a.csv", new_slug="test-bank")
    assert taken.status_code == 422
    assert translated("zh", "A bank with this id exists already.") in taken.get_data(as_text=True)
    bad = upload(browser, CSV, "a.csv", new_slug="Bad Id!", title_zh="")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert translated("zh", "Give the bank a Chinese title.") in html
    empty = upload(browser, b"", "a.csv")
    assert empty.status_code == 422
    assert count(BankUpload) == 0


def test_reimport_into_an_existing_bank_updates_by_id(app, make, clock):
    bank = sample_bank(1)
    import_bank(bank, clock())
    browser = organizer_client(app, make)
    own_banks(browser)
    data = write_bank(bank, "yaml")
    token = token_of(upload(browser, data, "again.yaml", bank="test-bank"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert html.count('class="badge badge-scheduled"') == len(bank.questions)  # all updates
    before = db.session.scalars(select(QuestionBank.revision)).one()
    browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})
    assert count(QuestionRow) == len(bank.questions)
    assert db.session.scalars(select(QuestionBank.revision)).one() == before + 1


def test_gift_into_an_existing_bank_with_a_category(app, make, clock):
    import_bank(sample_bank(1), clock())
    browser = organizer_client(app, make)
    own_banks(browser)
    token = token_of(
        upload(
            browser, "新题？{T}\n".encode(), "new.gift", bank="test-bank", category="life-health"
        )
    )
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})
    row = db.session.scalars(select(QuestionRow).where(QuestionRow.source == "new.gift")).one()
    assert row.category == "life-health"
    assert count(QuestionBank) == 1


@pytest.mark.parametrize(("language", "header"), [("zh", "题目"), ("mn", mg.QUESTION)])
def test_xlsx_template_downloads(app, make, language, header):
    browser = organizer_client(app, make)
    response = browser.get(f"/console/banks/template/{language}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert f'filename="question-bank-template-{language}.xlsx"' in disposition
    assert "filename*=UTF-8''" in disposition
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    headers = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(max_row=1)
        for cell in row
        if cell.value
    ]
    assert any(header in value for value in headers)
    assert read_bank(response.data, "t.xlsx").ok


def test_preview_page_in_mongolian_is_localized(app, make):
    browser = organizer_client(app, make, language="mn")
    token = token_of(upload(browser, CSV, "a.csv"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert '<html lang="mn-Mong-CN">' in html
    assert translated("mn", "Confirm import") in html
    assert translated("mn", "Confirm import") != "Confirm import"


def test_uploaded_names_are_never_paths(app, make, tmp_path):
    browser = organizer_client(app, make)
    token = token_of(upload(browser, CSV, "../../etc/passwd.csv"))
    row = db.session.scalars(select(BankUpload)).one()
    assert row.filename == "passwd.csv" and token == row.token
    assert len(token) >= 40
    assert row.expires_at - row.created_at == timedelta(hours=1)


def test_an_import_that_changes_the_key_of_a_question_in_use_is_refused(app, make, clock):
    """The edit page's fairness rule holds for re-imports through the console too."""
    from quiz.contests.services import enroll
    from quiz.play import services as play

    bank = sample_bank(1)
    row = import_bank(bank, clock())[0]
    contest = make.contest(slug="c-import")
    round_ = make.round(contest, row)  # draws every question of the bank
    player = make.user("player")
    enroll(player, contest, clock())
    play.start_attempt(player, round_, "zh", clock())
    single = next(q for q in bank.questions if q.answer == ("B",))
    changed = replace(bank, questions=(replace(single, answer=("A",)),))
    browser = organizer_client(app, make)
    own_banks(browser)

    token = token_of(upload(browser, write_bank(changed, "yaml"), "b.yaml", bank="test-bank"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)

    assert 'id="frozen"' in html and f"<li>{single.id}</li>" in html
    assert 'name="digest"' not in html
    digest = hashlib.sha256(dump_bank(changed).encode()).hexdigest()
    refused = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest})
    assert refused.status_code == 302 and refused.location.endswith(token)
    db.session.expire_all()
    stored_row = db.session.scalars(
        select(QuestionRow).where(QuestionRow.external_id == single.id)
    ).one()
    assert stored_row.answer == ["B"]
    # Wording only: the same question with a clearer text imports fine.
    version = replace(single.versions["zh"], text="更清楚的题目？")
    reworded = replace(
        bank, questions=(replace(single, versions={**single.versions, "zh": version}),)
    )
    token = token_of(upload(browser, write_bank(reworded, "yaml"), "c.yaml", bank="test-bank"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert 'id="frozen"' not in html
    done = browser.post(
        f"/console/banks/import/{token}/confirm",
        data={"digest": digest_of(html), "accept": single.id},
    )
    assert done.status_code == 302 and done.location == f"/console/banks/{row.id}"
    db.session.expire_all()
    assert db.session.get(QuestionRow, stored_row.id).text_for("zh").text == "更清楚的题目？"


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_each_change_of_a_stored_question_is_confirmed_by_its_own_row(app, make, clock, language):
    """Issue 12 item 3: side by side in the preview; only the ticked rows change."""
    bank = sample_bank(1)
    import_bank(bank, clock())
    browser = organizer_client(app, make, language=language)
    own_banks(browser)  # an organizer changes only banks they own or their contests use
    first, second = bank.questions[0], bank.questions[1]
    reworded = [
        replace(q, versions={**q.versions, "zh": replace(q.versions["zh"], text=f"新{q.id}")})
        for q in (first, second)
    ]
    changed = replace(bank, questions=(*reworded, *bank.questions[2:]))
    token = token_of(upload(browser, write_bank(changed, "yaml"), "b.yaml", bank="test-bank"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    # Side by side: the stored text and the file's, with a box per question.
    assert html.count('name="accept"') == 2
    assert first.versions["zh"].text in html and f"新{first.id}" in html
    assert str(translated(language, "Stored now")) in html
    done = browser.post(
        f"/console/banks/import/{token}/confirm",
        data={"digest": digest_of(html), "accept": [second.id, "not-a-change"]},
    )
    assert done.status_code == 302
    db.session.expire_all()
    texts = {
        row.external_id: row.text_for("zh").text for row in db.session.scalars(select(QuestionRow))
    }
    assert texts[first.id] == first.versions["zh"].text  # unticked: kept
    assert texts[second.id] == f"新{second.id}"  # ticked: changed
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "bank.import").order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["changed"] == [second.id] and event.after["declined"] == [first.id]
