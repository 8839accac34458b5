"""A whole live game through the API: lobby, questions, reveals, the end, the results
stored as the round's results."""

from __future__ import annotations

from sqlalchemy import func, select

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


# --- helpers ----------------------------------------------------------------------------


def _key(game_id: int, no: int) -> list[str]:
    """The right display key(s) of question ``no`` (what only the reveal shows players)."""
    from quiz.banks.models import Question
    from quiz.play.services import display_key

    item = db.session.get(LiveGame, game_id).items[no - 1]
    question = db.session.get(Question, item["question_id"])
    return sorted(display_key(item["option_order"].index(k)) for k in question.answer)


def _wrong(game_id: int, no: int) -> list[str]:
    item = db.session.get(LiveGame, game_id).items[no - 1]
    right = set(_key(game_id, no))
    keys = [chr(65 + i) for i in range(len(item["option_order"]))]
    return [next(k for k in keys if k not in right)]


def _put(client, gid, no, choice, headers):
    return client.put(
        f"/api/v1/live-games/{gid}/answers/{no}", json={"choice": choice}, headers=headers
    )


# --- speed from the player's own receipt, streaks, pause --------------------------------


def test_speed_counts_from_when_each_player_received_the_question(client, make, clock):
    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall, streaks=False)
    gid = game["id"]
    fast, slow = (hall.bearer(t) for _, t in hall.players)
    for i in range(2):
        join(client, hall, game["pin"], i)
    act(client, hall, gid, "advance", seconds=20)
    state(client, gid, fast, after=1)  # the first phone sees the question at once
    clock.advance(seconds=10)
    state(client, gid, slow, after=1)  # the second one only 10 s later (a slow network)
    clock.advance(seconds=2)
    right = _key(gid, 1)
    assert _put(client, gid, 1, right, fast).status_code == 200  # 12 s after receipt
    assert _put(client, gid, 1, right, slow).status_code == 200  # 2 s after receipt
    act(client, hall, gid, "advance")
    ranking = client.get(f"/api/v1/live-games/{gid}/results", headers=fast).json["ranking"]
    by_name = {r["display_name"]: r for r in ranking}
    base = db.session.get(LiveGame, gid).items[0]["points"]
    assert by_name["player0"]["score"] == base + base * 8_000 // 20_000
    assert by_name["player1"]["score"] == base + base * 18_000 // 20_000
    assert ranking[0]["display_name"] == "player1"  # the slow network was no penalty


def test_pause_stops_the_clock_and_answers(client, make, clock):
    hall = live_hall(make, clock, players=1)
    game = create_game(client, hall, speed_points=True)
    gid = game["id"]
    join(client, hall, game["pin"], 0)
    p0 = hall.bearer(hall.players[0][1])
    act(client, hall, gid, "advance", seconds=20)
    state(client, gid, p0, after=1)
    clock.advance(seconds=4)
    paused = act(client, hall, gid, "pause")
    assert paused["paused"] and paused["question"]["seconds_left"] == 16
    refused = _put(client, gid, 1, _key(gid, 1), p0)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "outside_window"
    clock.advance(seconds=60)  # a long pause: no time runs out, no answer time counts
    resumed = act(client, hall, gid, "resume")
    assert resumed["question"]["seconds_left"] == 16
    clock.advance(seconds=4)
    assert _put(client, gid, 1, _key(gid, 1), p0).status_code == 200
    from quiz.live.models import LiveResponse

    assert db.session.scalar(select(LiveResponse.elapsed_ms)) == 8_000


def test_a_question_closes_by_itself_when_its_time_is_up(client, make, clock):
    hall = live_hall(make, clock, players=1)
    game = create_game(client, hall)
    gid = game["id"]
    join(client, hall, game["pin"], 0)
    p0 = hall.bearer(hall.players[0][1])
    opened = act(client, hall, gid, "advance", seconds=10)
    clock.advance(seconds=11)  # within the grace period: still open
    assert state(client, gid, p0)["phase"] == "question"
    clock.advance(seconds=2)
    late = _put(client, gid, 1, ["A"], p0)
    assert late.status_code == 409
    after = state(client, gid, p0, after=opened["seq"])  # the poll closes it
    assert after["phase"] == "reveal" and after["me"]["last_correct"] is None


# --- skip, end early, teams -------------------------------------------------------------


def test_skip_voids_a_question_and_end_drops_the_rest(client, make, clock):
    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall, teams="league")
    gid = game["id"]
    for i in range(2):
        join(client, hall, game["pin"], i)
    heads = [hall.bearer(t) for _, t in hall.players]
    act(client, hall, gid, "advance")
    assert _put(client, gid, 1, _key(gid, 1), heads[0]).status_code == 200
    second = act(client, hall, gid, "skip")  # q1 and its answer are gone; q2 is open
    assert second["phase"] == "question" and second["question"]["no"] == 2
    assert second["question_count"] == 5
    assert _put(client, gid, 2, _key(gid, 2), heads[1]).status_code == 200
    act(client, hall, gid, "advance")  # reveal q2
    skipped = act(client, hall, gid, "skip")  # between questions: q3 goes unseen
    assert skipped["phase"] == "reveal" and skipped["question_count"] == 4
    third = act(client, hall, gid, "advance")
    assert third["question"]["no"] == 4
    done = act(client, hall, gid, "end")  # q4 is scored, q5 and q6 dropped
    assert done["phase"] == "finished" and done["question_count"] == 2
    attempts = db.session.scalars(select(Attempt).where(Attempt.round_id == hall.round.id)).all()
    assert {a.question_count for a in attempts} == {2}
    from quiz.play.models import Answer, AttemptItem

    assert sorted(n for (n,) in db.session.execute(select(AttemptItem.no).distinct())) == [2, 4]
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    results = client.get(f"/api/v1/live-games/{gid}/results", headers=heads[0]).json
    assert results["teams"] and results["teams"][0]["members"] == 2  # both in one league
    mean = sum(r["score"] for r in results["ranking"]) / 2
    assert results["teams"][0]["score"] == round(mean, 1)
    assert (
        client.post(f"/api/v1/live-games/{gid}/advance", headers=hall.host_headers).status_code
        == 409
    )


# --- players: drop and rejoin, guests, the name rules -----------------------------------


def test_a_player_who_drops_and_rejoins_keeps_points_and_place(client, make, clock):
    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall)
    gid = game["id"]
    first = join(client, hall, game["pin"], 0)
    join(client, hall, game["pin"], 1)
    p0 = hall.bearer(hall.players[0][1])
    act(client, hall, gid, "advance")
    state(client, gid, p0, after=1)
    clock.advance(seconds=3)
    assert _put(client, gid, 1, _key(gid, 1), p0).status_code == 200
    revealed = act(client, hall, gid, "advance")
    before = state(client, gid, p0)["me"]
    assert before["score"] > 0 and before["rank"] == 1 and before["last_correct"] is True
    # The phone reloads, loses its network, opens another tab: it joins again.
    again = join(client, hall, game["pin"], 0)
    assert again["player_id"] == first["player_id"]
    assert state(client, gid, p0)["me"] == before
    act(client, hall, gid, "advance")  # q2 opens while the phone was away
    back = state(client, gid, p0, after=revealed["seq"])
    assert back["phase"] == "question" and back["question"]["no"] == 2
    assert back["me"]["score"] == before["score"]
    from quiz.live.models import LivePlayer

    assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 2


def test_guests_only_where_the_game_allows_them(client, make, clock):
    hall = live_hall(make, clock, players=0)
    closed = create_game(client, hall)
    refused = client.post(
        "/api/v1/live-games/join", json={"pin": closed["pin"], "display_name": "Bat"}
    )
    assert refused.status_code == 400 and refused.json["error"]["code"] == "login_required"
    open_ = create_game(client, hall, allow_guests=True)
    no_name = client.post(
        "/api/v1/live-games/join", json={"pin": open_["pin"], "display_name": "  "}
    )
    assert no_name.status_code == 422 and "display_name" in no_name.json["error"]["fields"]
    too_long = client.post(
        "/api/v1/live-games/join", json={"pin": open_["pin"], "display_name": "x" * 33}
    )
    assert too_long.status_code == 422
    from quiz.live.models import LivePlayer

    assert db.session.scalar(select(func.count()).select_from(LivePlayer)) == 0
    joined = client.post(
        "/api/v1/live-games/join",
        json={"pin": open_["pin"], "display_name": "ᠪᠠᠲᠤ", "language": "mn"},
    )
    assert joined.status_code == 200 and joined.json["token"]
    guest = {"X-Live-Token": joined.json["token"]}
    seen = state(client, open_["id"], guest)
    assert (
        seen["me"]["display_name"] == "ᠪᠠᠲᠤ" and seen["me"]["player_id"] == joined.json["player_id"]
    )
    assert client.get(f"/api/v1/live-games/{closed['id']}/state", headers=guest).status_code == 404
    bad = client.get(f"/api/v1/live-games/{open_['id']}/state", headers={"X-Live-Token": "nope"})
    assert bad.status_code == 404
    # The guest cannot log in, and their hidden account plays in the round like anyone.
    from quiz.accounts.models import User

    user = db.session.scalar(select(User).where(User.display_name == "ᠪᠠᠲᠤ"))
    assert user is not None and not user.is_active
    assert (
        db.session.scalar(select(Attempt.user_id).where(Attempt.round_id == hall.round.id))
        == user.id
    )


def test_wrong_pins_and_finished_games(client, make, clock):
    hall = live_hall(make, clock, players=1)
    token = hall.bearer(hall.players[0][1])
    for pin in ("", "12345", "abcdef", "999999", "1" * 60):
        r = client.post("/api/v1/live-games/join", json={"pin": pin}, headers=token)
        assert r.status_code == 404 and r.json["error"]["code"] == "live_game_not_found", pin
    game = create_game(client, hall)
    act(client, hall, game["id"], "end")
    r = client.post("/api/v1/live-games/join", json={"pin": game["pin"]}, headers=token)
    assert r.status_code == 404  # a finished game's PIN is free again


def test_bad_settings_are_refused_and_nothing_is_stored(client, make, clock):
    hall = live_hall(make, clock, players=0)
    for body, field in (
        ({"podium": 2}, "podium"),
        ({"podium": 11}, "podium"),
        ({"teams": "tribes"}, "teams"),
        ({"teams": "custom", "team_names": ["A"]}, "team_names"),
        ({"seconds": 3}, "seconds"),
        ({"question_ids": [999999]}, "question_ids"),
        ({"speed_points": "yes"}, "speed_points"),
    ):
        r = client.post(
            "/api/v1/live-games",
            json={"round_id": hall.round.id, **body},
            headers=hall.host_headers,
        )
        assert r.status_code == 422 and field in r.json["error"]["fields"], (body, r.json)
    assert db.session.scalar(select(func.count()).select_from(LiveGame)) == 0


def test_a_self_paced_round_hosts_no_game_and_a_live_round_no_attempt(client, make, clock):
    hall = live_hall(make, clock, players=1)
    user, token = hall.players[0]
    start = client.post(
        f"/api/v1/rounds/{hall.round.id}/attempts",
        json={"language": "zh"},
        headers=hall.bearer(token),
    )
    assert start.status_code in (403, 409)
    game = create_game(client, hall)
    join(client, hall, game["pin"], 0)
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == user.id))
    # The attempt behind the game shows no question and takes no answer outside it.
    for method, path in (
        ("GET", f"/api/v1/attempts/{attempt_id}"),
        ("PUT", f"/api/v1/attempts/{attempt_id}/answers/1"),
        ("POST", f"/api/v1/attempts/{attempt_id}/finish"),
    ):
        r = client.open(path, method=method, json={"choice": ["A"]}, headers=hall.bearer(token))
        assert r.status_code == 409 and r.json["error"]["code"] == "live_round", path
    hall.round.mode = "self_paced"
    db.session.commit()
    _contest, plain = make.setup()
    r = client.post("/api/v1/live-games", json={"round_id": plain.id}, headers=hall.host_headers)
    assert r.status_code in (403, 409)


def test_contests_list_the_mode_of_their_rounds(client, make, clock):
    hall = live_hall(make, clock, players=0)
    _other, plain = make.setup()
    modes = {
        r["id"]: r["mode"]
        for c in client.get("/api/v1/contests").json["contests"]
        for r in c["rounds"]
    }
    assert modes[hall.round.id] == "live" and modes[plain.id] == "self_paced"


# --- the round's results: boards, rebuild, Redis lost -----------------------------------


def test_results_are_the_rounds_and_survive_a_rebuild_and_a_lost_redis(
    client, make, clock, redis_url
):
    import redis as redis_lib

    from quiz.leaderboards.services import read_board, rebuild_contest

    hall = live_hall(make, clock, players=3)
    game = create_game(client, hall, streaks=True)
    gid = game["id"]
    heads = [hall.bearer(t) for _, t in hall.players]
    for i in range(3):
        join(client, hall, game["pin"], i)
    act(client, hall, gid, "advance")
    for i, h in enumerate(heads):
        state(client, gid, h, after=1)
        clock.advance(seconds=1 + i)
        _put(client, gid, 1, _key(gid, 1) if i < 2 else _wrong(gid, 1), h)
    mid = act(client, hall, gid, "advance")
    redis_lib.Redis.from_url(redis_url).flushdb()  # Redis restarts empty mid-game
    services.hub().remember(gid, {**mid, "seq": 0})  # and this process forgets its copy
    app_ = client.application
    app_.extensions.pop("quiz_live_hub", None)
    again = state(client, gid, heads[0])
    assert again["phase"] == "reveal" and again["players"] == 3
    assert again["me"]["score"] == mid["standings"][0]["score"] or again["me"]["rank"] > 1
    for _ in range(20):
        if act(client, hall, gid, "advance")["phase"] == "finished":
            break
    results = client.get(f"/api/v1/live-games/{gid}/results", headers=heads[0]).json
    board = read_board(hall.contest, hall.round.id, None, 10, None, None, clock())
    assert [e.display_name for e in board.entries] == [
        r["display_name"] for r in results["ranking"]
    ]
    assert [e.score for e in board.entries] == [r["score"] for r in results["ranking"]]
    rebuild_contest(hall.contest.id, clock())
    rebuilt = read_board(hall.contest, hall.round.id, None, 10, None, None, clock())
    assert [(e.user_id, e.score) for e in rebuilt.entries] == [
        (e.user_id, e.score) for e in board.entries
    ]


def test_games_only_while_the_round_is_open(client, make, clock):
    from datetime import timedelta

    hall = live_hall(make, clock, players=0)
    hall.round.closed_at = clock() - timedelta(minutes=1)
    db.session.commit()
    r = client.post(
        "/api/v1/live-games", json={"round_id": hall.round.id}, headers=hall.host_headers
    )
    assert r.status_code == 409 and r.json["error"]["code"] == "round_closed"
    assert db.session.scalar(select(func.count()).select_from(LiveGame)) == 0


def test_custom_teams_are_chosen_at_join_and_ranked_by_mean(client, make, clock):
    hall = live_hall(make, clock, players=3)
    game = create_game(client, hall, teams="custom", team_names=["红队", "蓝队"])
    gid = game["id"]
    heads = [hall.bearer(t) for _, t in hall.players]
    refused = client.post("/api/v1/live-games/join", json={"pin": game["pin"]}, headers=heads[0])
    assert refused.status_code == 422 and "team" in refused.json["error"]["fields"]
    for i, team in enumerate((0, 0, 1)):
        r = client.post(
            "/api/v1/live-games/join", json={"pin": game["pin"], "team": team}, headers=heads[i]
        )
        assert r.status_code == 200
    act(client, hall, gid, "advance")
    for i, h in enumerate(heads):  # one of the red team and the blue player are right
        _put(client, gid, 1, _key(gid, 1) if i != 1 else _wrong(gid, 1), h)
    revealed = act(client, hall, gid, "advance")
    teams = {t["name"]: t for t in revealed["teams"]}
    blue, red = teams["蓝队"], teams["红队"]
    assert (blue["members"], red["members"]) == (1, 2)
    assert blue["rank"] == 1 and red["score"] == round(blue["score"] / 2, 1)
