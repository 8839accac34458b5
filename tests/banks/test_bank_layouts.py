"""Organizers' layouts through ``quiz bank import`` and the console upload, in both
interface languages (issue 12): Word, numbered text in several encodings, .xls, one
sheet per kind, a .zip with pictures (stored with their questions); never a silent
replacement; fill-in questions stored with their accepted answers; a file that imports
nothing is an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from question_bank import messages as m
from quiz.banks.models import MediaBlob, QuestionBank, QuestionText
from quiz.banks.models import Question as QuestionRow
from quiz.extensions import db
from tests.banks.console_helpers import count, organizer_client, token_of, translated, upload
from tests.question_bank.formats.layouts import (
    SHEETS,
    numbered_csv,
    numbered_docx,
    numbered_text,
    sheets_xls,
    sheets_xlsx,
    zip_with_pictures,
)


def run_import(runner, path: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(args=["bank", "import", str(path), "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def no_pictures() -> dict:
    sheets = dict(SHEETS)
    sheets["单选题"] = [[*row[:-1], ""] for row in SHEETS["单选题"]]
    return sheets


FILES = {
    "题库.docx": numbered_docx,
    "题库-utf8.txt": lambda: numbered_text("utf-8"),
    "题库-gbk.txt": lambda: numbered_text("gbk"),
    "题库-utf16.txt": lambda: numbered_text("utf-16"),
    "题库.xls": lambda: sheets_xls(no_pictures()),
    "题库.xlsx": lambda: sheets_xlsx(no_pictures()),
    "题库.zip": zip_with_pictures,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_layout_through_the_cli(runner, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(FILES[name]())
    code, report = run_import(runner, path, "--bank", "layouts")
    assert code == 0, report
    # The fill-in question is stored with its accepted answers.
    assert "unsupported" not in report
    assert report["imported"] == count(QuestionRow) >= 6
    [fill] = [row for row in db.session.scalars(select(QuestionRow)) if row.kind == "fill"]
    assert fill.text_for("zh").blanks and all(fill.text_for("zh").blanks)
    # Questions are named by their text, never by a hash id.
    assert all(not q["title"].startswith("q-") for q in report["questions"])
    pictured = [row for row in db.session.scalars(select(QuestionRow)) if row.media]
    if name == "题库.docx":  # a picture in question 1 and one in option C of question 2
        assert [e["option"] for row in pictured for e in row.media] == [None, "C"]
        assert pictured[0].media[0]["alt"] == "太阳能电池板"
        assert count(MediaBlob) == 2
    elif name == "题库.zip":  # sun.png, named in the picture column
        assert len(pictured) == 1 and count(MediaBlob) == 1
    else:
        assert pictured == []


def test_an_explicit_format_and_a_wrong_one(runner, tmp_path: Path) -> None:
    path = tmp_path / "题库.dat"
    path.write_bytes(numbered_text("gbk"))
    code, report = run_import(runner, path, "--format", "text", "--dry-run")
    assert code == 0 and report["imported"] == 6  # the fill-in question too
    code, report = run_import(runner, path, "--format", "gift", "--dry-run")
    assert code != 0 and report["imported"] == 0 and report["errors"]


def test_a_file_that_imports_nothing_is_an_error(runner, tmp_path: Path) -> None:
    path = tmp_path / "only-essay.csv"
    path.write_text("题型,题目,答案\n简答,说说水的作用。,略\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code != 0
    assert "0 questions" not in result.stdout
    code, report = run_import(runner, path)
    assert code != 0 and report["imported"] == 0
    assert count(QuestionBank) == 0


def test_two_files_numbered_1_to_n_keep_all_their_questions(runner, tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(numbered_csv(1, ["第一卷甲？", "第一卷乙？", "第一卷丙？"]))
    second.write_bytes(numbered_csv(1, ["第二卷甲？", "第二卷乙？", "第二卷丙？"]))
    assert run_import(runner, first, "--bank", "one")[0] == 0
    code, report = run_import(runner, second, "--bank", "one")
    assert code == 0, report
    assert count(QuestionRow) == 6
    # The same file again: the same questions (ids from their text), no copies.
    code, report = run_import(runner, second, "--bank", "one")
    assert code == 0 and "changes" not in report
    assert count(QuestionRow) == 6
    # A third file repeating a stored question under another number: not copied (its id
    # comes from its text, so it is the stored question, unchanged).
    third = tmp_path / "c.csv"
    third.write_bytes(numbered_csv(1, ["第三卷甲？", "第一卷乙？"]))
    code, report = run_import(runner, third, "--bank", "one")
    assert code == 0 and "changes" not in report
    assert count(QuestionRow) == 7


def test_a_change_to_a_stored_question_needs_accept_changes(runner, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("编号,题目,选项A,选项B,答案\nq-1,旧的题？,a,b,A\n", encoding="utf-8")
    assert run_import(runner, path, "--bank", "ids")[0] == 0
    path.write_text("编号,题目,选项A,选项B,答案\nq-1,新的题？,a,b,B\n", encoding="utf-8")
    code, report = run_import(runner, path, "--bank", "ids")
    assert code != 0
    [change] = report["changes"]
    assert change["id"] == "q-1" and change["title"] == "q-1"
    assert "answer" in change["fields"] and "text (zh)" in change["fields"]
    assert count(QuestionText) == 1
    from sqlalchemy import select

    from quiz.extensions import db

    assert db.session.scalar(select(QuestionText.text)) == "旧的题？"
    result = runner.invoke(args=["bank", "import", str(path), "--bank", "ids"])
    assert result.exit_code != 0 and "change (q-1)" in result.stderr
    code, report = run_import(runner, path, "--bank", "ids", "--accept-changes")
    assert code == 0
    assert db.session.scalar(select(QuestionText.text)) == "新的题？"


@pytest.mark.parametrize("language", ["zh", "mn"])
@pytest.mark.parametrize("name", ["题库.docx", "题库-gbk.txt", "题库.xls", "题库.zip"])
def test_each_layout_through_the_console(app, make, language: str, name: str) -> None:
    browser = organizer_client(app, make, language=language)
    token = token_of(upload(browser, FILES[name](), name))
    page = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert 'id="errors"' not in page
    assert 'id="unsupported"' not in page  # the fill-in question is imported too
    if name in {"题库.docx", "题库.zip"}:  # the pictures are listed with the question
        assert translated(language, "Pictures") in page
    assert "q-" not in page.split('id="q-1"', 1)[1].split("</h3>", 1)[0]
    assert translated(language, "Confirm import") in page


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_console_upload_of_nothing_importable_offers_no_confirm(app, make, language) -> None:
    browser = organizer_client(app, make, language=language)
    data = "题型,题目,答案\n简答,说说水的作用。,略\n".encode()
    token = token_of(upload(browser, data, "essay.csv"))
    page = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert translated(language, m.NOTHING_TO_IMPORT) in page
    assert translated(language, "Confirm import") not in page


@pytest.mark.parametrize("language", ["zh", "mn"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "docx", "text"])
def test_templates_download(app, make, language: str, fmt: str) -> None:
    browser = organizer_client(app, make, language=language)
    response = browser.get(f"/console/banks/template/{language}?format={fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert browser.get(f"/console/banks/template/{language}?format=pdf").status_code == 404
