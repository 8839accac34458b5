"""A new attempt's response (issue 18): built from per-process question payloads of the
bank's revision instead of a query, it must say exactly what the attempt page's state
says (``attempt_state``), in either language, and follow a bank edit at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from quiz.banks.models import QuestionBank, QuestionText
from quiz.extensions import db
from tests.factories import bearer as _bearer


def _start(client: Any, round_id: int, headers: dict[str, str], language: str) -> Any:
    return client.post(
        f"/api/v1/rounds/{round_id}/attempts", headers=headers, json={"language": language}
    )


def test_a_new_attempts_response_is_its_state(client, make):
    contest, round_ = make.setup()
    for language in ("zh", "mn"):
        headers = _bearer(client, make.enrolled(contest).username)
        started = _start(client, round_.id, headers, language)
        assert started.status_code == 201, started.json
        fresh = started.json
        state = client.get(
            f"/api/v1/attempts/{fresh['id']}?language={language}", headers=headers
        ).json
        assert fresh["language"] == language
        assert len(fresh["questions"]) == fresh["question_count"] > 0
        assert abs(fresh.pop("remaining_seconds") - state.pop("remaining_seconds")) <= 1
        assert fresh == state
        # Starting again returns the same attempt (200), the same questions.
        again = _start(client, round_.id, headers, language)
        assert again.status_code == 200
        assert again.json["id"] == fresh["id"]
        assert again.json["questions"] == fresh["questions"]


def test_a_bank_edit_shows_in_the_next_start(client, make):
    contest, round_ = make.setup()
    headers = _bearer(client, make.enrolled(contest).username)
    assert _start(client, round_.id, headers, "zh").status_code == 201  # payloads built
    # What a console edit does: new wording, and the bank's revision bumped with it.
    db.session.execute(
        update(QuestionText).where(QuestionText.language == "zh").values(text="改过的题目")
    )
    db.session.execute(
        update(QuestionBank)
        .where(QuestionBank.id == round_.bank_id)
        .values(revision=QuestionBank.revision + 1)
    )
    db.session.commit()
    headers = _bearer(client, make.enrolled(contest).username)
    started = _start(client, round_.id, headers, "zh")
    assert started.status_code == 201
    assert {q["text"] for q in started.json["questions"]} == {"改过的题目"}


def _not_called(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the start answered through the ORM state")


def test_a_bank_too_large_to_keep_renders_the_drawn_questions(client, make, monkeypatch):
    """Over ``PAYLOAD_MAX_QUESTIONS`` no payloads are kept: a start renders its own
    questions from one read, and says exactly what the attempt's state says."""
    from quiz.api import routes
    from quiz.play import state

    monkeypatch.setattr(state, "PAYLOAD_MAX_QUESTIONS", 1)
    contest, round_ = make.setup()
    for language in ("zh", "mn"):
        headers = _bearer(client, make.enrolled(contest).username)
        with monkeypatch.context() as patched:  # not the ORM state: the rendered questions
            patched.setattr(routes, "attempt_state", _not_called)
            started = _start(client, round_.id, headers, language)
        assert started.status_code == 201, started.json
        fresh = started.json
        assert state.question_payloads(round_.bank_id, 0, language) is None
        state_json = client.get(
            f"/api/v1/attempts/{fresh['id']}?language={language}", headers=headers
        ).json
        assert len(fresh["questions"]) == fresh["question_count"] > 0
        assert abs(fresh.pop("remaining_seconds") - state_json.pop("remaining_seconds")) <= 1
        assert fresh == state_json


def test_the_postgresql_start_statement_writes_every_required_column():
    """The one-statement start (PostgreSQL) names its columns in SQL text: a new attempt
    column that needs a value must be added there too, or this fails."""
    from quiz.play.models import Attempt
    from quiz.play.services import _START_POSTGRES

    sql = _START_POSTGRES.text
    for column in Attempt.__table__.columns:
        required = not column.nullable and column.server_default is None
        if required and not column.primary_key:
            assert f" {column.name}," in sql or f"({column.name}," in sql, column.name
