"""The live lane (quiz/api/live_lane.py) answers like the Flask view it stands in for.

A signed-in player's bearer ``PUT /api/v1/live-games/<id>/answers/<no>`` with a JSON
object body is served by the lane; the same request with a cookie header goes through
Flask (the view ``api.live_game_answer``). Both must give the same status, body and
headers; every refusal from the lane must be Flask's own error answer (localized JSON)
with nothing kept; guests and unusual requests are Flask's.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.live.models import LiveResponse
from quiz.play.models import Answer
from tests.api.lanes import views_reached
from tests.api.test_practice_lane import HOSTILE
from tests.live.helpers import Hall, act, create_game, join, live_hall

VIEW = "api.live_game_answer"


@pytest.fixture
def through_flask(app, monkeypatch) -> list[str]:
    return views_reached(app, monkeypatch, VIEW)


@pytest.fixture
def game(client, make, clock) -> tuple[Hall, int]:
    """A live game of 4 signed-in players (their Mongolian or Chinese accounts), its
    first question open."""
    hall = live_hall(make, clock, players=4)
    created = create_game(client, hall)
    for index in range(4):
        join(client, hall, created["pin"], index)
    assert act(client, hall, created["id"], "advance")["phase"] == "question"
    clock.advance(seconds=2)
    return hall, created["id"]


def _headers(hall: Hall, index: int) -> dict[str, str]:
    return hall.bearer(hall.players[index][1])


def _stored(game_id: int) -> tuple[int, int]:
    """How many answers and live responses are kept for the game's round."""
    db.session.expire_all()
    answers = db.session.scalar(select(func.count()).select_from(Answer))
    responses = db.session.scalar(
        select(func.count()).select_from(LiveResponse).where(LiveResponse.game_id == game_id)
    )
    return answers or 0, responses or 0


def _same_answer(lane: Any, view: Any) -> None:
    """The same status, body and headers (but the request id, each request's own)."""
    assert (lane.status_code, lane.data) == (view.status_code, view.data)
    drop = {"X-Request-ID"}
    assert [(k, v) for k, v in lane.headers if k not in drop] == [
        (k, v) for k, v in view.headers if k not in drop
    ]
    assert len(lane.headers["X-Request-ID"]) == 32


def test_lane_and_view_accept_alike(client, game, through_flask):
    hall, game_id = game
    url = f"/api/v1/live-games/{game_id}/answers/1"
    lane = client.put(url, headers=_headers(hall, 0), json={"choice": ["A"]})
    assert through_flask == []  # served by the lane
    assert lane.status_code == 200 and lane.json == {"accepted": True}
    assert _stored(game_id) == (1, 1)  # acknowledged after the commit
    client.set_cookie("unrelated", "1")  # a cookie: Flask serves it
    view = client.put(url, headers=_headers(hall, 1), json={"choice": ["B"]})
    assert through_flask == [VIEW]
    _same_answer(lane, view)
    assert _stored(game_id) == (2, 2)


def test_a_second_answer_is_refused_alike(client, game, through_flask):
    hall, game_id = game
    url = f"/api/v1/live-games/{game_id}/answers/1"
    assert client.put(url, headers=_headers(hall, 0), json={"choice": ["A"]}).status_code == 200
    zh = {**_headers(hall, 0), "Accept-Language": "zh-CN"}
    lane = client.put(url, headers=zh, json={"choice": ["B"]})
    assert lane.status_code == 409 and lane.json["error"]["code"] == "already_answered"
    with force_locale("zh_Hans_CN"):
        assert lane.json["error"]["message"] == gettext("You have answered this question already.")
    client.set_cookie("unrelated", "1")
    view = client.put(url, headers=zh, json={"choice": ["B"]})
    assert through_flask == [VIEW]
    _same_answer(lane, view)
    assert _stored(game_id) == (1, 1)  # the refused answers left nothing


@pytest.mark.parametrize(
    ("who", "path_no", "body", "status", "code"),
    [
        ("player", 1, {}, 422, "validation_failed"),  # no choice
        ("player", 1, {"choice": []}, 422, "validation_failed"),
        ("player", 1, {"choice": ["Z"]}, 422, "validation_failed"),
        ("player", 1, {"choice": "A"}, 422, "validation_failed"),
        ("player", 2, {"choice": ["A"]}, 409, "outside_window"),  # not open yet
        ("player", 99, {"choice": ["A"]}, 404, "question_not_found"),
        ("host", 1, {"choice": ["A"]}, 422, "validation_failed"),  # only players answer
        ("stranger", 1, {"choice": ["A"]}, 404, "not_found"),
    ],
)
def test_refusals_are_flasks_errors(
    client, make, clock, game, through_flask, who, path_no, body, status, code
):
    """Each refusal, through the lane and then through the view: the same localized
    answer, and nothing kept."""
    hall, game_id = game
    if who == "player":
        headers = _headers(hall, 2)
    elif who == "host":
        headers = hall.host_headers
    else:
        from tests.factories import issue_token

        headers = hall.bearer(issue_token(make.user("stranger"), clock(), 1)[0])
    headers = {**headers, "Accept-Language": "mn"}
    url = f"/api/v1/live-games/{game_id}/answers/{path_no}"
    lane = client.put(url, headers=headers, json=body)
    assert through_flask == []
    assert lane.status_code == status, lane.json
    assert lane.json["error"]["code"].endswith(code)
    client.set_cookie("unrelated", "1")
    view = client.put(url, headers=headers, json=body)
    assert through_flask == [VIEW]
    _same_answer(lane, view)
    assert _stored(game_id) == (0, 0)


def test_what_the_lane_passes_on(client, game, through_flask):
    """A guest's header, a bad token, a body that is not a JSON object, a query string,
    a padded id: Flask answers, as it always did."""
    hall, game_id = game
    url = f"/api/v1/live-games/{game_id}/answers/1"
    headers = _headers(hall, 0)
    unknown = client.put(url, headers={"Authorization": "Bearer nope"}, json={"choice": ["A"]})
    assert unknown.status_code == 401
    a_list = client.put(url, headers=headers, json=["A"])
    assert a_list.status_code == 400
    guest_header = client.put(
        url, headers={**headers, "X-Live-Token": "not-a-guest"}, json={"choice": ["A"]}
    )
    assert guest_header.status_code == 200  # the account's player still answers
    assert through_flask == [VIEW] * 3
    query = client.put(f"{url}?x=1", headers=_headers(hall, 1), json={"choice": ["A"]})
    assert query.status_code == 200
    padded = client.put(
        f"/api/v1/live-games/0{game_id}/answers/1",
        headers=_headers(hall, 2),
        json={"choice": ["A"]},
    )
    assert padded.status_code == 200, padded.json  # Flask's routing reads 0N as N
    assert through_flask == [VIEW] * 5
    assert _stored(game_id) == (3, 3)


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_bodies_nobody_wrote_for_it_get_the_views_answer(client, game, through_flask, raw):
    """Odd bodies, from one player through the lane and from another through the view:
    the same status and body, never a 500."""
    hall, game_id = game
    url = f"/api/v1/live-games/{game_id}/answers/1"
    sent = {"data": raw, "content_type": "application/json"}
    lane = client.put(url, headers=_headers(hall, 0), **sent)
    client.set_cookie("unrelated", "1")
    view = client.put(url, headers=_headers(hall, 1), **sent)
    assert lane.status_code < 500 and view.status_code < 500
    assert (lane.status_code, lane.data) == (view.status_code, view.data)
