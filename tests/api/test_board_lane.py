"""The board lane (quiz/api/board_lane.py) answers like the Flask views it stands in for.

A bearer ``GET …/leaderboard`` without cookies is served by the lane; the same request
with a cookie goes through Flask (the views ``api.round_leaderboard`` and
``api.contest_leaderboard``). Both must give the same status, body and headers for
every viewer and board (frozen or live, organizer, not on the board, another league,
another language, a conditional request), every refusal from the lane must be Flask's
own error answer, and what the lane does not take must reach the views.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pytest

from quiz.accounts import ratelimits
from quiz.accounts.models import Role
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import services as results
from tests.api.lanes import views_reached
from tests.factories import bearer as _bearer

VIEWS = ("api.round_leaderboard", "api.contest_leaderboard")
# Differ between any two requests: the request id, and the clock's second of a 304.
VARYING = {"X-Request-ID", "Date"}


def _finish(make: Any, clock: Any, contest: Any, round_: Any, **user: Any) -> Any:
    person = make.enrolled(contest, **user)
    attempt, _ = play.start_attempt(person, round_, "zh", clock())
    clock.advance(seconds=1)
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    return person


@pytest.fixture
def through_flask(app, monkeypatch) -> list[str]:
    """The board requests that reach a Flask view."""
    return views_reached(app, monkeypatch, *VIEWS)


@pytest.fixture
def board(make, clock) -> dict[str, Any]:
    """A contest with an organizer, two region leagues and three finished participants."""
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    people = [
        _finish(make, clock, contest, round_),
        _finish(make, clock, contest, round_, region_code="150203", language="mn"),
        _finish(make, clock, contest, round_),
    ]
    return {"contest": contest, "round": round_, "organizer": organizer, "people": people}


def _both(client: Any, through_flask: list[str], url: str, headers: dict[str, str]) -> Any:
    """The same request through the lane and through Flask: the same answer, byte for
    byte (but the request id, and a 304's ``Date``); the lane's response."""
    calls = len(through_flask)
    lane = client.get(url, headers=headers)
    assert len(through_flask) == calls, "the lane passed it on"
    client.set_cookie("unrelated", "1")  # a cookie: Flask serves it
    try:
        view = client.get(url, headers=headers)
    finally:
        client.delete_cookie("unrelated")
    assert len(through_flask) == calls + 1, "Flask's view did not serve it"
    assert (lane.status, lane.data) == (view.status, view.data)
    assert [(k, v) for k, v in lane.headers if k not in VARYING] == [
        (k, v) for k, v in view.headers if k not in VARYING
    ]
    assert [k for k, _v in lane.headers] == [k for k, _v in view.headers]
    assert len(lane.headers["X-Request-ID"]) == 32
    return lane


def test_participants_round_and_contest_boards(client, board, through_flask):
    round_id, contest_id = board["round"].id, board["contest"].id
    headers = _bearer(client, board["people"][2].username)
    answer = _both(client, through_flask, f"/api/v1/rounds/{round_id}/leaderboard", headers)
    assert answer.status_code == 200
    assert answer.json["me"]["rank"] == 3 and answer.json["total"] == 3
    assert answer.headers["Cache-Control"] == "private, no-cache" and answer.headers["ETag"]
    league = answer.json["entries"][1]["league_id"]
    for url in (
        f"/api/v1/rounds/{round_id}/leaderboard?limit=2",
        f"/api/v1/rounds/{round_id}/leaderboard?league={league}&limit=1",
        f"/api/v1/rounds/{round_id}/leaderboard?limit=007&league=",
        f"/api/v1/contests/{contest_id}/leaderboard",
        f"/api/v1/contests/{contest_id}/leaderboard?league={league}",
    ):
        assert _both(client, through_flask, url, headers).status_code == 200, url
    assert (
        len(
            _both(
                client, through_flask, f"/api/v1/rounds/{round_id}/leaderboard?limit=2", headers
            ).json["entries"]
        )
        == 2
    )


def test_languages_follow_the_header_then_the_account(client, board, through_flask):
    url = f"/api/v1/rounds/{board['round'].id}/leaderboard"
    mongolian = _bearer(client, board["people"][1].username)  # the account says mn
    chinese = _bearer(client, board["people"][0].username)
    answers = [
        _both(client, through_flask, url, mongolian),
        _both(client, through_flask, url, {**mongolian, "Accept-Language": "zh-CN"}),
        _both(client, through_flask, url, {**chinese, "Accept-Language": "mn;q=0.9, en"}),
        _both(client, through_flask, url, {**chinese, "Accept-Language": "en"}),
    ]
    leagues = [tuple(e["league"] for e in a.json["entries"]) for a in answers]
    # The league names in Mongolian script, then in Chinese, by the rule of the views.
    assert leagues[0] == leagues[2] != leagues[1] == leagues[3]


def test_a_viewer_not_on_the_board(client, make, board, through_flask):
    outsider = make.user("outsider")
    answer = _both(
        client,
        through_flask,
        f"/api/v1/rounds/{board['round'].id}/leaderboard",
        _bearer(client, outsider.username),
    )
    assert answer.json["me"] is None and answer.json["total"] == 3


def test_frozen_boards_for_participants_live_ones_for_organizers(
    client, make, clock, board, through_flask
):
    contest, round_, organizer = board["contest"], board["round"], board["organizer"]
    assert results.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the frozen boards are built after the commit
    late = _finish(make, clock, contest, round_)  # after the freeze: live board only
    url = f"/api/v1/rounds/{round_.id}/leaderboard"
    participant = _both(client, through_flask, url, _bearer(client, late.username))
    assert participant.json["frozen"] is True and participant.json["total"] == 3
    assert participant.json["me"] is None  # finished after the freeze
    staff = _both(client, through_flask, url, _bearer(client, organizer.username))
    assert staff.json["frozen"] is False and staff.json["total"] == 4


def test_conditional_requests(client, board, through_flask):
    url = f"/api/v1/rounds/{board['round'].id}/leaderboard"
    headers = _bearer(client, board["people"][0].username)
    etag = _both(client, through_flask, url, headers).headers["ETag"]
    unchanged = _both(client, through_flask, url, {**headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["Date"] and unchanged.headers["ETag"] == etag
    other = _both(client, through_flask, url, {**headers, "If-None-Match": '"other"'})
    assert other.status_code == 200
    both = {**headers, "If-None-Match": etag, "If-Match": '"other"'}
    assert _both(client, through_flask, url, both).status_code == 412


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?limit=0", 422, "validation_failed"),
        ("?limit=101", 422, "validation_failed"),
        ("?limit=", 422, "validation_failed"),
        ("?league=999999", 422, "validation_failed"),
        ("?league=99999999999999999999", 422, "validation_failed"),
    ],
)
def test_refusals_are_flasks_errors(client, board, through_flask, query, status, code):
    url = f"/api/v1/rounds/{board['round'].id}/leaderboard{query}"
    headers = _bearer(client, board["people"][0].username)
    refused = _both(client, through_flask, url, {**headers, "Accept-Language": "mn"})
    assert refused.status_code == status
    assert refused.json["error"]["code"] == code
    assert refused.json["error"]["message"]  # localized by Flask's handler
    assert refused.headers["Content-Security-Policy"]


def test_hidden_and_unknown_boards(client, make, board, through_flask):
    headers = _bearer(client, board["people"][0].username)
    hidden = make.contest(organizer=board["organizer"], published=False)
    hidden_round = make.round(hidden, make.bank())
    for url in (
        "/api/v1/rounds/987654/leaderboard",
        "/api/v1/contests/987654/leaderboard",
        f"/api/v1/rounds/{hidden_round.id}/leaderboard",
        f"/api/v1/contests/{hidden.id}/leaderboard",
    ):
        assert _both(client, through_flask, url, headers).status_code == 404, url
    # Its organizer sees it: an empty board, through the lane as through Flask.
    staff = _bearer(client, board["organizer"].username)
    for url in (
        f"/api/v1/rounds/{hidden_round.id}/leaderboard",
        f"/api/v1/contests/{hidden.id}/leaderboard",
    ):
        assert _both(client, through_flask, url, staff).json["total"] == 0


def test_what_the_lane_passes_on(client, board, through_flask):
    """A bad token, parameters the lane does not read as Flask would, a body, another
    method: Flask answers, as it always did."""
    round_id = board["round"].id
    url = f"/api/v1/rounds/{round_id}/leaderboard"
    headers = _bearer(client, board["people"][0].username)
    unknown = client.get(url, headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert unknown.json["error"]["code"] == "unauthorized"
    assert through_flask == ["api.round_leaderboard"]  # refused by the view's login check
    served = {
        f"{url}?limit=2&limit=3": 200,
        f"{url}?limit=%32": 200,
        f"{url}?limit=+2": 200,
        f"{url}?other=1": 200,
        f"{url}?limit=2&": 200,
        f"/api/v1/rounds/0{round_id}/leaderboard": 200,
    }
    for target, status in served.items():
        before = len(through_flask)
        assert client.get(target, headers=headers).status_code == status, target
        assert len(through_flask) == before + 1, target
    assert client.get(f"{url}?limit=%32", headers=headers).json["entries"][2:] == []
    assert client.head(url, headers=headers).status_code == 200
    assert client.get(url, headers=headers, data=b"x").status_code == 200
    assert client.get(f"{url}/", headers=headers).status_code == 404  # Flask's routing
    assert through_flask == ["api.round_leaderboard"] * (len(served) + 4)


class TestLimited:
    """A rate limit on the board would be counted by the lane with the hook's rule,
    key and counter: lane and Flask requests share it."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": "3/minute"}

    def test_the_fourth_read_is_refused_with_retry_after(
        self, client, board, through_flask, monkeypatch
    ):
        rule = dataclasses.replace(ratelimits.ANSWERS, scope="boards-test", methods=("GET",))
        monkeypatch.setitem(ratelimits.LIMITS, "api.round_leaderboard", (rule,))
        url = f"/api/v1/rounds/{board['round'].id}/leaderboard"
        headers = _bearer(client, board["people"][0].username)
        assert client.get(url, headers=headers).status_code == 200  # the lane
        client.set_cookie("unrelated", "1")
        assert client.get(url, headers=headers).status_code == 200  # Flask
        client.delete_cookie("unrelated")
        assert client.get(url, headers=headers).status_code == 200  # the lane
        refused = client.get(url, headers=headers)
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])
        assert through_flask == ["api.round_leaderboard"]  # the refusal came from the lane


def test_a_board_read_never_waits_for_sqlites_write_lock(client, board, through_flask):
    """A GET lane begins its transactions deferred, as the GET view does. It used to begin
    them with ``BEGIN IMMEDIATE`` (a lane has no request context): its token lookup held
    the write lock while the thread waited for the board cache, whose filler waited for
    the write lock, until SQLite's 30 s timeout (seen in the soak run on SQLite)."""
    url = f"/api/v1/rounds/{board['round'].id}/leaderboard"
    warm = client.get(url, headers=_bearer(client, board["people"][0].username))
    assert warm.status_code == 200  # the board is built
    headers = _bearer(client, board["people"][1].username)  # its lookup reads SQL
    db.session.commit()
    holder = db.engine.connect()
    try:
        # Outside a request a transaction begins with BEGIN IMMEDIATE on SQLite: this
        # connection holds the write lock, as a writing request's transaction does.
        holder.exec_driver_sql("SELECT 1")
        calls = len(through_flask)
        answer = client.get(url, headers=headers)
    finally:
        holder.rollback()
        holder.close()
    assert len(through_flask) == calls, "the lane served it"
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 3


def test_a_board_read_that_rebuilds_waits_for_the_writer(app, client, board):
    """The first read of a board Redis does not hold rebuilds it, and the rebuild writes.
    On SQLite the GET's deferred transaction, once it had read, could not become a writer
    while another connection wrote: 503 at once. The rebuild now begins as a writer
    (``extensions.begin_writing``) and waits for the lock like any write."""
    url = f"/api/v1/rounds/{board['round'].id}/leaderboard"
    headers = _bearer(client, board["people"][0].username)
    db.session.commit()
    holding, done = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with app.app_context(), db.engine.connect() as holder:
            holder.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE outside a request
            holding.set()
            time.sleep(0.5)
            holder.rollback()
        done.set()

    writer = threading.Thread(target=hold_the_write_lock)
    writer.start()
    try:
        assert holding.wait(10)
        answer = client.get(url, headers=headers)
    finally:
        writer.join(10)
    assert done.is_set()
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 3
