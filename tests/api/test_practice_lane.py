"""The practice lane (quiz/api/practice_lane.py) answers like the Flask view it stands in
for.

A bearer ``PUT /api/v1/practice/<id>/answers/<no>`` with a JSON object body is served by
the lane; the same request with a cookie header goes through Flask (the view
``api.practice_answer``). Both must give the same status, body and headers, every
refusal from the lane must be Flask's own error answer (localized JSON, ``Retry-After``)
with nothing kept, and the rate limit must count on the hook's counter.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from quiz.extensions import db
from quiz.practice.models import Mistake, PracticeItem, PracticeSession
from tests.api.lanes import views_reached
from tests.factories import bearer as _bearer
from tests.practice.test_api import _right, _wrong

VIEW = "api.practice_answer"


@pytest.fixture
def practising(client, make):
    """A participant's practice of 6 questions, in Mongolian; its id and their token."""
    make.bank()
    user = make.user("practiser", language="mn")
    headers = _bearer(client, user.username)
    response = client.post("/api/v1/practice", headers=headers, json={"language": "mn", "count": 6})
    assert response.status_code == 201, response.json
    return response.json["id"], headers


@pytest.fixture
def through_flask(app, monkeypatch) -> list[str]:
    return views_reached(app, monkeypatch, VIEW)


def _answered(session_id: int, no: int) -> Any:
    db.session.expire_all()
    return db.session.get(PracticeItem, (session_id, no)).answered_at


def _same_answer(lane: Any, view: Any) -> None:
    """The same status, body and headers (but the request id, each request's own)."""
    assert lane.status_code == view.status_code
    assert lane.data == view.data
    drop = {"X-Request-ID"}
    assert [(k, v) for k, v in lane.headers if k not in drop] == [
        (k, v) for k, v in view.headers if k not in drop
    ]
    assert len(lane.headers["X-Request-ID"]) == 32


def test_lane_and_view_mark_alike(client, practising, through_flask):
    """A first answer through the lane, its retry through the view (the same marking),
    and the other way round for a second question: byte for byte the same answers."""
    session_id, headers = practising
    url = f"/api/v1/practice/{session_id}/answers/"
    wrong, right = _wrong(session_id, 1), _right(session_id, 2)

    lane = client.put(url + "1", headers=headers, json={"choice": wrong})
    assert through_flask == []  # served by the lane
    assert lane.status_code == 200, lane.json
    assert lane.json["correct"] is False and lane.json["choice"] == wrong
    assert lane.json["explanation"]  # in the practice's language (Mongolian)
    assert _answered(session_id, 1) is not None  # acknowledged after the commit
    client.set_cookie("unrelated", "1")  # a cookie: Flask serves it
    view = client.put(url + "1", headers=headers, json={"choice": wrong})
    assert through_flask == [VIEW]
    _same_answer(lane, view)

    first = client.put(url + "2", headers=headers, json={"choice": right})  # the view
    client.delete_cookie("unrelated")
    again = client.put(url + "2", headers=headers, json={"choice": right})  # the lane
    assert through_flask == [VIEW, VIEW]
    assert first.json["correct"] is True
    _same_answer(again, first)
    session = db.session.get(PracticeSession, session_id)
    assert (session.answered_count, session.correct_count) == (2, 1)  # the retries: nothing
    book = db.session.scalars(select(Mistake.times_wrong)).all()
    assert book == [1]  # the wrong answer filed once


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"text": "A"}, 422, "validation_failed", "text"),
        ({}, 422, "validation_failed", "choice"),
        ({"choice": []}, 422, "validation_failed", "choice"),
        ({"choice": ["Z"]}, 422, "validation_failed", "choice"),
        ({"choice": "A"}, 422, "validation_failed", "choice"),
    ],
)
def test_refusals_are_flasks_errors(client, practising, through_flask, body, status, code, field):
    session_id, headers = practising
    url = f"/api/v1/practice/{session_id}/answers/1"
    lane = client.put(url, headers={**headers, "Accept-Language": "zh"}, json=body)
    assert lane.status_code == status, lane.json
    assert lane.json["error"]["code"] == code
    assert field in lane.json["error"]["fields"]
    assert through_flask == []
    client.set_cookie("unrelated", "1")
    view = client.put(url, headers={**headers, "Accept-Language": "zh"}, json=body)
    assert through_flask == [VIEW]
    _same_answer(lane, view)
    assert _answered(session_id, 1) is None  # nothing kept


def test_other_peoples_and_unknown_are_not_found(client, make, practising, through_flask):
    session_id, headers = practising
    missing = client.put(
        f"/api/v1/practice/{session_id}/answers/7", headers=headers, json={"choice": ["A"]}
    )
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "question_not_found"
    other = make.user(username="other")
    foreign = client.put(
        f"/api/v1/practice/{session_id}/answers/1",
        headers=_bearer(client, other.username),
        json={"choice": _right(session_id, 1)},
    )
    assert foreign.status_code == 404
    assert foreign.json["error"]["code"] == "practice_not_found"
    unknown = client.put(
        f"/api/v1/practice/{session_id + 99}/answers/1", headers=headers, json={"choice": ["A"]}
    )
    assert unknown.json["error"]["code"] == "practice_not_found"
    assert through_flask == []
    assert _answered(session_id, 1) is None


def test_a_changed_answer_is_refused_in_the_callers_language(client, practising, through_flask):
    session_id, headers = practising
    url = f"/api/v1/practice/{session_id}/answers/1"
    assert (
        client.put(url, headers=headers, json={"choice": _right(session_id, 1)}).status_code == 200
    )
    changed = client.put(
        url, headers={**headers, "Accept-Language": "zh-CN"}, json={"choice": _wrong(session_id, 1)}
    )
    assert changed.status_code == 409
    assert changed.json["error"]["code"] == "already_answered"
    with force_locale("zh_Hans_CN"):
        assert changed.json["error"]["message"] == gettext(
            "You have answered this question already."
        )
    assert through_flask == []


def test_what_the_lane_passes_on(client, practising, through_flask):
    """A bad token, a body that is not a JSON object, a query string, a non-canonical
    path, a chunked body: Flask answers, as it always did."""
    session_id, headers = practising
    url = f"/api/v1/practice/{session_id}/answers/1"
    choice = {"choice": _right(session_id, 1)}
    unknown = client.put(url, headers={"Authorization": "Bearer nope"}, json=choice)
    assert unknown.status_code == 401 and unknown.json["error"]["code"] == "unauthorized"
    not_json = client.put(url, headers=headers, data="choice=A")
    assert not_json.status_code == 400 and not_json.json["error"]["code"] == "invalid_json"
    a_list = client.put(url, headers=headers, json=["A"])
    assert a_list.status_code == 400
    chunked = client.put(
        url,
        headers={**headers, "Transfer-Encoding": "chunked"},
        data=b'{"choice": ["A"]}',
        content_type="application/json",
    )
    assert chunked.status_code == 400  # the test client sends no chunks: an empty body
    assert through_flask == [VIEW] * 4  # the 401 too, by the view's login check
    assert _answered(session_id, 1) is None
    query = client.put(f"{url}?x=1", headers=headers, json=choice)
    assert query.status_code == 200
    padded = client.put(
        f"/api/v1/practice/0{session_id}/answers/2", headers=headers, json={"choice": ["A"]}
    )
    assert padded.status_code == 200, padded.json  # Flask's routing reads 02 as 2
    assert through_flask == [VIEW] * 6
    assert client.post(url, headers=headers, json=choice).status_code == 405


class TestLimited:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": "3/minute"}

    def test_the_fourth_answer_is_refused_with_retry_after(self, client, practising, through_flask):
        session_id, headers = practising
        url = f"/api/v1/practice/{session_id}/answers/%d"
        for no in (1, 2):
            reply = client.put(url % no, headers=headers, json={"choice": _right(session_id, no)})
            assert reply.status_code == 200
        client.set_cookie("unrelated", "1")  # the hook counts on the same counter
        assert (
            client.put(url % 3, headers=headers, json={"choice": _right(session_id, 3)}).status_code
            == 200
        )
        client.delete_cookie("unrelated")
        assert through_flask == [VIEW]
        refused = client.put(url % 4, headers=headers, json={"choice": _right(session_id, 4)})
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])
        assert through_flask == [VIEW]  # refused by the lane
        assert _answered(session_id, 4) is None  # a refused answer leaves nothing


HOSTILE = [
    b'{"choice": ["A", "A"]}',
    b'{"choice": [1]}',
    b'{"choice": null}',
    b'{"choice": ["a"]}',
    b'{"choice": ["AB"]}',
    b'{"choice": ["\\u0000"]}',
    b'{"choice": ["\\ud800"]}',
    b'{"choice": ["A"], "choice": ["B"]}',
    b'{"choice": ["A"], "text": "A"}',
    b'{"choice": 1e999}',
    b"\xef\xbb\xbf" + b'{"choice": ["A"]}',
    '{"choice": ["A"]}'.encode("utf-16"),
    b"[" * 5000 + b"]" * 5000,
    b'{"choice": ["' + b"A" * 60_000 + b'"]}',
    b"[]",
    b"null",
    b'"A"',
    b"",
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_bodies_nobody_wrote_for_it_get_the_views_answer(client, practising, through_flask, raw):
    """Odd bodies, once through the lane and once through the view: the same status and
    body (a retry of an accepted answer gives the same marking), never a 500."""
    session_id, headers = practising
    url = f"/api/v1/practice/{session_id}/answers/1"
    sent = {"headers": headers, "data": raw, "content_type": "application/json"}
    lane = client.put(url, **sent)
    client.set_cookie("unrelated", "1")
    view = client.put(url, **sent)
    assert lane.status_code < 500 and view.status_code < 500
    assert (lane.status_code, lane.data) == (view.status_code, view.data)
