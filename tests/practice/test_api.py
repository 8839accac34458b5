"""Practice through the JSON API: categories, start, answer, the book, the daily set;
the responses match the OpenAPI schemas; bad input is a 4xx with fields, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.banks.models import Question
from quiz.extensions import db
from quiz.practice.models import PracticeItem
from tests.api.test_openapi import assert_valid, schema_validator
from tests.factories import PASSWORD


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _right(session_id: int, no: int) -> list[str]:
    item = db.session.get(PracticeItem, (session_id, no))
    question = db.session.get(Question, item.question_id)
    return sorted(chr(65 + item.option_order.index(k)) for k in question.answer)


def _wrong(session_id: int, no: int) -> list[str]:
    item = db.session.get(PracticeItem, (session_id, no))
    question = db.session.get(Question, item.question_id)
    key = next(k for k in item.option_order if k not in question.answer)
    return [chr(65 + item.option_order.index(key))]


@pytest.fixture
def setup(client, make):
    make.bank()
    user = make.user("bat", language="mn")
    return _token(client, "bat"), user


def test_practice_round_trip(client, setup):
    headers, _ = setup
    categories = client.get(
        "/api/v1/practice/categories", headers={**headers, "Accept-Language": "mn"}
    ).json
    assert_valid("PracticeCategories", categories)
    assert [c["id"] for c in categories["categories"]] == ["life-health", "safety-emergency"]
    assert categories["categories"][0]["questions"] == 12

    response = client.post(
        "/api/v1/practice",
        headers=headers,
        json={"language": "mn", "category": "life-health", "count": 4},
    )
    assert response.status_code == 201, response.json
    session = response.json
    assert_valid("PracticeSession", session)
    assert len(session["questions"]) == 4 and session["source"] == "practice"
    assert all(
        set(q) == {"no", "kind", "text", "options", "answered"} for q in session["questions"]
    )

    sid = session["id"]
    marked = client.put(
        f"/api/v1/practice/{sid}/answers/1", headers=headers, json={"choice": _wrong(sid, 1)}
    )
    assert marked.status_code == 200, marked.json
    assert_valid("PracticeMarked", marked.json)
    assert marked.json["correct"] is False
    assert marked.json["correct_options"] == _right(sid, 1)
    assert marked.json["explanation"].startswith("ᠲᠠᠶᠢᠯᠪᠤᠷᠢ")
    changed = client.put(
        f"/api/v1/practice/{sid}/answers/1", headers=headers, json={"choice": _right(sid, 1)}
    )
    assert changed.status_code == 409 and changed.json["error"]["code"] == "already_answered"

    state = client.get(f"/api/v1/practice/{sid}", headers=headers).json
    assert_valid("PracticeSession", state)
    assert state["questions"][0]["answered"] and "correct_options" in state["questions"][0]
    assert "correct_options" not in state["questions"][1]

    book = client.get("/api/v1/me/mistakes", headers=headers).json
    assert_valid("Mistakes", book)
    [entry] = book["entries"]
    assert entry["times_wrong"] == 1 and entry["source"] == "practice"
    assert entry["question"]["id"] == db.session.get(PracticeItem, (sid, 1)).question_id

    mistakes = client.post(
        "/api/v1/practice", headers=headers, json={"language": "mn", "source": "mistakes"}
    )
    assert mistakes.status_code == 201 and len(mistakes.json["questions"]) == 1


def test_the_key_never_shows_before_an_answer_in_the_schema():
    question = {"no": 1, "kind": "single", "text": "?", "options": [], "answered": False}
    assert not list(schema_validator("PracticeQuestion").iter_errors(question))
    leaked = {**question, "correct_options": ["A"]}
    assert list(schema_validator("PracticeQuestion").iter_errors(leaked))


def test_daily_through_the_api(client, setup, make):
    headers, _ = setup
    make.user("chen")
    other = _token(client, "chen")
    first = client.post(
        "/api/v1/practice", headers=headers, json={"language": "zh", "source": "daily"}
    )
    assert first.status_code == 201 and len(first.json["questions"]) == 5
    again = client.post(
        "/api/v1/practice", headers=headers, json={"language": "zh", "source": "daily"}
    )
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    theirs = client.post(
        "/api/v1/practice", headers=other, json={"language": "zh", "source": "daily"}
    )
    assert [q["text"] for q in theirs.json["questions"]] == [
        q["text"] for q in first.json["questions"]
    ]
    sid = first.json["id"]
    for no in range(1, 6):
        client.put(
            f"/api/v1/practice/{sid}/answers/{no}",
            headers=headers,
            json={"choice": _right(sid, no)},
        )
    status = client.get("/api/v1/me/daily", headers=headers).json
    assert_valid("DailyStatus", status)
    assert status["streak"] == 1 and status["done_today"] and status["session_id"] == sid


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "language"),
        ({"language": "fr"}, 422, "language"),
        ({"language": "zh", "count": -1}, 422, "count"),
        ({"language": "zh", "count": 10**12}, 422, "count"),
        ({"language": "zh", "category": "x" * 1000}, 422, "category"),
        ({"language": "zh", "source": "nope"}, 422, "source"),
        ({"language": 5}, 422, "language"),
        ({"language": "zh", "source": "mistakes"}, 409, None),
    ],
)
def test_bad_starts(client, setup, body, status, field):
    headers, _ = setup
    response = client.post("/api/v1/practice", headers=headers, json=body)
    assert response.status_code == status, response.json
    if field:
        assert field in response.json["error"]["fields"]
    else:
        assert response.json["error"]["code"] == "no_questions"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/answers/1", {"choice": "A"}, 422),
        ("/answers/1", {"choice": ["Q"]}, 422),
        ("/answers/1", {"choice": []}, 422),
        ("/answers/1", {"text": "water"}, 422),
        ("/answers/1", {}, 422),
        ("/answers/1", [], 400),
        ("/answers/99", {"choice": ["A"]}, 404),
        ("/answers/0", {"choice": ["A"]}, 404),
    ],
)
def test_bad_answers(client, setup, path, body, status):
    headers, _ = setup
    sid = client.post("/api/v1/practice", headers=headers, json={"language": "zh"}).json["id"]
    response = client.put(f"/api/v1/practice/{sid}{path}", headers=headers, json=body)
    assert response.status_code == status, response.json
    assert (
        db.session.scalar(select(PracticeItem).where(PracticeItem.answered_at.is_not(None))) is None
    )


def test_no_token_no_practice_and_sessions_are_private(client, setup, make):
    headers, _ = setup
    sid = client.post("/api/v1/practice", headers=headers, json={"language": "zh"}).json["id"]
    assert client.get("/api/v1/me/mistakes").status_code == 401
    assert client.post("/api/v1/practice", json={"language": "zh"}).status_code == 401
    make.user("chen")
    other = _token(client, "chen")
    response = client.put(
        f"/api/v1/practice/{sid}/answers/1", headers=other, json={"choice": ["A"]}
    )
    assert response.status_code == 404 and response.json["error"]["code"] == "practice_not_found"


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_PRACTICE_USER": "2/minute"}]
)
def test_starting_practice_is_rate_limited(client, setup, config_overrides):
    headers, _ = setup
    codes = [
        client.post("/api/v1/practice", headers=headers, json={"language": "zh"}).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
