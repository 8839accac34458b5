"""The console shows each question's science-literacy benchmark and part, and the bank
page filters by benchmark (the self-test draws by benchmark, so organizers check coverage)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from question_bank.literacy import BENCHMARKS
from quiz.banks.models import Question as QuestionRow
from quiz.banks.services import import_bank
from quiz.extensions import db
from tests.banks.console_helpers import organizer_client, own_banks
from tests.factories import sample_bank


def _bank_with_benchmarks(clock: Any):
    bank = sample_bank(1)
    tagged = {
        "q-001": ("B07", "spirit"),
        "q-002": ("B24", "application"),
        "q-003": ("B24", "spirit"),
    }
    questions = tuple(
        replace(q, benchmark=tagged[q.id][0], literacy_part=tagged[q.id][1])
        if q.id in tagged
        else q
        for q in bank.questions
    )
    return import_bank(replace(bank, questions=questions), clock())[0]


def test_bank_page_filters_by_benchmark_and_shows_it(app, make, clock):
    row = _bank_with_benchmarks(clock)
    browser = organizer_client(app, make)
    page = f"/console/banks/{row.id}"

    def ids(**args: Any) -> list[str]:
        html = browser.get(page, query_string=args).get_data(as_text=True)
        return re.findall(r'<tr class="question-row" data-question="([^"]+)"', html)

    assert ids(benchmark="B24") == ["q-002", "q-003"]
    assert ids(benchmark="B07") == ["q-001"]
    assert len(ids(benchmark="B99")) == len(ids())  # an unknown value is ignored
    html = browser.get(page, query_string={"benchmark": "B24"}).get_data(as_text=True)
    assert f'<abbr title="{BENCHMARKS["B24"].zh}">B24</abbr>' in html
    assert '<option value="B24" selected>' in html


def test_question_page_shows_benchmark_and_part(app, make, clock):
    row = _bank_with_benchmarks(clock)
    target = db.session.scalars(select(QuestionRow).where(QuestionRow.external_id == "q-003")).one()
    browser = organizer_client(app, make)
    own_banks(browser)
    html = browser.get(f"/console/banks/{row.id}/questions/{target.id}").get_data(as_text=True)
    assert 'data-benchmark="B24"' in html
    assert BENCHMARKS["B24"].zh in html
    plain = db.session.scalars(select(QuestionRow).where(QuestionRow.external_id == "q-004")).one()
    html = browser.get(f"/console/banks/{row.id}/questions/{plain.id}").get_data(as_text=True)
    assert "data-benchmark" not in html
