"""Banks stored in SQL: import is an upsert by id, export gives the same bank back."""

from __future__ import annotations

import json

from sqlalchemy import func, select

import question_bank
from quiz.banks.models import Question
from quiz.banks.services import import_bank
from quiz.extensions import db
from tests.factories import sample_bank


def test_reimport_updates_instead_of_duplicating(make, clock):
    bank = sample_bank(2)
    _, added, updated = import_bank(bank, clock())
    assert (added, updated) == (len(bank.questions), 0)
    _, added, updated = import_bank(bank, clock())
    assert (added, updated) == (0, len(bank.questions))
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(bank.questions)


def test_export_then_import_gives_the_same_bank(runner, make, clock, tmp_path):
    bank = sample_bank(2)
    import_bank(bank, clock())
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["bank", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert question_bank.load_bank(out) == bank

    report = runner.invoke(args=["bank", "import", str(out), "--dry-run", "--json"])
    assert report.exit_code == 0, report.output
    body = json.loads(report.output)
    assert body["imported"] == len(bank.questions) and body["errors"] == []
