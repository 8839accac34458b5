"""The ``quiz`` command line: demo data, bank import, leaderboards, attempts, regions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from quiz.accounts.services import authenticate
from quiz.banks.models import Question, QuestionBank
from quiz.contests.models import Contest, League
from quiz.contests.services import enroll
from quiz.demo import services as demo
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt
from quiz.regions.models import Region

DEMO_BANK = Path(__file__).parent / "data" / "demo-bank.yaml"


@pytest.fixture
def demo_bank(monkeypatch) -> Path:
    """The bundled demo bank, or a small stand-in while the real one is not written yet."""
    if not demo.BANK_FILE.exists():
        monkeypatch.setattr(demo, "BANK_FILE", DEMO_BANK)
    return demo.BANK_FILE


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# quiz demo ---------------------------------------------------------------------------


def test_demo_is_idempotent_and_prints_the_accounts(runner, clock, demo_bank):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for username in ("admin", "organizer", "teacher", "student"):
        assert f"  {username} " in first.output
    assert demo.DEMO_PASSWORD in first.output
    counts = _counts()
    assert counts["users"] == 4 and counts["contests"] == 1 and counts["question_banks"] == 1
    # The demo teacher teaches the demo student's class (the school pages have data).
    assert counts["school_teachers"] == counts["school_classes"] == 1
    assert counts["school_students"] == 1

    clock.advance(days=3)  # later runs (every `make run`) add nothing, whenever they run
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert second.output == first.output
    assert _counts() == counts


def test_demo_contest_is_playable_in_both_languages(runner, clock, demo_bank):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for username in ("admin", "organizer", "teacher", "student"):
        assert authenticate(username, demo.DEMO_PASSWORD) is not None, username
    contest = db.session.scalar(select(Contest).where(Contest.slug == demo.CONTEST_SLUG))
    assert contest.published
    assert _count(League) == 12
    open_rounds = [r for r in contest.rounds if str(r.state(clock())) == "open"]
    # One self-paced round to take, and one live round for the demo organizer to host.
    assert sorted(r.mode for r in open_rounds) == ["live", "self_paced"]
    open_rounds = [r for r in open_rounds if r.mode == "self_paced"]
    round_ = open_rounds[0]
    assert set(round_.languages) == {"zh", "mn"}

    student = authenticate("student", demo.DEMO_PASSWORD)
    assert student.language == "mn" and student.roles == {"participant"}
    enrollment, _ = enroll(student, contest, clock())
    assert enrollment.league.code == "150100"
    attempt, created = play.start_attempt(student, round_, "mn", clock())
    assert created and attempt.question_count >= 10
    assert attempt.question_count == sum(part["count"] for part in round_.draw_rule)


# quiz bank import --------------------------------------------------------------------


def test_bank_import_dry_run_json_reports_and_imports_nothing(runner):
    result = runner.invoke(args=["bank", "import", str(DEMO_BANK), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"imported", "skipped", "errors", "questions"}
    assert report["imported"] == 14 and report["skipped"] == 0 and report["errors"] == []
    assert len(report["questions"]) == 14
    for question in report["questions"]:
        assert set(question) == {"title", "kind", "languages", "options", "correct"}
        assert question["kind"] in {"single", "multiple", "truefalse"}
        assert sorted(question["languages"]) == ["mn", "zh"]
        assert isinstance(question["options"], int)
    by_title = {q["title"]: q for q in report["questions"]}
    assert by_title["pe-002"] == {
        "title": "pe-002",
        "kind": "multiple",
        "languages": by_title["pe-002"]["languages"],
        "options": 4,
        "correct": ["A", "C"],
    }
    assert by_title["lh-002"]["options"] == 2 and by_title["lh-002"]["correct"] == ["F"]
    assert _count(QuestionBank) == 0 and _count(Question) == 0


def test_bank_import_stores_the_bank(runner):
    result = runner.invoke(args=["bank", "import", str(DEMO_BANK)])
    assert result.exit_code == 0, result.output
    assert "14" in result.output
    assert _count(QuestionBank) == 1 and _count(Question) == 14


def _broken_copy(tmp_path: Path) -> tuple[Path, list[int]]:
    """The demo bank with a bad difficulty and an unlisted category; their line numbers."""
    lines = DEMO_BANK.read_text(encoding="utf-8").splitlines()
    difficulty = next(i for i, line in enumerate(lines) if line == "    difficulty: 1")
    lines[difficulty] = "    difficulty: 5"
    category = next(i for i, line in enumerate(lines) if line == "    category: physics-energy")
    lines[category] = "    category: physics"
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [difficulty + 1, category + 1]


def test_bank_import_of_a_broken_file_fails_with_lines_and_imports_nothing(runner, tmp_path):
    path, expected_lines = _broken_copy(tmp_path)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code != 0
    for line in expected_lines:
        assert f"{path}:{line}: " in result.stderr
    assert _count(QuestionBank) == 0 and _count(Question) == 0

    result = runner.invoke(args=["bank", "import", str(path), "--json"])
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert report["imported"] == 0
    assert [e["line"] for e in report["errors"]] == expected_lines
    assert all(e["message"] for e in report["errors"])
    assert _count(QuestionBank) == 0

    result = runner.invoke(args=["bank", "import", str(path), "--dry-run", "--json"])
    assert result.exit_code != 0
    assert _count(QuestionBank) == 0


def test_bank_import_of_a_missing_file_fails(runner, tmp_path):
    result = runner.invoke(args=["bank", "import", str(tmp_path / "nowhere.yaml"), "--json"])
    assert result.exit_code != 0
    assert json.loads(result.stdout)["errors"]
    assert _count(QuestionBank) == 0


# quiz leaderboard rebuild / quiz attempts finalize-overdue ------------------------


def test_leaderboard_rebuild_reports_each_contest(runner, make, clock):
    contest, round_ = make.setup()
    for _ in range(2):
        user = make.enrolled(contest)
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        play.save_answer(attempt.id, user, 1, ["A"], clock())
        play.finish_attempt(attempt, clock())
        db.session.commit()  # the edge commits (services flush)
    result = runner.invoke(args=["leaderboard", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"contest {contest.id}: 2 attempts replayed" in result.output
    result = runner.invoke(args=["leaderboard", "rebuild", "--round", str(round_.id)])
    assert result.exit_code == 0, result.output
    assert f"contest {contest.id}: 2 attempts replayed" in result.output
    result = runner.invoke(args=["leaderboard", "rebuild", "--round", str(round_.id + 999)])
    assert result.exit_code != 0
    assert "no round" in result.output


def test_attempts_finalize_overdue_closes_and_reports(runner, make, clock):
    contest, round_ = make.setup(time_limit_seconds=60)
    users = [make.enrolled(contest) for _ in range(2)]
    for user in users:
        play.start_attempt(user, round_, "zh", clock())
    result = runner.invoke(args=["attempts", "finalize-overdue"])
    assert result.exit_code == 0, result.output
    assert "finalized 0 attempts" in result.output

    clock.advance(minutes=5)
    result = runner.invoke(args=["attempts", "finalize-overdue"])
    assert result.exit_code == 0, result.output
    assert "finalized 2 attempts" in result.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.finish_reason == "deadline")
        )
        == 2
    )
    result = runner.invoke(args=["attempts", "finalize-overdue"])
    assert "finalized 0 attempts" in result.output


# quiz regions sync -------------------------------------------------------------------


def test_regions_sync_is_idempotent_and_repairs_edits(runner):
    before = _count(Region)
    assert before == 115
    db.session.execute(update(Region).where(Region.code == "150102").values(name_zh="改坏了"))
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["regions", "sync"])
        assert result.exit_code == 0, result.output
        assert "115 regions in place" in result.output
        assert _count(Region) == before
    db.session.expire_all()
    assert db.session.get(Region, "150102").name_zh == "新城区"
