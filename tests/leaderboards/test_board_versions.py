"""Board versions: every change to a contest's boards bumps the version a reader gets with
its own rank, and the API's body, assembled from the top's prepared bytes and the
viewer's part, is byte for byte what ``jsonify`` of the same board would write."""

from __future__ import annotations

from typing import Any

from flask import Flask

from quiz.accounts.models import Role
from quiz.api.serializers import board_body, board_json
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.live import SharedTop, ViewerBoard, shared_cache, viewer_board
from quiz.leaderboards.services import BoardEntry, BoardView
from quiz.leaderboards.store import BoardKeys
from quiz.play import services as play
from quiz.results import services as results
from tests.factories import log_in


def _version(contest_id: int) -> tuple[Any, Any]:
    built_at, counter = boards.board_store().client.hmget(
        BoardKeys(contest_id).meta, ["built_at", "v"]
    )
    return built_at, counter


def _finish(make: Any, clock: Any, contest: Any, round_: Any) -> Any:
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    return user


def test_every_change_moves_the_version(make, clock) -> None:
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    _finish(make, clock, contest, round_)
    boards.rebuild_contest(contest.id, clock())
    built = _version(contest.id)
    assert built[0] is not None  # built: the version names the build and a counter

    seen = [built]

    def moved() -> bool:
        now = _version(contest.id)
        fresh = now not in seen
        seen.append(now)
        return fresh

    _finish(make, clock, contest, round_)  # a start (names) and a finish (the boards)
    assert moved()
    assert results.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the frozen boards are built after the commit
    assert moved()
    assert results.unfreeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the frozen boards are dropped after the commit
    assert moved()
    boards.rebuild_contest(contest.id, clock())
    assert moved()


def test_a_lost_board_never_repeats_a_version(make, clock) -> None:
    contest, round_ = make.setup()
    _finish(make, clock, contest, round_)
    boards.rebuild_contest(contest.id, clock())
    before = _version(contest.id)
    client = boards.board_store().client
    for key in client.scan_iter(match=f"{BoardKeys(contest.id).tag}*"):
        client.delete(key)  # Redis lost the contest
    clock.advance(seconds=1)
    boards.rebuild_contest(contest.id, clock())
    assert _version(contest.id) != before  # a new build time, whatever the counter says


def test_the_top_is_read_again_only_when_its_version_moved(app: Flask, make, clock) -> None:
    contest, round_ = make.setup()
    first = _finish(make, clock, contest, round_)
    boards.rebuild_contest(contest.id, clock())
    ttl = shared_cache().ttl
    tick = [1000.0]
    shared_cache().clock = lambda: tick[0]

    def read() -> ViewerBoard:
        return viewer_board(contest, round_.id, None, 10, first.id, None, clock())

    board = read()
    assert board.me is not None and board.me["rank"] == 1
    second = _finish(make, clock, contest, round_)
    moved = read()
    assert moved.top is board.top  # moved, but the copy is within its period
    assert moved.me is not None and moved.me["rank"] == 1  # one's own place is always exact
    tick[0] += ttl * 2
    fresh = read()
    assert fresh.top is not board.top and fresh.top.view.total == 2
    assert second.display_name in [e.display_name for e in fresh.top.view.entries]
    tick[0] += ttl * 10
    assert read().top is fresh.top  # unchanged version: the same copy, however old


def _same_bytes(app: Flask, board: ViewerBoard, names: dict[int, str]) -> None:
    expected = app.json.response(board_json(board.view, names)).get_data()
    assert board_body(board, names, "zh") == expected
    assert board_body(board, names, "zh") == expected  # the prepared copy is reused


def test_the_body_is_what_jsonify_writes(app: Flask) -> None:
    entries = [
        BoardEntry(1, 7, '巴特尔 "B" </script>', 3, 12, 61_000),
        BoardEntry(2, 8, "Ann", None, 10, 0),
    ]
    names = {3: "呼和浩特市"}
    me = {"rank": 2, "league_rank": None, "score": 10, "time_used_ms": 0}
    for frozen in (False, True):
        top = SharedTop(("1", "2"), BoardView(entries, 2, None, False, frozen))
        for mine, stale in ((me, False), (None, True), ({**me, "league_rank": 1}, False)):
            _same_bytes(app, ViewerBoard(SharedTop(top.version, top.view), mine, stale), names)
    empty = SharedTop(None, BoardView([], 0, None, True))
    _same_bytes(app, ViewerBoard(empty, None, True), {})


def test_new_league_names_are_prepared_again(app: Flask) -> None:
    top = SharedTop(("1", "1"), BoardView([BoardEntry(1, 7, "A", 3, 1, 1)], 1, None, False))
    board = ViewerBoard(top, None, False)
    assert b"Old" in board_body(board, {3: "Old"}, "zh")
    assert b"New" in board_body(board, {3: "New"}, "zh")  # a new names copy: new bytes


def test_participants_see_the_frozen_board_after_a_freeze(make, clock, client) -> None:
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    early = _finish(make, clock, contest, round_)
    viewer = make.enrolled(contest)
    log_in(client, viewer)
    url = f"/api/v1/rounds/{round_.id}/leaderboard"
    assert client.get(url).json["frozen"] is False
    assert results.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()
    _finish(make, clock, contest, round_)  # after the freeze: on the live board only
    body = client.get(url).json
    assert body["frozen"] is True and body["total"] == 1
    assert [e["display_name"] for e in body["entries"]] == [early.display_name]
