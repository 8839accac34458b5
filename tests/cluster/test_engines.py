"""The app on a real Redis Cluster (three masters) and on a Sentinel-watched primary:
the participant flow over HTTP with live scores, a freeze, a rebuild from SQL that
equals the live boards, the rate limiter counting in that Redis, a live game, and (on
Sentinel) a failover in the middle of a round that loses no acknowledged answer.

Run by ``make test-cluster`` (tests/cluster/conftest.py starts the servers).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.accounts.services import issue_token
from quiz.edge.client import Actor
from quiz.extensions import db, redis_store
from quiz.leaderboards import services as boards
from quiz.leaderboards.live import forget_boards
from quiz.leaderboards.store import FROZEN, BoardKeys
from quiz.play.models import Answer, Attempt
from quiz.results import services as results
from tests.cluster.conftest import Engine
from tests.cluster.servers import RedisSentinelServers
from tests.factories import log_in
from tests.live.helpers import act, create_game, join, live_hall, state

pytestmark = pytest.mark.cluster


def _boards(contest_id: int) -> dict[str, list]:
    """Every board of a contest (live and frozen), as Redis holds it."""
    client = redis_store.client
    keys = sorted(
        k
        for k in client.scan_iter(match=f"{BoardKeys(contest_id).tag}*")
        if (":all" in k or ":league:" in k) and ":tmp:" not in k
    )
    return {k: client.zrange(k, 0, -1, withscores=True) for k in keys}


def _play(client: Any, round_id: int, answers: int, finish: bool = True) -> dict[str, Any]:
    """Start an attempt over the API, answer ``answers`` questions (A), maybe finish."""
    started = client.post(f"/api/v1/rounds/{round_id}/attempts", json={"language": "zh"})
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt_id = started.json["id"]
    for no in range(1, answers + 1):
        saved = client.put(f"/api/v1/attempts/{attempt_id}/answers/{no}", json={"choice": ["A"]})
        assert saved.status_code == 200, saved.get_data(as_text=True)
    if not finish:
        return {"id": attempt_id}
    done = client.post(f"/api/v1/attempts/{attempt_id}/finish")
    assert done.status_code == 200, done.get_data(as_text=True)  # was a 500 on a Cluster
    return {"id": attempt_id, **done.json}


def test_participants_live_scores_freeze_and_rebuild(app, engine: Engine, make, clock, client):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank(), live_scores=True)
    people = [make.enrolled(contest) for _ in range(3)]
    db.session.commit()

    # The first finishes; the second is still playing (live scores show them anyway).
    log_in(client, people[0])
    first = _play(client, round_.id, 4)
    assert first["rank"] == 1
    client.post("/logout")
    log_in(client, people[1])
    _play(client, round_.id, 2, finish=False)
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json
    assert board["total"] == 2 and board["me"] is not None

    # A freeze: participants see the board as it stood; the live board moves on.
    clock.advance(minutes=1)
    assert results.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits; the frozen boards are built after it
    client.post("/logout")
    log_in(client, people[2])
    clock.advance(minutes=1)
    _play(client, round_.id, 6)
    seen = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json
    assert seen["frozen"] is True and seen["total"] == 1 and seen["me"] is None  # finished by then
    live = boards.read_board(contest, round_.id, None, 10, None, None, clock())
    assert live.total == 3

    # SQL is the truth: Redis emptied, the rebuild reproduces the live and frozen boards.
    before = _boards(contest.id)
    assert any(FROZEN in k for k in before) and len(before) >= 4
    redis_store.client.flushdb()
    boards.rebuild(clock(), [contest.id])
    assert _boards(contest.id) == before


def test_a_lost_board_is_rebuilt_on_the_next_read(app, engine: Engine, make, clock, client):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    db.session.commit()
    log_in(client, user)
    _play(client, round_.id, 3)
    before = _boards(contest.id)
    engine.servers.flush()  # every node restarted empty: scripts and boards gone
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json
    assert board["total"] == 1 and board["stale"] is False
    assert _boards(contest.id) == before
    # The scripts were loaded again by that rebuild; the hot path publishes with them.
    other = make.enrolled(contest)
    db.session.commit()
    client.post("/logout")
    log_in(client, other)
    _play(client, round_.id, 1)
    # This process may serve its copy of the top for QUIZ_BOARD_CACHE_SECONDS after the
    # version moved (quiz/leaderboards/live.py); the board in Redis is what is checked.
    forget_boards()
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json["total"] == 2


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.node.name.startswith("test_the_rate_limiter"):
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": "5/minute"}
    return {"QUIZ_LIVE_POLL_SECONDS": 0.2, "QUIZ_LIVE_HOST_POLL_SECONDS": 0.1}


def test_the_rate_limiter_counts_in_this_redis(app, engine: Engine, make, clock, client):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    db.session.commit()
    log_in(client, user)
    attempt = client.post(f"/api/v1/rounds/{round_.id}/attempts", json={"language": "zh"}).json
    codes = [
        client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/1", json={"choice": ["A"]}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    # Counted in the engine's Redis, not in the per-process fallback used when it is down.
    assert list(redis_store.client.scan_iter(match="*rl*"))


def test_the_rate_limiter_counts_lane_answers_in_this_redis(
    app, engine: Engine, make, clock, client
):
    """Bearer saves in a live-score round (the answer lane): on a Cluster the account's
    counter and the contest's boards hash to different slots, and with Sentinel the
    counters' database may differ, so the count keeps its own round trip before the
    save there; the limit refuses the sixth all the same."""
    contest, round_ = make.setup(live_scores=True)
    user = make.enrolled(contest)
    headers = {"Authorization": f"Bearer {issue_token(user, clock(), 1)[0]}"}
    db.session.commit()
    attempt = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", json={"language": "zh"}, headers=headers
    ).json
    codes = [
        client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/1", json={"choice": ["A"]}, headers=headers
        ).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert list(redis_store.client.scan_iter(match="*rl*"))
    assert boards.read_board(contest, round_.id, None, 10, None, None, clock()).total == 1


def test_a_live_game_round_trip(app, engine: Engine, make, clock, client):
    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall)
    gid = game["id"]
    heads = [hall.bearer(token) for _, token in hall.players]
    for i in range(2):
        join(client, hall, game["pin"], i)
    assert state(client, gid, hall.host_headers)["players"] == 2
    act(client, hall, gid, "advance")
    for head in heads:
        state(client, gid, head, after=1)
        clock.advance(seconds=1)
        answer = client.put(
            f"/api/v1/live-games/{gid}/answers/1", json={"choice": ["A"]}, headers=head
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
    assert act(client, hall, gid, "advance")["phase"] == "reveal"
    for _ in range(20):
        if act(client, hall, gid, "advance")["phase"] == "finished":
            break
    ranking = client.get(f"/api/v1/live-games/{gid}/results", headers=heads[0]).json["ranking"]
    board = boards.read_board(hall.contest, hall.round.id, None, 10, None, None, clock())
    assert [e.score for e in board.entries] == [r["score"] for r in ranking]


@pytest.mark.parametrize("engine", ["sentinel"], indirect=True)
def test_a_sentinel_failover_mid_round_loses_no_acknowledged_answer(
    app, engine: Engine, make, clock, client
):
    servers = engine.servers
    assert isinstance(servers, RedisSentinelServers)
    contest, round_ = make.setup(live_scores=True)
    users = [make.enrolled(contest) for _ in range(12)]
    heads = [{"Authorization": f"Bearer {issue_token(u, clock(), 1)[0]}"} for u in users]
    db.session.commit()
    attempts = []
    for head in heads:
        started = client.post(
            f"/api/v1/rounds/{round_.id}/attempts", json={"language": "zh"}, headers=head
        )
        attempts.append((started.json["id"], started.json["question_count"]))
    old_primary = servers.current_primary()
    new_primary: list[int] = []
    thread = threading.Thread(target=lambda: new_primary.append(servers.failover()))

    # Answers go on while the Sentinels promote the replica, and after it: each player
    # answers their questions in turn (with live scores every answer writes the boards),
    # then sends the same answers again (an idempotent success) until the failover is over.
    sent, during, answered = 0, 0, set()
    for turn in range(2000):
        for head, (attempt_id, count) in zip(heads, attempts, strict=True):
            no = turn % count + 1
            response = client.put(
                f"/api/v1/attempts/{attempt_id}/answers/{no}", json={"choice": ["A"]}, headers=head
            )
            sent += 1
            during += thread.is_alive()
            # A Redis failover never refuses an answer: every one is acknowledged.
            assert response.status_code == 200, response.get_data(as_text=True)
            answered.add((attempt_id, no))
        if turn == 0:
            thread.start()
        if new_primary and turn >= max(c for _, c in attempts):
            break
    thread.join()
    assert new_primary and new_primary[0] != old_primary
    assert during > 0  # answers were saved while the failover ran
    for head, (attempt_id, _) in zip(heads, attempts, strict=True):
        assert client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=head).status_code == 200
    stored = {tuple(row) for row in db.session.execute(select(Answer.attempt_id, Answer.no))}
    assert stored == answered  # every acknowledged answer is in SQL

    # On the boards after a rebuild: the healed boards equal a fresh rebuild and SQL.
    boards.heal(clock())
    live = _boards(contest.id)
    boards.rebuild(clock(), [contest.id])
    assert _boards(contest.id) == live
    on_board = boards.read_board(contest, round_.id, None, 100, None, None, clock())
    points = {
        row.user_id: row.points
        for row in db.session.execute(select(Attempt.user_id, Attempt.points))
    }
    assert {e.user_id: e.score for e in on_board.entries} == points
