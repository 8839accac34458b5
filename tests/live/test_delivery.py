"""Delivering a state to a thousand waiting phones: the shared encoding says exactly what
``state_for`` says, and a new seq wakes every waiting request (quiz/live/hub.py)."""

from __future__ import annotations

import threading

import redis as redis_lib

from quiz.live import services
from quiz.live.hub import Hub
from tests.live.helpers import act, create_game, join, live_hall


def _viewer(gid: int, user) -> services.Viewer:
    return services.Viewer(host=False, player=services.find_player(gid, user, None))


def test_a_players_state_is_the_shared_encoding_of_state_for(client, make, clock):
    hall = live_hall(make, clock)
    game = create_game(client, hall)
    gid = game["id"]
    for i in range(3):
        join(client, hall, game["pin"], i)
    steps = ["advance", "pause", "resume", "advance", "advance", "end"]
    for step in [None, *steps]:
        if step:
            act(client, hall, gid, step)
        for user, token in hall.players:
            got = client.get(f"/api/v1/live-games/{gid}/state", headers=hall.bearer(token))
            assert got.status_code == 200 and got.mimetype == "application/json"
            viewer = _viewer(gid, user)
            snap = services.current_snapshot(gid)
            expected = services.state_for(viewer, snap, clock(), viewer.player.language)
            assert got.json == expected, step
    # One encoding per state and language, shared by every player.
    snap = services.current_snapshot(gid)
    first = services.hub().prepared(gid, int(snap["seq"]), "zh", lambda: None)
    assert first is services.hub().prepared(gid, int(snap["seq"]), "zh", lambda: None)
    assert first is not None


def test_a_new_seq_wakes_every_waiting_request(redis_url):
    hub = Hub(lambda: redis_lib.Redis.from_url(redis_url, decode_responses=True))
    woke: list[int] = []
    ready = threading.Barrier(21)

    def wait() -> None:
        ready.wait()
        hub.wait(7, 0, 30.0, lambda: None)
        woke.append(hub.known_seq(7))

    threads = [threading.Thread(target=wait) for _ in range(20)]
    for thread in threads:
        thread.start()
    ready.wait()
    hub.heard(7, 1)
    for thread in threads:
        thread.join(30)
    assert woke == [1] * 20
    # A request that timed out leaves no lock behind; one that comes late returns at once.
    hub.wait(7, 1, 0.01, lambda: None)
    assert not hub._game(7).sleepers
    hub.wait(7, 0, 30.0, lambda: None)
    hub.stop()
