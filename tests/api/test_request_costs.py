"""What the three hot API requests cost in round trips, pinned.

Issue 6: saving an answer, reading one's rank with the top 10 and starting an attempt
must cost little more than the least work they have to do. On the benchmark machine a
request costs what its round trips cost (docs/performance.md), so this test counts them
on the real database and the real Redis and pins the counts: a change that adds a query
or a Redis command to a hot path fails here, whatever the machine's speed. Nothing is
timed.

- SQL: every statement the app sends (SQLAlchemy ``before_cursor_execute``), plus
  transactions begun and ended (``begin``/``commit``/``rollback`` on the engine).
- Redis: every write of commands to a connection (``send_packed_command``, which a
  pipeline calls once for all its commands): one call is one round trip. The rate
  limiter's own Redis traffic is counted too (limits are on, generous).

The counts are for a warm process (the caches a long-running worker has), which is what
the benchmark and production measure; the first request of each kind warms them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import event, func, select

from quiz.extensions import db, redis_store
from quiz.play.models import Answer
from tests.api.lanes import as_another_worker
from tests.factories import bearer as _bearer

GENEROUS = "1000000/minute"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "QUIZ_RATELIMIT_ANSWER_USER": GENEROUS,
        "QUIZ_RATELIMIT_LOGIN_USER": GENEROUS,
        "QUIZ_RATELIMIT_LOGIN_IP": GENEROUS,
        # Copies that expire by the wall clock must not expire between the warm-up and
        # the counted request on a slow, shared machine: the counts are of the steady
        # state, where a reload costs its round trip once per period, not per request.
        "QUIZ_BOARD_CACHE_SECONDS": 3600,
    }


@pytest.fixture(autouse=True)
def _long_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.accounts import token_cache
    from quiz.contests import services as contests

    monkeypatch.setattr(token_cache, "EPOCH_CHECK_SECONDS", 3600.0)
    monkeypatch.setattr(contests, "REF_SECONDS", 3600.0)
    monkeypatch.setattr(contests, "VIEWER_LEAGUE_SECONDS", 3600.0)


class Costs:
    """Round trips counted while a block runs."""

    def __init__(self) -> None:
        self.counting = False
        self.sql: list[str] = []
        self.tx: Counter[str] = Counter()
        self.redis: list[bytes] = []

    def __enter__(self) -> Costs:
        self.sql, self.tx, self.redis = [], Counter(), []
        self.counting = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.counting = False

    @property
    def summary(self) -> dict[str, int]:
        return {
            "sql": len(self.sql),
            "begin": self.tx["begin"],
            "commit": self.tx["commit"],
            "rollback": self.tx["rollback"],
            "pipelines": self.tx["pipeline"],
            "redis": len(self.redis),
        }


@pytest.fixture
def costs(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Costs]:
    found = Costs()
    engine = db.engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # SQLite's explicit BEGIN (quiz.extensions.configure_sqlite) counts as a begin.
        if found.counting and not statement.startswith("BEGIN"):
            found.sql.append(" ".join(statement.split())[:120])

    def on_tx(name: str) -> Any:
        def listener(conn: Any, *_args: Any) -> None:
            # An AUTOCOMMIT connection sends no BEGIN, COMMIT or ROLLBACK.
            autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
            if found.counting and not autocommit:
                found.tx[name] += 1

        return listener

    listeners = [("before_cursor_execute", on_execute)] + [
        (name, on_tx(name)) for name in ("begin", "commit", "rollback")
    ]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    original = redis.connection.AbstractConnection.send_packed_command

    def counting_send(self: Any, command: Any, check_health: bool = True) -> None:
        if found.counting:
            found.redis.append(bytes(command[0] if isinstance(command, list) else command)[:60])
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting_send)
    if engine.dialect.name == "postgresql":
        import psycopg

        pipeline = psycopg.Connection.pipeline

        def counting_pipeline(self: Any) -> Any:
            if found.counting:
                found.tx["pipeline"] += 1
            return pipeline(self)

        monkeypatch.setattr(psycopg.Connection, "pipeline", counting_pipeline)
    yield found
    for name, fn in listeners:
        event.remove(engine, name, fn)


@pytest.fixture
def live_round(make: Any) -> Any:
    contest, round_ = make.setup(live_scores=True)
    return contest, round_


def _start(client: Any, round_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/rounds/{round_id}/attempts", headers=headers, json={"language": "zh"}
    )
    assert response.status_code == 201, response.json
    return response.json


def _answered_once(client: Any, make: Any, live_round: Any) -> tuple[int, dict[str, str], str]:
    """A participant's attempt in the live-score round, question 1 answered: the attempt
    id, the bearer headers and the answers' URL (``%d``: the question)."""
    contest, round_ = live_round
    headers = _bearer(client, make.enrolled(contest).username)
    attempt_id = _start(client, round_.id, headers)["id"]
    url = f"/api/v1/attempts/{attempt_id}/answers/%d"
    assert client.put(url % 1, headers=headers, json={"choice": ["A"]}).status_code == 200
    return attempt_id, headers, url


def _saved(attempt_id: int, no: int) -> Any:
    return db.session.scalar(
        select(Answer.choice).where(Answer.attempt_id == attempt_id, Answer.no == no)
    )


def test_answer_costs(client, make, live_round, costs):
    attempt_id, headers, url = _answered_once(client, make, live_round)

    with costs:
        response = client.put(url % 2, headers=headers, json={"choice": ["B"]})
    assert response.status_code == 200, response.json
    # The deadline guard, the upsert, the recount (the drawn item is kept per process),
    # one commit; on PostgreSQL the three are one statement (data-modifying CTEs; three
    # before issue 18) sent in a pipeline with its BEGIN: two round trips in all
    # (quiz.play.services._save_in_one_statement). Redis: the board script, which also counts
    # the request for the rate limit (no SCRIPT EXISTS check; it was two round trips,
    # the limiter's own counter first, before issue 18).
    postgres = db.engine.dialect.name == "postgresql"
    assert costs.summary == {
        "sql": 1 if postgres else 3,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": 1 if postgres else 0,
        "redis": 1,
    }
    assert _saved(attempt_id, 2) is not None  # acknowledged only once committed


def test_answer_costs_without_live_scores(client, make, costs):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    headers = _bearer(client, user.username)
    attempt = _start(client, round_.id, headers)
    url = f"/api/v1/attempts/{attempt['id']}/answers/%d"
    assert client.put(url % 1, headers=headers, json={"choice": ["A"]}).status_code == 200

    with costs:
        response = client.put(url % 2, headers=headers, json={"choice": ["B"]})
    assert response.status_code == 200, response.json
    # No board moves while the attempt runs: Redis is the rate limiter's counter alone,
    # counted before the write.
    postgres = db.engine.dialect.name == "postgresql"
    assert costs.summary == {
        "sql": 1 if postgres else 3,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": 1 if postgres else 0,
        "redis": 1,
    }


def test_rank_costs(client, make, live_round, costs):
    contest, round_ = live_round
    user = make.enrolled(contest)
    headers = _bearer(client, user.username)
    attempt = _start(client, round_.id, headers)
    url = f"/api/v1/attempts/{attempt['id']}/answers/1"
    assert client.put(url, headers=headers, json={"choice": ["A"]}).status_code == 200
    board = f"/api/v1/rounds/{round_.id}/leaderboard?limit=10"
    assert client.get(board, headers=headers).status_code == 200

    with costs:
        response = client.get(board, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["me"]["rank"] == 1
    # No SQL at all on a warm process (token, round, viewer's league and the shared top
    # come from per-process copies); one Redis round trip for the viewer's own rank.
    assert costs.summary == {
        "sql": 0,
        "begin": 0,
        "commit": 0,
        "rollback": 0,
        "pipelines": 0,
        "redis": 1,
    }


def _counted_start(client: Any, make: Any, live_round: Any, costs: Costs) -> dict[str, int]:
    """What a warm process's start costs: the round's drawing pool built by an earlier
    start, the caller's token known (``/me``)."""
    contest, round_ = live_round
    first, second = make.enrolled(contest), make.enrolled(contest)
    round_id = round_.id
    _start(client, round_id, _bearer(client, first.username))  # builds the drawing pool
    headers = _bearer(client, second.username)
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    with costs:
        attempt = _start(client, round_id, headers)
    assert attempt["questions"]
    return costs.summary


def test_start_costs(client, make, live_round, costs):
    summary = _counted_start(client, make, live_round, costs)
    # The round (its rules, time window, contest's "published", bank revision) with the
    # caller's enrollment, latest attempt and extra time in one statement; the attempt
    # and its items (one statement on PostgreSQL, two on SQLite); commit. The response's
    # questions come from the process's payloads of that bank revision: no read after
    # the commit (it was 6 statements, 2 transactions on SQLite, before issue 18; 3 on
    # PostgreSQL before the round joined the enrollment's statement).
    # Redis: one pipeline (the participant's name for the boards, the live standing).
    postgres = db.engine.dialect.name == "postgresql"
    assert summary == {
        "sql": 2 if postgres else 3,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": 0,
        "redis": 1,
    }


def test_start_costs_of_a_bank_too_large_to_keep(client, make, live_round, costs, monkeypatch):
    """A bank over ``PAYLOAD_MAX_QUESTIONS`` keeps no payloads in the process: its start
    renders the drawn questions from one read by primary key, after the commit and (on
    PostgreSQL) outside a transaction. It used to build the ORM state (the attempt, its
    items, questions and texts as objects): one statement more."""
    from quiz.play import state

    monkeypatch.setattr(state, "PAYLOAD_MAX_QUESTIONS", 1)
    summary = _counted_start(client, make, live_round, costs)
    postgres = db.engine.dialect.name == "postgresql"
    assert summary == {
        "sql": 3 if postgres else 4,
        "begin": 1 if postgres else 2,
        "commit": 1,
        "rollback": 0 if postgres else 1,
        "pipelines": 0,
        "redis": 1,
    }


@pytest.mark.parametrize("through", ["lane", "flask"])
def test_start_with_a_new_token_costs(client, make, live_round, costs, through):
    """The benchmark's start: a participant whose token this process has not seen yet.
    On PostgreSQL the token's lookup and the start's statement go in one pipeline, in
    the start lane (quiz/api/start_lane.py) as in the view (a cookie: Flask serves it)."""
    contest, round_ = live_round
    first, second = make.enrolled(contest), make.enrolled(contest)
    round_id = round_.id
    _start(client, round_id, _bearer(client, first.username))  # pool, payloads, epoch
    headers = _bearer(client, second.username)
    if through == "flask":
        client.set_cookie("unrelated", "1")

    with costs:
        attempt = _start(client, round_id, headers)
    assert attempt["questions"]
    # The token, the start's statement, the attempt and its items (one statement on
    # PostgreSQL), commit: on PostgreSQL the first two in one pipeline (psycopg's BEGIN
    # is a round trip before it), so BEGIN, pipeline, insert, COMMIT = 4 round trips
    # (6 before issue 18's fourth round: BEGIN, token, round, enrollment, insert, COMMIT).
    postgres = db.engine.dialect.name == "postgresql"
    assert costs.summary == {
        "sql": 3 if postgres else 4,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": 1 if postgres else 0,
        "redis": 1,
    }


def test_answers_reload_the_board_script_when_redis_lost_it(client, make, live_round, costs):
    """The answer path sends EVALSHA without asking SCRIPT EXISTS first; after a Redis
    restart (scripts gone) it loads the script and sends again: the board still moves."""
    contest, round_ = live_round
    user = make.enrolled(contest)
    headers = _bearer(client, user.username)
    attempt = _start(client, round_.id, headers)
    redis_store.client.script_flush()
    url = f"/api/v1/attempts/{attempt['id']}/answers/1"
    with costs:
        assert client.put(url, headers=headers, json={"choice": ["A"]}).status_code == 200
    assert any(b"SCRIPT" in sent and b"LOAD" in sent for sent in costs.redis), costs.redis
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=headers).json
    assert board["me"] is not None and board["me"]["rank"] == 1


@pytest.mark.parametrize("through", ["lane", "flask"])
def test_practice_answer_costs(client, make, costs, through):
    """A practice answer: first answers (a wrong one files the book, a right one reads
    it) and the idempotent retry the phone sends when an answer's reply was lost; the
    same through the practice lane (quiz/api/practice_lane.py) and the view (a cookie)."""
    from tests.practice.test_api import _right, _wrong

    make.bank()
    user = make.user("practiser")
    headers = _bearer(client, user.username)
    session = client.post(
        "/api/v1/practice", headers=headers, json={"language": "zh", "count": 4}
    ).json
    sid = session["id"]
    url = f"/api/v1/practice/{sid}/answers/"
    assert client.put(url + "1", headers=headers, json={"choice": _wrong(sid, 1)}).json
    wrong, right = _wrong(sid, 2), _right(sid, 3)
    db.session.remove()
    if through == "flask":
        client.set_cookie("unrelated", "1")
    found = {}
    for name, no, choice in (("wrong", 2, wrong), ("right", 3, right), ("retry", 3, right)):
        with costs:
            reply = client.put(url + str(no), headers=headers, json={"choice": choice})
        assert reply.status_code == 200, reply.json
        found[name] = costs.summary
    # One read (the session, the item, its question's key and explanation); a first
    # answer claims the item, counts it in the session and files the book (a wrong one:
    # the upsert; a right one: reads its entry). The retry writes nothing. Redis: the
    # rate limit. It was 8, 8 and 7 statements through the ORM before issue 18.
    first = {"sql": 4, "begin": 1, "commit": 1, "rollback": 0, "pipelines": 0, "redis": 1}
    assert found == {
        "wrong": first,
        "right": first,
        "retry": {"sql": 1, "begin": 1, "commit": 0, "rollback": 1, "pipelines": 0, "redis": 1},
    }


@pytest.mark.parametrize("through", ["lane", "flask"])
def test_live_answer_costs(client, make, clock, costs, through):
    """A live-game answer, the burst of a hall when a question opens; the same through
    the live lane (quiz/api/live_lane.py) and the view (a cookie)."""
    from tests.live.helpers import act, create_game, join, live_hall, state

    hall = live_hall(make, clock, players=2)
    game = create_game(client, hall)
    for index in range(2):
        join(client, hall, game["pin"], index)
    act(client, hall, game["id"], "advance")
    url = f"/api/v1/live-games/{game['id']}/answers/1"
    warm = client.put(url, headers=hall.bearer(hall.players[0][1]), json={"choice": ["A"]})
    assert warm.status_code == 200, warm.json
    answering = hall.bearer(hall.players[1][1])
    assert state(client, game["id"], answering)["phase"] == "question"  # the phone's view
    db.session.remove()
    if through == "flask":
        client.set_cookie("unrelated", "1")
    with costs:
        reply = client.put(url, headers=answering, json={"choice": ["B"]})
    assert reply.status_code == 200, reply.json
    # The player (found when the phone read the state), the game's items and its state
    # are kept per process. SQL: the game's share lock (the question is open), the
    # answer and its live side: one statement on PostgreSQL, with its BEGIN (three round
    # trips before issue 18), three on SQLite. Redis: the player's ``live-answers``
    # rate limit, counted before the answer is taken, and the answered set.
    postgres = db.engine.dialect.name == "postgresql"
    assert costs.summary == {
        "sql": 1 if postgres else 3,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": 1 if postgres else 0,
        "redis": 2,
    }
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 2


@pytest.mark.parametrize("through", ["lane", "flask"])
def test_cold_answer_costs(app, client, make, live_round, costs, through):
    """An answer in a worker that holds no copy of its token nor of its attempt's drawn
    items (at a person's pace, most answers of a real contest): on PostgreSQL the answer
    lane looks both up in one pipeline (quiz.play.hotpath.user_with_drawn); the view (a
    cookie: Flask serves it) reads them one after the other."""
    attempt_id, headers, url = _answered_once(client, make, live_round)
    as_another_worker(app)
    if through == "flask":
        client.set_cookie("unrelated", "1")

    with costs:
        response = client.put(url % 2, headers=headers, json={"choice": ["B"]})
    assert response.status_code == 200, response.json
    # The token, the drawn items, the save (one statement on PostgreSQL), the commit:
    # through the lane on PostgreSQL the first two share a pipeline, so BEGIN, pipeline,
    # save, COMMIT = 4 round trips (5 before, as the view still takes).
    postgres = db.engine.dialect.name == "postgresql"
    lane = through == "lane" and postgres
    assert costs.summary == {
        "sql": 3 if postgres else 5,
        "begin": 1,
        "commit": 1,
        "rollback": 0,
        "pipelines": (2 if lane else 1) if postgres else 0,
        # The board script, which counts the lane's request for the rate limit; the
        # view's request hook counts it on a round trip of its own.
        "redis": 1 if through == "lane" else 2,
    }
    assert _saved(attempt_id, 2) is not None  # acknowledged only once committed
