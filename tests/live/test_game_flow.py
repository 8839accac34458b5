"""A whole live game through the API: lobby, questions, reveals, the end, the results
stored as the round's results."""

from __future__ import annotations

from sqlalchemy import select

from quiz.extensions import db
from quiz.live import services
from quiz.live.models import LiveGame
from quiz.play.models import Attempt
from tests.live.helpers import act, create_game, join, live_hall, state


def test_a_whole_game(client, make, clock):
    hall = live_hall(make, clock)
    game = create_game(client, hall)
    assert game["phase"] == "lobby" and len(game["pin"]) == 6
    gid = game["id"]
    joined = [join(client, hall, game["pin"], i) for i in range(3)]
    assert {j["game_id"] for j in joined} == {gid}
    lobby = state(client, gid, hall.host_headers)
    assert lobby["players"] == 3 and lobby["phase"] == "lobby"
    first = act(client, hall, gid, "advance")
    assert first["phase"] == "question" and first["question"]["no"] == 1
    p0 = hall.bearer(hall.players[0][1])
    seen = state(client, gid, p0, after=1)
    assert seen["question"]["seconds_left"] == 20 and seen["reveal"] is None
    clock.advance(seconds=2)
    r = client.put(f"/api/v1/live-games/{gid}/answers/1", json={"choice": ["A"]}, headers=p0)
    assert r.status_code == 200 and r.json == {"accepted": True}
    again = client.put(f"/api/v1/live-games/{gid}/answers/1", json={"choice": ["B"]}, headers=p0)
    assert again.status_code == 409
    reveal = act(client, hall, gid, "advance")
    assert reveal["phase"] == "reveal" and reveal["reveal"]["correct"]
    late = client.put(f"/api/v1/live-games/{gid}/answers/1", json={"choice": ["A"]}, headers=p0)
    assert late.status_code == 409
    for _ in range(20):
        current = act(client, hall, gid, "advance")
        if current["phase"] == "finished":
            break
    results = client.get(f"/api/v1/live-games/{gid}/results", headers=p0).json
    assert results["finished"] and len(results["ranking"]) == 3
    row = db.session.get(LiveGame, gid)
    attempts = db.session.scalars(select(Attempt).where(Attempt.round_id == hall.round.id)).all()
    assert all(a.finished_at is not None for a in attempts)
    recomputed = services.recompute(row)
    assert sorted(s.points for s in recomputed.values()) == sorted(a.points for a in attempts)
