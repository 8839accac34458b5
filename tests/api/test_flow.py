"""The whole participant flow through the JSON API."""

from __future__ import annotations

from tests.factories import PASSWORD


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_register_enroll_take_quiz_and_rank(client, make, clock):
    contest, round_ = make.setup()
    response = client.post(
        "/api/v1/auth/register",
        json={
            "username": "Bat",
            "password": PASSWORD,
            "display_name": "巴特",
            "region_code": "150102",
            "language": "mn",
        },
    )
    assert response.status_code == 201, response.json
    headers = _token(client, "bat")  # usernames are case-insensitive

    me = client.get("/api/v1/me", headers=headers).json
    assert me["region"]["code"] == "150102" and me["roles"] == ["participant"]

    contests = client.get("/api/v1/contests", headers=headers).json["contests"]
    assert [c["id"] for c in contests] == [contest.id]
    assert len(contests[0]["leagues"]) == 12

    response = client.post(f"/api/v1/contests/{contest.id}/enrollment", headers=headers, json={})
    assert response.status_code == 201
    assert response.json["league"]["code"] == "150100"
    again = client.post(f"/api/v1/contests/{contest.id}/enrollment", headers=headers, json={})
    assert again.status_code == 200

    response = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "mn"}
    )
    assert response.status_code == 201, response.json
    attempt = response.json
    assert len(attempt["questions"]) == 6
    assert attempt["remaining_seconds"] == 600
    assert "correct" not in attempt["questions"][0]
    same = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "mn"}
    )
    assert same.status_code == 200 and same.json["id"] == attempt["id"]

    clock.advance(seconds=30)
    for question in attempt["questions"]:
        response = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{question['no']}",
            headers=headers,
            json={"choice": ["A"]},
        )
        assert response.status_code == 200, response.json
    clock.advance(seconds=5)
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert len(state["answers"]) == 6
    assert state["remaining_seconds"] == 600 - 35

    result = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    assert result.status_code == 200, result.json
    assert result.json["time_used_ms"] == 35_000
    assert result.json["rank"] == 1 and result.json["league_rank"] == 1
    again = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    assert again.json == result.json

    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=headers).json
    assert board["entries"][0]["display_name"] == "巴特"
    assert board["entries"][0]["score"] == result.json["score"]
    assert board["me"]["rank"] == 1

    late = client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/1", headers=headers, json={"choice": ["B"]}
    )
    assert late.status_code == 409
    assert late.json["error"]["code"] == "attempt_finished"
