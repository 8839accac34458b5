"""Bad input to the API gets a clear 4xx in the documented shape and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.play.models import Answer, Attempt
from tests.factories import PASSWORD


@pytest.fixture
def player(client, make):
    contest, round_ = make.setup(live_scores=True)
    user = make.enrolled(contest)
    token = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    attempt = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    ).json
    return {"headers": headers, "attempt": attempt, "round": round_, "contest": contest}


def _answers() -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.json
    body = response.json
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    "payload",
    [
        {"data": "not json", "content_type": "application/json"},
        {"data": "[1, 2]", "content_type": "application/json"},
        {"data": "choice=A", "content_type": "application/x-www-form-urlencoded"},
    ],
)
def test_malformed_bodies(client, player, payload):
    url = f"/api/v1/attempts/{player['attempt']['id']}/answers/1"
    _error(client.put(url, headers=player["headers"], **payload), 400, "invalid_json")
    assert _answers() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "choice"),
        ({"choice": "A"}, "choice"),
        ({"choice": ["Q"]}, "choice"),
        ({"choice": [None]}, "choice"),
    ],
)
def test_bad_choices(client, player, body, field):
    url = f"/api/v1/attempts/{player['attempt']['id']}/answers/1"
    error = _error(client.put(url, headers=player["headers"], json=body), 422, "validation_failed")
    assert field in error["fields"]
    assert _answers() == 0


def test_wrong_question_number_and_unknown_attempt(client, player):
    attempt_id = player["attempt"]["id"]
    _error(
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/99",
            headers=player["headers"],
            json={"choice": ["A"]},
        ),
        404,
        "question_not_found",
    )
    _error(
        client.put(
            f"/api/v1/attempts/{attempt_id + 7}/answers/1",
            headers=player["headers"],
            json={"choice": ["A"]},
        ),
        404,
        "attempt_not_found",
    )
    assert _answers() == 0


def test_another_users_attempt_is_not_found(client, make, player):
    intruder = make.enrolled(player["contest"])
    token = client.post(
        "/api/v1/auth/token", json={"username": intruder.username, "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    attempt_id = player["attempt"]["id"]
    for response in (
        client.get(f"/api/v1/attempts/{attempt_id}", headers=headers),
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/1", headers=headers, json={"choice": ["A"]}
        ),
        client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=headers),
    ):
        _error(response, 404, "attempt_not_found")
    assert _answers() == 0
    assert db.session.get(Attempt, attempt_id).finished_at is None


def test_missing_and_bad_fields_at_registration(client):
    error = _error(client.post("/api/v1/auth/register", json={}), 422, "validation_failed")
    assert {"username", "password", "display_name", "region_code", "language"} <= set(
        error["fields"]
    )
    error = _error(
        client.post(
            "/api/v1/auth/register",
            json={
                "username": 5,
                "password": "x",
                "display_name": "a",
                "region_code": "150102",
                "language": "zh",
            },
        ),
        422,
        "validation_failed",
    )
    assert "username" in error["fields"]


def test_start_needs_a_language_and_enrollment(client, make, player):
    round_id = player["round"].id
    _error(
        client.post(f"/api/v1/rounds/{round_id}/attempts", headers=player["headers"], json={}),
        422,
        "validation_failed",
    )
    _error(
        client.post(
            f"/api/v1/rounds/{round_id}/attempts",
            headers=player["headers"],
            json={"language": "en"},
        ),
        422,
        "validation_failed",
    )
    outsider = make.user()
    token = client.post(
        "/api/v1/auth/token", json={"username": outsider.username, "password": PASSWORD}
    ).json["token"]
    _error(
        client.post(
            f"/api/v1/rounds/{round_id}/attempts",
            headers={"Authorization": f"Bearer {token}"},
            json={"language": "zh"},
        ),
        403,
        "not_enrolled",
    )


def test_leaderboard_query_arguments(client, player):
    url = f"/api/v1/rounds/{player['round'].id}/leaderboard"
    for query in ("limit=0", "limit=1000", "limit=x", "league=abc", "league=999999"):
        _error(client.get(f"{url}?{query}", headers=player["headers"]), 422, "validation_failed")
    assert client.get(f"{url}?limit=5", headers=player["headers"]).status_code == 200


def test_unauthenticated_and_unknown(client, player):
    _error(client.get("/api/v1/me"), 401, "unauthorized")
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    _error(
        client.get("/api/v1/rounds/99999/leaderboard", headers=player["headers"]),
        404,
        "round_not_found",
    )
    _error(client.get("/api/v1/nothing-here"), 404, "not_found")
    _error(client.delete("/api/v1/me", headers=player["headers"]), 405, "method_not_allowed")


def test_leaderboard_etag_gives_304(client, player, clock):
    url = f"/api/v1/rounds/{player['round'].id}/leaderboard"
    first = client.get(url, headers=player["headers"])
    etag = first.headers["ETag"]
    second = client.get(url, headers={**player["headers"], "If-None-Match": etag})
    assert second.status_code == 304
    clock.advance(seconds=3)
    client.put(
        f"/api/v1/attempts/{player['attempt']['id']}/answers/1",
        headers=player["headers"],
        json={"choice": ["A"]},
    )
    third = client.get(url, headers={**player["headers"], "If-None-Match": etag})
    assert third.status_code == 200


DEEP = "[" * 5000 + "]" * 5000
NESTED = '{"choice": ' + "[" * 40 + '"A"' + "]" * 40 + "}"


@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        '{"choice": ' + DEEP + "}",
        NESTED,
        '{"choice": ["\\ud800"]}',
        '{"choice": ["A"], "\\udfff": 1}',
        '{"choice": ["A\\udc00"]}',
        '{"choice": ["A"], "n": ' + "9" * 5000 + "}",
        '{"choice": ["A\\u0000"]}',
    ],
    ids=[
        "deep",
        "deep-inside",
        "nested-40",
        "surrogate",
        "surrogate-key",
        "low-surrogate",
        "5000-digits",
        "nul",
    ],
)
def test_json_nested_thousands_deep_or_with_unpaired_surrogates_is_400(client, player, raw):
    """Valid JSON that no handler could use: Python's parser overflows at ~1,000 levels,
    a lone surrogate cannot be stored as UTF-8, and Python refuses integers of more than
    4,300 digits. All are unreadable bodies (400), in the caller's language, and nothing
    is saved."""
    url = f"/api/v1/attempts/{player['attempt']['id']}/answers/1"
    headers = {**player["headers"], "Accept-Language": "mn"}
    response = client.put(url, headers=headers, data=raw, content_type="application/json")
    error = _error(response, 400, "invalid_json")
    assert any("\u1820" <= ch <= "\u18af" for ch in error["message"])  # Mongolian script
    assert _answers() == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"username": "\\ud800", "password": "x"}',
        '{"username": ' + DEEP + ', "password": "x"}',
    ],
)
def test_unauthenticated_json_endpoints_refuse_them_too(client, raw):
    for url in ("/api/v1/auth/token", "/api/v1/auth/register"):
        response = client.post(url, data=raw, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert response.json["error"]["code"] == "invalid_json"


def test_paired_surrogates_are_an_ordinary_character(client, make):
    """An emoji written as a JSON surrogate pair is one character, and is fine."""
    response = client.post(
        "/api/v1/auth/register",
        data='{"username": "emoji1", "password": "correct-horse-9", '
        '"display_name": "Bat \\ud83d\\ude00", "region_code": "150102", "language": "zh"}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.json
