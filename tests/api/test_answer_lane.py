"""The answer lane (quiz/api/answer_lane.py) answers like the Flask view it stands in for.

A bearer ``PUT …/answers/<no>`` with a JSON body is served by the lane; the same request
with a cookie header goes through Flask (the view ``api.put_answer``). Both must give the
same status, body and headers, and every refusal from the lane must be Flask's own error
answer (localized JSON, ``Retry-After``), with nothing kept.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask_babel import force_locale, gettext
from sqlalchemy import select

from quiz.extensions import db, redis_store
from quiz.play.hotpath import kept_drawn
from quiz.play.models import Answer
from tests.api.lanes import as_another_worker, views_reached
from tests.factories import bearer as _bearer


@pytest.fixture
def started(client, make):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    headers = _bearer(client, user.username)
    response = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    )
    assert response.status_code == 201, response.json
    return response.json["id"], headers


VIEW = "api.put_answer"


@pytest.fixture
def through_flask(app, monkeypatch) -> list[str]:
    """The answer requests that reach the Flask view."""
    return views_reached(app, monkeypatch, VIEW)


def test_lane_and_view_answer_alike(client, started, through_flask):
    attempt_id, headers = started
    url = f"/api/v1/attempts/{attempt_id}/answers/1"
    lane = client.put(url, headers=headers, json={"choice": ["B"]})
    assert through_flask == []  # served by the lane
    client.set_cookie("unrelated", "1")  # a cookie: Flask serves it
    view = client.put(url, headers=headers, json={"choice": ["B"]})
    assert through_flask == [VIEW]
    assert lane.status_code == view.status_code == 200
    assert lane.data == view.data
    assert lane.json == {"no": 1, "choice": ["B"], "answered_count": 1}
    drop = {"X-Request-ID"}
    assert [(k, v) for k, v in lane.headers if k not in drop] == [
        (k, v) for k, v in view.headers if k not in drop
    ]
    assert len(lane.headers["X-Request-ID"]) == 32
    stored = db.session.scalar(
        select(Answer.choice).where(Answer.attempt_id == attempt_id, Answer.no == 1)
    )
    assert stored is not None  # acknowledged after the commit


def test_lane_keeps_a_proxy_request_id(client, started, through_flask):
    attempt_id, headers = started
    response = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/2",
        headers={**headers, "X-Request-ID": "abc-123"},
        json={"choice": ["A"]},
    )
    assert response.status_code == 200 and through_flask == []
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"answer": ["A"]}, 422, "validation_failed"),
        ({"choice": ["Z"]}, 422, "validation_failed"),
        ({"choice": "A"}, 422, "validation_failed"),
    ],
)
def test_refusals_are_flasks_errors(client, started, through_flask, body, status, code):
    attempt_id, headers = started
    response = client.put(f"/api/v1/attempts/{attempt_id}/answers/1", headers=headers, json=body)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]  # localized by Flask's handler
    assert through_flask == []
    assert response.headers["Content-Security-Policy"]
    assert db.session.scalar(select(Answer.no).where(Answer.attempt_id == attempt_id)) is None


def test_unknown_question_and_foreign_attempt(client, make, started, through_flask):
    attempt_id, headers = started
    missing = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/99", headers=headers, json={"choice": ["A"]}
    )
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "question_not_found"
    other = make.user(username="other")
    foreign = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/1",
        headers=_bearer(client, other.username),
        json={"choice": ["A"]},
    )
    assert foreign.status_code == 404


def test_what_the_lane_passes_on(client, started, through_flask):
    """A bad token, a body that is not a JSON object: Flask answers, as it always did."""
    attempt_id, headers = started
    url = f"/api/v1/attempts/{attempt_id}/answers/1"
    unknown = client.put(url, headers={"Authorization": "Bearer nope"}, json={"choice": ["A"]})
    assert unknown.status_code == 401
    assert unknown.json["error"]["code"] == "unauthorized"
    not_json = client.put(url, headers=headers, data="choice=A")
    assert not_json.status_code == 400
    assert not_json.json["error"]["code"] == "invalid_json"
    a_list = client.put(url, headers=headers, json=["A"])
    assert a_list.status_code == 400
    chunked = client.put(
        url,
        headers={**headers, "Transfer-Encoding": "chunked"},
        data=b'{"choice": ["A"]}',
        content_type="application/json",
    )
    # (The test client sends no chunks: Flask reads an empty body, which it refuses.)
    assert chunked.status_code == 400
    assert through_flask == [VIEW] * 4  # all four went to Flask


def test_deadline_passed_closes_the_attempt(client, started, clock, through_flask):
    attempt_id, headers = started
    clock.advance(hours=5)
    response = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/1", headers=headers, json={"choice": ["A"]}
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "deadline_passed"
    again = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/1", headers=headers, json={"choice": ["A"]}
    )
    assert again.json["error"]["code"] == "attempt_finished"
    assert through_flask == []


class TestLimited:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": "3/minute"}

    def test_the_fourth_save_is_refused_with_retry_after(self, client, started, through_flask):
        attempt_id, headers = started
        url = f"/api/v1/attempts/{attempt_id}/answers/%d"
        for no in (1, 2, 3):
            assert client.put(url % no, headers=headers, json={"choice": ["A"]}).status_code == 200
        refused = client.put(url % 4, headers=headers, json={"choice": ["A"]})
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])
        assert through_flask == []
        stored = db.session.scalar(
            select(Answer.no).where(Answer.attempt_id == attempt_id, Answer.no == 4)
        )
        assert stored is None  # a refused save leaves nothing


class TestLimitedWithLiveScores:
    """In a live-score round the lane's count rides on the board script (one Redis round
    trip): the request that reaches the limit is served, and this process refuses the
    account's next ones until the window ends, without asking Redis
    (docs/architecture.md, "Rate limits on the answer lane")."""

    LIMIT = 3

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": f"{self.LIMIT}/minute"}

    @pytest.fixture
    def live(self, client, make):
        contest, round_ = make.setup(live_scores=True)
        user = make.enrolled(contest)
        headers = _bearer(client, user.username)
        response = client.post(
            f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
        )
        assert response.status_code == 201, response.json
        return response.json["id"], headers, user.id

    @staticmethod
    def _count(app: Any, user_id: int) -> int:
        """The account's counter as the limiter keeps it in Redis (the hook's key)."""
        from quiz.accounts.limiter import _counter_name, limit_item
        from quiz.accounts.ratelimits import ANSWERS, account_key

        counters = app.extensions["quiz_limiter"]
        item = limit_item(app.config[ANSWERS.setting])
        name = _counter_name(item, counters.prefix, account_key(user_id), ANSWERS.scope)
        return int(redis_store.client.get(counters._counter().storage.prefixed_key(name)) or 0)

    @staticmethod
    def _redis_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
        sent: list[bytes] = []
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(self: Any, command: Any, check_health: bool = True) -> None:
            sent.append(bytes(command[0] if isinstance(command, list) else command)[:40])
            return original(self, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
        return sent

    def test_the_limit_refuses_with_one_round_trip_per_save(
        self, app, client, live, through_flask, monkeypatch
    ):
        attempt_id, headers, user_id = live
        url = f"/api/v1/attempts/{attempt_id}/answers/%d"
        sent = self._redis_round_trips(monkeypatch)
        for no in (1, 2, 3):
            assert client.put(url % no, headers=headers, json={"choice": ["A"]}).status_code == 200
        assert len(sent) == 3  # one EVALSHA each: the board and the counter together
        assert self._count(app, user_id) == 3  # counted on the hook's key
        sent.clear()
        refused = client.put(url % 4, headers=headers, json={"choice": ["A"]})
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited"
        with force_locale("zh_Hans_CN"):  # the participant's language, by Flask's handler
            message = gettext("Too many requests. Please wait a moment and try again.")
        assert refused.json["error"]["message"] == message
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])
        assert sent == []  # refused from this process's memory: no round trip
        assert through_flask == []
        stored = db.session.scalar(
            select(Answer.no).where(Answer.attempt_id == attempt_id, Answer.no == 4)
        )
        assert stored is None  # a refused save leaves nothing

    def test_counts_are_the_hooks(self, app, client, live, through_flask):
        """The lane and the Flask hook count on one counter, in both directions."""
        attempt_id, headers, user_id = live
        url = f"/api/v1/attempts/{attempt_id}/answers/%d"
        assert client.put(url % 1, headers=headers, json={"choice": ["A"]}).status_code == 200
        assert client.put(url % 2, headers=headers, json={"choice": ["A"]}).status_code == 200
        client.set_cookie("unrelated", "1")  # a cookie: Flask's view and its hook serve it
        assert client.put(url % 3, headers=headers, json={"choice": ["A"]}).status_code == 200
        assert through_flask == [VIEW]
        assert self._count(app, user_id) == 3
        over = client.put(url % 4, headers=headers, json={"choice": ["A"]})
        assert over.status_code == 429  # the hook saw the lane's two
        assert through_flask == [VIEW]  # refused before the view
        client.delete_cookie("unrelated")
        # The lane has not seen the window fill (the hook filled it): the request that
        # crosses is served and counted, and this process refuses the next one.
        crossing = client.put(url % 5, headers=headers, json={"choice": ["A"]})
        assert crossing.status_code == 200
        assert self._count(app, user_id) == 5
        refused = client.put(url % 6, headers=headers, json={"choice": ["A"]})
        assert refused.status_code == 429
        assert self._count(app, user_id) == 5
        assert (
            db.session.scalar(
                select(Answer.no).where(Answer.attempt_id == attempt_id, Answer.no == 6)
            )
            is None
        )

    def test_another_process_serves_at_most_the_crossing_request(self, app, client, live):
        """A process that did not see the window fill (this one, forgetting) serves one
        request over the limit, learns the count from it, and refuses the next."""
        attempt_id, headers, user_id = live
        url = f"/api/v1/attempts/{attempt_id}/answers/%d"
        for no in (1, 2, 3):
            assert client.put(url % no, headers=headers, json={"choice": ["A"]}).status_code == 200
        app.extensions["quiz_limiter"]._full.clear()  # as another worker process
        assert client.put(url % 4, headers=headers, json={"choice": ["A"]}).status_code == 200
        assert client.put(url % 5, headers=headers, json={"choice": ["A"]}).status_code == 429
        assert self._count(app, user_id) == 4

    def test_refused_saves_are_counted(self, app, client, live, through_flask):
        """A save refused before its publish (unknown question, bad choice) still counts,
        on its own round trip; one that goes over the limit is answered with the 429."""
        attempt_id, headers, user_id = live
        url = f"/api/v1/attempts/{attempt_id}/answers/%d"
        assert client.put(url % 99, headers=headers, json={"choice": ["A"]}).status_code == 404
        bad = client.put(url % 1, headers=headers, json={"choice": ["Z"]})
        assert bad.status_code == 422
        assert self._count(app, user_id) == 2
        assert client.put(url % 1, headers=headers, json={"choice": ["A"]}).status_code == 200
        assert self._count(app, user_id) == 3
        app.extensions["quiz_limiter"]._full.clear()  # as another worker process
        over = client.put(url % 98, headers=headers, json={"choice": ["A"]})
        assert over.status_code == 429  # counted (4), over the limit: the 429, not a 404
        assert self._count(app, user_id) == 4
        assert client.put(url % 2, headers=headers, json={"choice": ["A"]}).status_code == 429
        assert through_flask == []


@pytest.mark.parametrize("asking", ["owner", "stranger", "no such attempt", "bad token"])
def test_a_cold_answer_is_the_views_answer(app, client, make, started, through_flask, asking):
    """Without a copy of the token nor of the drawn items, the lane reads both in one
    round trip on PostgreSQL (``hotpath.user_with_drawn``): the answer is still the
    view's, byte for byte, for the owner, a stranger, an attempt that does not exist and
    a token that does not exist."""
    attempt_id, headers = started
    if asking == "stranger":
        headers = _bearer(client, make.user(username="stranger").username)
    elif asking == "no such attempt":
        attempt_id += 1000
    elif asking == "bad token":
        headers = {"Authorization": "Bearer not-a-token"}
    url = f"/api/v1/attempts/{attempt_id}/answers/1"
    answers = []
    for cookie in (None, "1"):
        as_another_worker(app)
        if cookie:
            client.set_cookie("unrelated", cookie)  # a cookie: Flask serves it
        answers.append(client.put(url, headers=headers, json={"choice": ["A"]}))
        if cookie is None:
            with app.app_context():
                kept = kept_drawn(attempt_id) is not None
    lane, view = answers
    assert through_flask == ([VIEW, VIEW] if asking == "bad token" else [VIEW])
    expected = {"owner": 200, "stranger": 404, "no such attempt": 404, "bad token": 401}
    assert lane.status_code == view.status_code == expected[asking], lane.json
    assert lane.data == view.data
    drop = {"X-Request-ID"}
    assert [(k, v) for k, v in lane.headers if k not in drop] == [
        (k, v) for k, v in view.headers if k not in drop
    ]
    # A valid token's save reads the items to check their owner, as the view does (a
    # stranger is refused by that check); a bad token never gets them read.
    assert kept is (asking in ("owner", "stranger"))
