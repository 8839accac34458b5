"""The start lane (quiz/api/start_lane.py) answers like the Flask view it stands in for.

A bearer ``POST /api/v1/rounds/<id>/attempts`` with a JSON body and no cookie is served
by the lane; the same request with a cookie goes through Flask (the view
``api.start_attempt``). Both must give the same status, body and headers for a new
attempt, a repeated start, a later attempt of a round that allows several, and every
refusal (unknown, hidden, not enrolled, closed, not open yet, live, a bad body or
language, a rate limit); every refusal from the lane must be Flask's own error answer,
and what the lane does not take must reach the view.

A new attempt changes the database, so its two sides cannot both run on the same state:
the lane's attempt is deleted again (its id given back) and the view then starts the
same attempt (the same seed, the same clock), which must answer the same bytes.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select, text, update

from quiz.accounts import ratelimits
from quiz.accounts.models import Role
from quiz.contests.models import Round, RoundMode
from quiz.contests.services import enroll
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt, AttemptItem
from tests.api.lanes import views_reached
from tests.factories import bearer as _bearer

VIEW = "api.start_attempt"
VARYING = {"X-Request-ID", "Date"}  # differ between any two requests
SEED = 4_242_424_242


@pytest.fixture
def through_flask(app, monkeypatch) -> list[str]:
    """The start requests that reach the Flask view."""
    return views_reached(app, monkeypatch, VIEW)


@pytest.fixture(autouse=True)
def _one_seed(monkeypatch) -> None:
    """Every new attempt draws with the same seed: the lane's and the view's start of
    the same attempt draw the same questions in the same order."""

    class Secrets:
        @staticmethod
        def randbits(_bits: int) -> int:
            return SEED

    monkeypatch.setattr(play, "secrets", Secrets)


def _post(client: Any, url: str, headers: dict[str, str], body: Any) -> Any:
    if isinstance(body, bytes):
        return client.post(url, headers=headers, data=body, content_type="application/json")
    return client.post(url, headers=headers, json=body)


def _through_flask(client: Any, url: str, headers: dict[str, str], body: Any) -> Any:
    client.set_cookie("unrelated", "1")  # a cookie: Flask serves it
    try:
        return _post(client, url, headers, body)
    finally:
        client.delete_cookie("unrelated")


def _same(lane: Any, view: Any) -> None:
    assert (lane.status, lane.data) == (view.status, view.data)
    assert [(k, v) for k, v in lane.headers if k not in VARYING] == [
        (k, v) for k, v in view.headers if k not in VARYING
    ]
    assert [k for k, _v in lane.headers] == [k for k, _v in view.headers]
    assert len(lane.headers["X-Request-ID"]) == 32


def _both(
    client: Any, through_flask: list[str], url: str, headers: dict[str, str], body: Any
) -> Any:
    """The same request through the lane and through Flask, on the same state: the same
    answer, byte for byte (but the request id); the lane's response."""
    calls = len(through_flask)
    lane = _post(client, url, headers, body)
    assert len(through_flask) == calls, "the lane passed it on"
    view = _through_flask(client, url, headers, body)
    assert len(through_flask) == calls + 1, "Flask's view did not serve it"
    _same(lane, view)
    return lane


def _undo(attempt_id: int) -> None:
    """Delete a just-started attempt and give its id back, as if it never was."""
    db.session.commit()  # the test's own transaction must not hold SQLite's lock
    with db.engine.begin() as conn:
        conn.execute(delete(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
        conn.execute(delete(Attempt).where(Attempt.id == attempt_id))
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('attempts', 'id'), :id, false)"),
                {"id": attempt_id},
            )


def _both_new(
    client: Any, through_flask: list[str], url: str, headers: dict[str, str], body: Any
) -> Any:
    """A new attempt through the lane, undone, then the same start through Flask: the
    same answer, byte for byte; the lane's response (the view's attempt stays)."""
    calls = len(through_flask)
    lane = _post(client, url, headers, body)
    assert len(through_flask) == calls, "the lane passed it on"
    assert lane.status_code == 201, lane.json
    _undo(lane.json["id"])
    view = _through_flask(client, url, headers, body)
    assert len(through_flask) == calls + 1, "Flask's view did not serve it"
    _same(lane, view)
    return lane


@pytest.fixture
def contest_round(make) -> tuple[Any, Any]:
    return make.setup()


def _url(round_: Any) -> str:
    return f"/api/v1/rounds/{round_.id}/attempts"


def test_a_new_attempt_then_the_same_one_again(client, make, contest_round, through_flask):
    contest, round_ = contest_round
    headers = _bearer(client, make.enrolled(contest).username)  # a token not used yet
    started = _both_new(client, through_flask, _url(round_), headers, {"language": "zh"})
    assert started.json["questions"] and started.json["state"] == "active"
    assert started.headers["Content-Type"] == "application/json"
    assert started.headers["Content-Security-Policy"] and started.headers["Vary"] == "Cookie"
    again = _both(client, through_flask, _url(round_), headers, {"language": "mn"})
    assert again.status_code == 200
    assert again.json["id"] == started.json["id"] and again.json["language"] == "mn"
    # A Mongolian start, with a known token this time.
    other = _bearer(client, make.enrolled(contest).username)
    assert client.get("/api/v1/me", headers=other).status_code == 200
    mongolian = _both_new(client, through_flask, _url(round_), other, {"language": "mn"})
    assert mongolian.json["language"] == "mn"


def test_a_later_attempt_of_a_round_that_allows_several(
    client, make, clock, contest_round, through_flask
):
    contest, _round = contest_round
    round_ = make.round(contest, make.bank(bank_id="second-bank"), max_attempts=2)
    headers = _bearer(client, make.enrolled(contest).username)
    first = _post(client, _url(round_), headers, {"language": "zh"})
    assert first.status_code == 201
    assert client.post(f"/api/v1/attempts/{first.json['id']}/finish", headers=headers).status_code
    second = _both_new(client, through_flask, _url(round_), headers, {"language": "zh"})
    assert second.json["attempt_no"] == 2
    # No attempt left: the last one, finished (200).
    assert client.post(f"/api/v1/attempts/{second.json['id']}/finish", headers=headers)
    last = _both(client, through_flask, _url(round_), headers, {"language": "zh"})
    assert last.status_code == 200 and last.json["state"] == "finished"
    assert last.json["attempt_no"] == 2


def test_a_repeat_after_the_deadline_closes_the_attempt(
    client, make, clock, contest_round, through_flask
):
    contest, round_ = contest_round
    headers = _bearer(client, make.enrolled(contest).username)
    started = _post(client, _url(round_), headers, {"language": "zh"})
    assert started.status_code == 201
    clock.advance(seconds=round_.time_limit_seconds + 60)
    closed = _both(client, through_flask, _url(round_), headers, {"language": "zh"})
    assert closed.status_code == 200 and closed.json["state"] == "finished"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"language": "en"}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
        ({"language": 7}, 422, "validation_failed"),
        (b"{not json", 400, "invalid_json"),
        (b'["zh"]', 400, "invalid_json"),
        (b'"zh"', 400, "invalid_json"),
        (b'{"language": "zh\\u0000"}', 400, "invalid_json"),
    ],
)
def test_bad_bodies_are_flasks_errors(
    client, make, contest_round, through_flask, body, status, code
):
    contest, round_ = contest_round
    user = make.enrolled(contest, language="mn")
    headers = _bearer(client, user.username)
    for extra in ({}, {"Accept-Language": "zh-CN"}):
        refused = _both(client, through_flask, _url(round_), {**headers, **extra}, body)
        assert refused.status_code == status, refused.json
        assert refused.json["error"]["code"] == code
        assert refused.json["error"]["message"]  # localized by Flask's handler
    assert db.session.scalar(select(Attempt.id).where(Attempt.user_id == user.id)) is None


def test_rounds_one_may_not_start(client, make, clock, contest_round, through_flask):
    contest, round_ = contest_round
    participant = make.enrolled(contest)
    headers = _bearer(client, participant.username)
    outsider = _bearer(client, make.user("outsider").username)
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    hidden = make.contest(organizer=organizer, published=False)
    hidden_round = make.round(hidden, make.bank(bank_id="hidden-bank"))
    later = make.round(
        contest, make.bank(bank_id="later-bank"), opens_at=clock() + timedelta(hours=1)
    )
    closed = make.round(
        contest,
        make.bank(bank_id="closed-bank"),
        opens_at=clock() - timedelta(hours=3),
        closes_at=clock() - timedelta(hours=1),
    )
    live = make.round(contest, make.bank(bank_id="live-bank"))
    db.session.execute(update(Round).where(Round.id == live.id).values(mode=RoundMode.LIVE))
    db.session.commit()
    cases = [
        ("/api/v1/rounds/987654/attempts", headers, 404, "not_found"),
        (_url(hidden_round), headers, 404, "not_found"),
        (_url(round_), outsider, 403, "not_enrolled"),
        (_url(later), headers, 409, "round_not_open"),
        (_url(closed), headers, 409, "round_closed"),
        (_url(live), headers, 409, "live_round"),
        # Its organizer sees the unpublished round, but has not joined the contest.
        (_url(hidden_round), _bearer(client, organizer.username), 403, "not_enrolled"),
    ]
    for url, who, status, code in cases:
        for language in ("zh", "mn"):
            refused = _both(
                client, through_flask, url, {**who, "Accept-Language": language}, {"language": "zh"}
            )
            assert refused.status_code == status, (url, refused.json)
            assert refused.json["error"]["code"].endswith(code), (url, refused.json)
    # Not found before the body is judged, in the lane as in the view.
    missing = _both(client, through_flask, "/api/v1/rounds/987654/attempts", headers, b"{")
    assert missing.status_code == 404


def test_an_organizer_starts_an_unpublished_round(client, make, clock, through_flask):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    hidden = make.contest(organizer=organizer, published=False)
    round_ = make.round(hidden, make.bank())
    enroll(organizer, hidden, clock())
    db.session.commit()
    headers = _bearer(client, organizer.username)
    started = _both_new(client, through_flask, _url(round_), headers, {"language": "zh"})
    assert started.json["round_id"] == round_.id


def test_what_the_lane_passes_on(client, make, contest_round, through_flask):
    """A bad token, a query string, a path Flask would read otherwise, another body
    type, a body of unknown length, a prefix: Flask answers, as it always did."""
    contest, round_ = contest_round
    url = _url(round_)
    unknown = client.post(url, headers={"Authorization": "Bearer nope"}, json={"language": "zh"})
    assert unknown.status_code == 401
    assert unknown.json["error"]["code"] == "unauthorized"
    assert through_flask == [VIEW]  # refused by the view's login check
    headers = _bearer(client, make.enrolled(contest).username)
    form = client.post(url, headers=headers, data={"language": "zh"})
    assert form.status_code == 400 and form.json["error"]["code"] == "invalid_json"
    empty = client.post(url, headers=headers, content_type="application/json")  # no length
    assert empty.status_code == 400 and empty.json["error"]["code"] == "invalid_json"
    assert through_flask == [VIEW] * 3
    passed = [
        client.post(f"{url}?x=1", headers=headers, json={"language": "zh"}),
        client.post(
            f"/api/v1/rounds/0{round_.id}/attempts", headers=headers, json={"language": "zh"}
        ),
        client.post(
            url,
            headers={**headers, "Transfer-Encoding": "chunked"},
            data=b'{"language": "zh"}',
            content_type="application/json",
        ),
        client.post(
            url,
            headers=headers,
            json={"language": "zh"},
            base_url="http://localhost/prefix",
        ),
    ]
    # (The test client sends no chunks: Flask reads an empty body, which it refuses.)
    assert [p.status_code for p in passed] == [201, 200, 400, 200], [p.json for p in passed]
    assert through_flask == [VIEW] * 7
    assert client.put(url, headers=headers, json={"language": "zh"}).status_code == 405


def test_the_lane_begins_as_a_writer_on_sqlite(client, make, contest_round, through_flask):
    """A POST lane's transaction begins with ``BEGIN IMMEDIATE`` on SQLite, as the view's
    does (``extensions.serving_safe_method``): never a deferred read that cannot become
    a writer while another connection writes."""
    contest, round_ = contest_round
    warm = _bearer(client, make.enrolled(contest).username)
    # The first start of a bank renders its questions on a read-only connection of its
    # own (``play.state.question_payloads``), which begins deferred on purpose.
    assert _post(client, _url(round_), warm, {"language": "zh"}).status_code == 201
    headers = _bearer(client, make.enrolled(contest).username)
    begun: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            begun.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        started = _post(client, _url(round_), headers, {"language": "zh"})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert started.status_code == 201 and through_flask == []
    if db.engine.dialect.name == "sqlite":  # (PostgreSQL: psycopg's implicit BEGIN)
        assert begun and set(begun) == {"BEGIN IMMEDIATE"}, begun


def test_a_new_tokens_start_costs_the_same_through_the_lane(client, make, contest_round):
    """The lane keeps ``login_required_reading``'s one round trip for a new token and
    the start's statement: the same statements as the view, in the same order."""
    contest, round_ = contest_round
    first = _bearer(client, make.enrolled(contest).username)
    assert _post(client, _url(round_), first, {"language": "zh"}).status_code == 201  # warm
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split())[:80])

    runs = []
    for through_lane in (True, False):
        headers = _bearer(client, make.enrolled(contest).username)
        sent.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            if through_lane:
                answer = _post(client, _url(round_), headers, {"language": "zh"})
            else:
                answer = _through_flask(client, _url(round_), headers, {"language": "zh"})
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert answer.status_code == 201
        runs.append(list(sent))
    assert runs[0] == runs[1]


class TestLimited:
    """A rate limit on the start would be counted by the lane with the hook's rule, key
    and counter: lane and Flask requests share it."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_ANSWER_USER": "3/minute"}

    def test_the_fourth_start_is_refused_with_retry_after(
        self, client, make, contest_round, through_flask, monkeypatch
    ):
        rule = dataclasses.replace(ratelimits.ANSWERS, scope="starts-test")
        monkeypatch.setitem(ratelimits.LIMITS, VIEW, (rule,))
        contest, round_ = contest_round
        headers = _bearer(client, make.enrolled(contest).username)
        assert _post(client, _url(round_), headers, {"language": "zh"}).status_code == 201
        assert _through_flask(client, _url(round_), headers, {"language": "zh"}).status_code == 200
        assert _post(client, _url(round_), headers, {"language": "zh"}).status_code == 200
        refused = _post(client, _url(round_), headers, {"language": "zh"})
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])
        assert through_flask == [VIEW]  # the refusal came from the lane
        view = _through_flask(client, _url(round_), headers, {"language": "zh"})
        assert view.status_code == 429
        _same(refused, view)
