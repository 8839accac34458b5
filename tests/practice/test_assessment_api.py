"""The self-test through the JSON API: start, answer, finish, the result in the
OpenAPI shapes; no key before finishing; others' tests 404; the deadline; history."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.practice.models import Assessment
from tests.api.test_openapi import assert_valid
from tests.factories import PASSWORD
from tests.practice.literacy_bank import import_literacy_bank
from tests.practice.test_assessment_services import right_keys, wrong_keys


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def headers(client, make, clock):
    import_literacy_bank(clock())
    make.user("bat", language="mn")
    make.user("other")
    return _token(client, "bat")


def test_self_test_round_trip(client, headers, clock):
    response = client.post(
        "/api/v1/assessments", headers=headers, json={"language": "mn", "age_group": "18-29"}
    )
    assert response.status_code == 201, response.json
    test = response.json
    assert_valid("Assessment", test)
    assert len(test["questions"]) == 50 and not test["finished"]
    text = str(test)
    for revealed in ("correct_options", "explanation", "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ", "benchmark"):
        assert revealed not in text
    base = f"/api/v1/assessments/{test['id']}"
    for no in range(1, 51):
        keys = right_keys(test["id"], no) if no <= 35 else wrong_keys(test["id"], no)
        saved = client.put(f"{base}/answers/{no}", headers=headers, json={"choice": keys})
        assert saved.status_code == 200, saved.json
        assert_valid("AssessmentAnswer", saved.json)
    again = client.get(base, headers=headers).json
    assert_valid("Assessment", again)
    assert "correct_options" not in str(again)

    other = _token(client, "other")
    assert client.get(base, headers=other).status_code == 404
    assert client.post(f"{base}/finish", headers=other).status_code == 404
    assert client.put(f"{base}/answers/1", headers=other, json={"choice": ["A"]}).status_code == 404

    result = client.post(f"{base}/finish", headers=headers)
    assert result.status_code == 200, result.json
    assert_valid("AssessmentResult", result.json)
    assert result.json["score"] == 70.0 and result.json["band"] == "literate"
    assert sum(result.json["parts"].values()) == pytest.approx(70.0)
    assert len(result.json["weakest"]) == 3
    finished = client.get(base, headers=headers).json
    assert_valid("Assessment", finished)
    assert all("correct_options" in q and q["explanation"] for q in finished["questions"])
    late = client.put(f"{base}/answers/1", headers=headers, json={"choice": ["A"]})
    assert late.status_code == 409 and late.json["error"]["code"] == "assessment_finished"

    history = client.get("/api/v1/me/history", headers=headers).json
    assert_valid("History", history)
    assert [(t["id"], t["score"], t["band"]) for t in history["self_tests"]] == [
        (test["id"], 70.0, "literate")
    ]


def test_after_the_deadline_answers_get_409_and_finish_works(client, headers, clock):
    test = client.post("/api/v1/assessments", headers=headers, json={"language": "zh"}).json
    base = f"/api/v1/assessments/{test['id']}"
    clock.advance(minutes=45)
    late = client.put(f"{base}/answers/1", headers=headers, json={"choice": ["A"]})
    assert late.status_code == 409 and late.json["error"]["code"] == "assessment_time_over"
    result = client.post(f"{base}/finish", headers=headers)
    assert result.status_code == 200 and result.json["score"] == 0 and result.json["band"] == "low"
    assert db.session.get(Assessment, test["id"]).finished_at is not None


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"language": "fr"}, 422),
        ({"language": 5}, 422),
        ({"language": "zh", "age_group": "99"}, 422),
        ({"language": "zh", "age_group": ["18-29"]}, 422),
        ([], 400),
    ],
)
def test_bad_starts_are_refused(client, headers, payload, status):
    response = client.post("/api/v1/assessments", headers=headers, json=payload)
    assert response.status_code == status, response.json


def test_a_language_the_bank_does_not_cover(client, make, clock):
    import_literacy_bank(clock(), with_mn=False)
    make.user("bat")
    response = client.post(
        "/api/v1/assessments", headers=_token(client, "bat"), json={"language": "mn"}
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "selftest_unavailable"


def test_practice_by_benchmark(client, headers):
    response = client.post(
        "/api/v1/practice", headers=headers, json={"language": "zh", "benchmark": "B03"}
    )
    assert response.status_code == 201, response.json
    assert len(response.json["questions"]) == 4
    bad = client.post("/api/v1/practice", headers=headers, json={"language": "zh", "benchmark": 3})
    assert bad.status_code == 422 and "benchmark" in bad.json["error"]["fields"]
