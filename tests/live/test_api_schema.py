"""The live endpoints answer exactly the shapes the OpenAPI document describes."""

from __future__ import annotations

from tests.api.test_openapi import assert_valid
from tests.live.helpers import act, create_game, join, live_hall, state


def test_live_answers_match_their_schemas(client, make, clock):
    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall, teams="league", allow_guests=True)
    assert_valid("LiveGameCreated", game)
    gid = game["id"]
    assert_valid("LiveJoined", join(client, hall, game["pin"], 0))
    guest = client.post(
        "/api/v1/live-games/join", json={"pin": game["pin"], "display_name": "Zaya"}
    ).json
    assert_valid("LiveJoined", guest)
    p0 = hall.bearer(hall.players[0][1])
    seen = [state(client, gid, hall.host_headers), state(client, gid, p0)]
    for _ in range(20):
        current = act(client, hall, gid, "advance")
        seen += [
            current,
            state(client, gid, p0),
            state(client, gid, {"X-Live-Token": guest["token"]}),
        ]
        if current["phase"] == "question":
            no = current["question"]["no"]
            client.put(f"/api/v1/live-games/{gid}/answers/{no}", json={"choice": ["A"]}, headers=p0)
        if current["phase"] == "finished":
            break
    phases = set()
    for body in seen:
        assert_valid("LiveState", body)
        phases.add(body["phase"])
    assert phases == {"lobby", "question", "reveal", "finished"}
    results = client.get(f"/api/v1/live-games/{gid}/results", headers=p0).json
    assert_valid("LiveResults", results)
    assert results["teams"] and len(results["podium"]) == 2  # 3 places, 2 players
