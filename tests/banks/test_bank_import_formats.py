"""``quiz bank import`` / ``quiz bank export`` for every format, against the SQL store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from question_bank import Kind, human_size
from question_bank.formats import MAX_FILE_BYTES, xlsx_template
from question_bank.formats import mongolian as mg
from quiz.banks.models import BankCategory, QuestionBank
from quiz.banks.models import Question as QuestionRow
from quiz.banks.services import import_bank
from quiz.extensions import db
from tests.factories import sample_bank
from tests.interop import FIXTURES, moodle_dir

CONTRACT_KEYS = {"imported", "skipped", "errors", "questions"}

SMALL = {
    "bank.csv": (
        "题型,题目,选项A,选项B,答案,分类\n单选,一？,甲,乙,B,物理\n判断,二？,,,错,物理\n"
    ).encode(),
    "bank.gift": "$CATEGORY: $course$/top/物理\n\n一？{~甲 =乙}\n\n二？{F}\n".encode(),
    "bank.xml": """<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="category"><category><text>$course$/物理</text></category></question>
<question type="multichoice"><name><text>n1</text></name>
<questiontext format="html"><text>一？</text></questiontext><single>true</single>
<answer fraction="0"><text>甲</text></answer><answer fraction="100"><text>乙</text></answer>
</question>
<question type="truefalse"><name><text>n2</text></name>
<questiontext format="html"><text>二？</text></questiontext>
<answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer>
</question></quiz>""".encode(),
    "bank.aiken.txt": "一？\nA) 甲\nB) 乙\nANSWER: B\n".encode(),
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def run_import(runner, path: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(args=["bank", "import", str(path), "--json", *args])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_import_each_format(runner, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(SMALL[name])
    code, report = run_import(runner, path, "--dry-run")
    assert code == 0, report
    assert set(report) == CONTRACT_KEYS
    assert count(QuestionRow) == 0
    first = report["questions"][0]
    assert set(first) == {"title", "kind", "languages", "options", "correct"}
    assert (first["kind"], first["languages"], first["options"], first["correct"]) == (
        "single",
        ["zh"],
        2,
        ["B"],
    )

    code, stored = run_import(runner, path)
    assert code == 0 and stored["imported"] == report["imported"]
    assert count(QuestionRow) == report["imported"]
    if name != "bank.aiken.txt":
        category = db.session.scalars(select(BankCategory)).one()
        assert category.name_zh == "物理"


def test_xlsx_template_command_and_import(runner, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    result = runner.invoke(args=["bank", "template", str(path), "--language", "mn"])
    assert result.exit_code == 0, result.output
    code, report = run_import(runner, path)
    assert code == 0 and report["imported"] == 3
    assert db.session.scalars(select(QuestionBank.slug)).all() == ["my-bank"]


# The project's own GIFT file, and Moodle's (when at hand), through the CLI: what each
# gives (kind, title, line of the questions skipped; titles of those imported, the
# fill-in one among them).
GIFT_FILES = {
    "own": (
        "kinds.gift.txt",
        [
            ("essay", "Open-1", 2),
            ("matching", "Instruments", 5),
            ("numerical", "Legs", 31),
        ],
        ["Planet", "Gases", "Fill", "Boiling", "Moon light", "Moon light"],
    ),
    "moodle": (
        "questions.gift.txt",
        [
            ("essay", "Q8", 2),
            ("matching", "Moodle activities", 5),
            ("numerical", "Q5", 31),
        ],
        ["Q2", "colours", "Shortanswer", "Q1", "2-08 TSL", "2-08 TSL"],
    ),
}


def gift_file(source: str) -> Path:
    folder = FIXTURES if source == "own" else moodle_dir()
    return folder / GIFT_FILES[source][0]


@pytest.mark.parametrize("source", sorted(GIFT_FILES))
def test_gift_fixture_through_the_cli(runner, source: str) -> None:
    _, skipped, titles = GIFT_FILES[source]
    path = gift_file(source)
    code, report = run_import(runner, path)
    assert code == 0
    assert (report["imported"], report["skipped"]) == (6, 3)
    assert [(n["kind"], n["title"], n["line"]) for n in report["unsupported"]] == skipped
    assert all(n["message"] for n in report["unsupported"])
    assert [q["title"] for q in report["questions"]] == titles
    assert count(QuestionRow) == 6
    # The same file again: the generated ids are stable, so the questions are updated.
    code, again = run_import(runner, path)
    assert code == 0 and again["imported"] == 6 and "duplicates" not in again
    assert count(QuestionRow) == 6


@pytest.mark.parametrize("source", sorted(GIFT_FILES))
def test_text_output_names_skipped_questions(runner, source: str) -> None:
    path = gift_file(source)
    kind, title, line = GIFT_FILES[source][1][0]
    result = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert "would import 6 questions, skipped 3" in result.stdout
    # Messages are in the user's language; the kind and the title are always there.
    found = next(x for x in result.stderr.splitlines() if f"{path.name}:{line}: " in x)
    assert f"skipped ({title})" in found and kind in found


@pytest.mark.parametrize("source", ["own", "moodle"])
def test_aiken_error_file_imports_nothing(runner, source: str) -> None:
    path = FIXTURES / "errors.aiken.txt" if source == "own" else moodle_dir() / "aiken_errors.txt"
    code, report = run_import(runner, path)
    assert code != 0
    assert report["imported"] == 0 and report["questions"] == []
    assert [e["line"] for e in report["errors"]] == [3, 5, 7, 18]
    assert count(QuestionBank) == 0 and count(QuestionRow) == 0


def test_duplicates_of_stored_questions_are_skipped_mongolian_folded(
    runner, clock, tmp_path: Path
) -> None:
    bank = sample_bank(1)
    import_bank(bank, clock())
    stored = next(q for q in bank.questions if q.kind is Kind.SINGLE)
    mn = stored.versions["mn"]
    # Spelled differently, drawn the same: o for u, a free variation selector, a ZWJ.
    variant = mn.text.replace("\u1824", "\u1823")
    variant = variant[:1] + "\u180b" + variant[1:3] + "\u200d" + variant[3:]
    assert variant != mn.text
    options = [mn.options[key].replace("\u1823", "\u1824") for key in stored.option_keys]
    header = ",".join(
        [mg.QUESTION] + [f"{mg.OPTION} {k}" for k in stored.option_keys] + [mg.ANSWER]
    )
    rows = [header, ",".join([variant, *options, "B"]), f"{mg.QUESTION} 99?,a,b,c,d,A"]
    path = tmp_path / "mn.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = count(QuestionRow)

    code, report = run_import(runner, path)

    assert code == 0
    assert (report["imported"], report["skipped"]) == (1, 1)
    [duplicate] = report["duplicates"]
    assert duplicate["line"] == 2 and f"{bank.id}/{stored.id}" in duplicate["message"]
    assert count(QuestionRow) == before + 1


def test_one_error_imports_nothing_and_names_the_cell(runner, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "题目"
    for row in (
        ["题目", "选项A", "选项B", "答案"],
        ["好？", "a", "b", "A"],
        ["坏？", "a", "b", None],
    ):
        sheet.append(row)
    path = tmp_path / "bad.xlsx"
    book.save(path)
    code, report = run_import(runner, path)
    assert code != 0
    assert report["imported"] == 0
    assert [e["line"] for e in report["errors"]] == ["题目!D3"]
    assert count(QuestionRow) == 0


def test_gbk_csv_from_chinese_excel(runner, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("题目,选项A,选项B,答案\r\n中国的首都是？,北京,上海,A\r\n".encode("gbk"))
    code, report = run_import(runner, path)
    assert code == 0 and report["imported"] == 1
    row = db.session.scalars(select(QuestionRow)).one()
    assert row.texts[0].text == "中国的首都是？"


def test_category_option_uses_an_existing_category(runner, clock, tmp_path: Path) -> None:
    import_bank(sample_bank(1), clock())
    path = tmp_path / "q.gift"
    path.write_text("新题？{T}\n", encoding="utf-8")
    code, report = run_import(runner, path, "--category", "life-health")
    assert code == 0 and report["imported"] == 1
    row = db.session.scalars(select(QuestionRow).where(QuestionRow.source == "q.gift")).one()
    assert row.category == "life-health"
    assert count(QuestionBank) == 1  # into the only bank


def test_bank_option_and_new_category_name(runner, tmp_path: Path) -> None:
    path = tmp_path / "q.gift"
    path.write_text("新题？{T}\n", encoding="utf-8")
    code, _ = run_import(runner, path, "--bank", "physics", "--category", "力学")
    assert code == 0
    assert db.session.scalars(select(QuestionBank.slug)).all() == ["physics"]
    assert db.session.scalars(select(BankCategory.name_zh)).all() == ["力学"]


@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [("yaml", ".yaml"), ("xlsx", ".xlsx"), ("gift", ".gift"), ("moodle-xml", ".xml")],
)
def test_export_then_import_each_format(runner, clock, tmp_path: Path, fmt: str, suffix: str):
    bank = sample_bank(1)
    import_bank(bank, clock())
    path = tmp_path / f"out{suffix}"
    result = runner.invoke(args=["bank", "export", str(path), "--language", "mn"])
    assert result.exit_code == 0, result.output
    assert f"exported {len(bank.questions)} questions" in result.output
    # A one-language file would remove the other language of each stored question:
    # such a change needs --accept-changes (issue 12: never replaced silently).
    accept = ["--accept-changes"] if fmt in {"gift", "moodle-xml"} else []
    code, report = run_import(runner, path, "--dry-run", *accept)
    assert code == 0, report
    # Same ids as the stored questions: updates, never duplicates.
    assert (report["imported"], report["skipped"]) == (len(bank.questions), 0)
    languages = {tuple(q["languages"]) for q in report["questions"]}
    assert languages == ({("zh", "mn")} if fmt in {"yaml", "xlsx"} else {("mn",)})


def test_export_format_option_wins(runner, clock, tmp_path: Path) -> None:
    import_bank(sample_bank(1), clock())
    path = tmp_path / "out.txt"
    result = runner.invoke(args=["bank", "export", str(path), "--format", "gift"])
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("// bank: test-bank")


def test_too_large_file_is_not_read(runner, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    code, report = run_import(runner, path)
    message = report["errors"][0]["message"]
    # A size people read ("20 MB"), never a count of bytes (issue 14).
    assert code != 0 and human_size(MAX_FILE_BYTES) in message and "20 MB" in message
    assert str(MAX_FILE_BYTES) not in message


def test_unreadable_template_bytes_are_not_a_path(runner, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_template("zh")[:500])  # truncated
    code, report = run_import(runner, path)
    assert code != 0 and report["errors"][0]["line"] is None


def test_files_naming_stored_categories_use_them(runner, clock, tmp_path: Path) -> None:
    from dataclasses import replace

    from question_bank import Category

    bank = sample_bank(1)
    bank = replace(
        bank,
        categories=(
            Category("life-health", {"zh": "生命与健康", "mn": mg.CATEGORY}),
            Category("safety-emergency", {"zh": "安全与应急"}),
        ),
    )
    import_bank(bank, clock())
    path = tmp_path / "new.csv"
    path.write_text("题目,答案,分类\n新题一？,对,life-health\n新题二？,错,安全与应急\n", "utf-8")
    code, report = run_import(runner, path)
    assert code == 0 and report["imported"] == 2
    rows = db.session.scalars(select(QuestionRow).where(QuestionRow.source == "new.csv")).all()
    assert sorted(row.category for row in rows) == ["life-health", "safety-emergency"]
    names = dict(db.session.execute(select(BankCategory.slug, BankCategory.name_zh)).all())
    assert names == {"life-health": "生命与健康", "safety-emergency": "安全与应急"}
    assert count(BankCategory) == 2
