"""Two real app servers (gunicorn, gthread) share one game through SQL and Redis, and the
game goes on when one of them dies.

The players are split between the servers: a long-poll waiting on server B returns as
soon as the host advances on server A (Redis pub/sub), answers given on either server
count, and after server A is killed (SIGKILL, mid-game) the host and everyone carry on
through server B with their points.
"""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
from typing import Any

import pytest

from bench import servers
from quiz.clock import utcnow
from quiz.extensions import db
from tests.live.helpers import live_hall


class Http:
    """A tiny JSON client for one server (http.client: nothing to install)."""

    def __init__(self, server: servers.Server) -> None:
        self.port = server.port

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        payload = None if body is None else json.dumps(body)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, (json.loads(data) if data else None)


@pytest.fixture
def two_servers(app, migrated, redis_url, tmp_path):
    env = servers.app_environment(
        migrated,
        redis_url,
        QUIZ_LIVE_POLL_SECONDS="8",
        QUIZ_RATELIMIT_ENABLED="0",
        QUIZ_SECURE_COOKIES="0",
    )
    started = [
        servers.spawn(f"live-{i}", "wsgi:app", env, workers=1, threads=16, logdir=tmp_path)
        for i in range(2)
    ]
    try:
        for server in started:
            servers.wait_ready(server, "/api/v1/regions", 1)
        yield started
    finally:
        for server in started:
            server.stop()


def test_two_servers_share_a_game_and_survive_losing_one(two_servers, make, clock):
    clock.moment = utcnow()  # the servers run on the real clock (tokens must be valid)
    hall = live_hall(make, clock, players=2)
    round_id = hall.round.id
    # Outside a request every SQLite transaction takes the write lock: end ours, or the
    # servers would wait for it.
    db.session.commit()
    a, b = (Http(s) for s in two_servers)
    host = hall.host_headers
    p1, p2 = (hall.bearer(t) for _, t in hall.players)
    status, game = a.call("POST", "/api/v1/live-games", {"round_id": round_id}, host)
    assert status == 201, game
    gid, pin = game["id"], game["pin"]
    assert a.call("POST", "/api/v1/live-games/join", {"pin": pin}, p1)[0] == 200
    assert b.call("POST", "/api/v1/live-games/join", {"pin": pin}, p2)[0] == 200
    status, lobby = b.call("GET", f"/api/v1/live-games/{gid}/state", headers=host)
    assert lobby["players"] == 2  # joined on two servers, counted on either

    # A long-poll waits on B; the host advances on A; B answers within a second.
    waited: dict[str, Any] = {}

    def poll() -> None:
        started = time.monotonic()
        waited["state"] = b.call(
            "GET", f"/api/v1/live-games/{gid}/state?after={lobby['seq']}", headers=p2
        )[1]
        waited["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(1.0)  # the poll is waiting on server B
    pushed = time.monotonic()
    status, opened = a.call("POST", f"/api/v1/live-games/{gid}/advance", {}, host)
    assert status == 200 and opened["phase"] == "question"
    waiter.join(timeout=10)
    assert waited["state"]["phase"] == "question" and waited["state"]["question"]["no"] == 1
    assert time.monotonic() - pushed < 2.0 and waited["seconds"] > 0.9

    # Answers on the other server each.
    assert b.call("PUT", f"/api/v1/live-games/{gid}/answers/1", {"choice": ["A"]}, p1)[0] == 200
    assert a.call("PUT", f"/api/v1/live-games/{gid}/answers/1", {"choice": ["B"]}, p2)[0] == 200
    assert a.call("PUT", f"/api/v1/live-games/{gid}/answers/1", {"choice": ["A"]}, p1)[0] == 409
    status, revealed = b.call("POST", f"/api/v1/live-games/{gid}/advance", {}, host)
    assert revealed["phase"] == "reveal" and revealed["reveal"]["answered"] == 2
    scores = {
        e["display_name"]: e["score"]
        for e in a.call("GET", f"/api/v1/live-games/{gid}/results", headers=p1)[1]["ranking"]
    }

    # Server A dies in the middle of the game; everyone goes on through B.
    two_servers[0].process.send_signal(signal.SIGKILL)
    two_servers[0].process.wait(timeout=10)
    status, second = b.call("POST", f"/api/v1/live-games/{gid}/advance", {}, host)
    assert status == 200 and second["question"]["no"] == 2
    for headers in (p1, p2):
        status, seen = b.call(
            "GET", f"/api/v1/live-games/{gid}/state?after={revealed['seq']}", headers=headers
        )
        assert (
            seen["question"]["no"] == 2
            and seen["me"]["score"] == scores[seen["me"]["display_name"]]
        )
        assert (
            b.call("PUT", f"/api/v1/live-games/{gid}/answers/2", {"choice": ["A"]}, headers)[0]
            == 200
        )
    for _ in range(20):
        status, current = b.call("POST", f"/api/v1/live-games/{gid}/advance", {}, host)
        assert status == 200
        if current["phase"] == "finished":
            break
    final = b.call("GET", f"/api/v1/live-games/{gid}/results", headers=p2)[1]
    assert final["finished"] and len(final["ranking"]) == 2
