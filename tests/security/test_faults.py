"""Faults survived, through HTTP: Redis stopped and restarted mid-round, the database
unreachable for a moment. Each counts answers acknowledged (a 2xx reached the client)
against answers stored in SQL: nothing acknowledged may be lost, nothing refused may
be half-written.

The database outage is real on both profiles: on PostgreSQL the app reaches the server
through a TCP relay on 127.0.0.1 that the test closes (``Relay``); on SQLite the
database file's folder is moved away, so no connection can open it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from flask_babel import force_locale
from flask_babel import gettext as translate
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from quiz.embedded_redis import EmbeddedRedis
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem
from tests.factories import issue_token

BUSY = "The service is busy. Please try again in a few seconds."


class Relay:
    """A TCP relay on 127.0.0.1 to a database server; ``down()`` cuts every connection
    and refuses new ones until ``up()``: the database is unreachable, for real."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def down(self) -> None:
        self.open = False
        with self.lock:
            for pair in self.pairs:
                for s in pair:
                    with suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()
            self.pairs.clear()

    def up(self) -> None:
        self.open = True

    def close(self) -> None:
        self.down()
        self.listener.close()


@pytest.fixture
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("fr")), persist=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def relay(migrated: str) -> Iterator[Relay | None]:
    url = make_url(migrated)
    if url.get_backend_name() == "sqlite":
        yield None
        return
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    yield relay
    relay.close()


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest, migrated: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if "own_redis" in request.fixturenames:
        overrides["QUIZ_REDIS_URL"] = request.getfixturevalue("own_redis").url
    if "relay" in request.fixturenames:
        relay = request.getfixturevalue("relay")
        if relay is not None:
            url = make_url(migrated).set(host="127.0.0.1", port=relay.port)
            overrides["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    return overrides


def _stored_answers() -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


def _participant(client: Any, make: Any, clock: Any, **round_kwargs: Any) -> tuple[Any, dict]:
    contest, round_ = make.setup(**round_kwargs)
    user = make.enrolled(contest)
    token, _ = issue_token(user, clock(), 1)
    return (contest, round_, user), {"Authorization": f"Bearer {token}"}


def _take(client: Any, round_id: int, bearer: dict, clock: Any) -> tuple[int, int, int]:
    """Start and answer every question through the API: (attempt id, acked, questions)."""
    started = client.post(
        f"/api/v1/rounds/{round_id}/attempts", json={"language": "zh"}, headers=bearer
    )
    assert started.status_code == 201, started.json
    attempt_id, count = started.json["id"], started.json["question_count"]
    acknowledged = 0
    for no in range(1, count + 1):
        clock.advance(seconds=3)
        saved = client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{no}", json={"choice": ["A"]}, headers=bearer
        )
        assert saved.status_code == 200, saved.json
        acknowledged += 1
    return attempt_id, acknowledged, count


def test_redis_stopped_and_restarted_mid_round_through_http(app, client, make, clock, own_redis):
    (contest, round_, first), bearer = _participant(client, make, clock)
    acknowledged = 0
    attempt_id, acked, _ = _take(client, round_.id, bearer, clock)
    acknowledged += acked
    assert client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=bearer).status_code == 200

    own_redis.stop()  # Redis goes away mid-round
    own_redis.owned = True
    others = []
    for _ in range(3):
        user = make.enrolled(contest)
        token, _exp = issue_token(user, clock(), 1)
        headers = {"Authorization": f"Bearer {token}"}
        other_attempt, acked, _ = _take(client, round_.id, headers, clock)
        acknowledged += acked
        finish = client.post(f"/api/v1/attempts/{other_attempt}/finish", headers=headers)
        assert finish.status_code == 200 and finish.json["rank"] is None
        others.append((user, headers))
    assert _stored_answers() == acknowledged  # every acknowledged answer is in SQL

    # Boards say they are stale instead of failing, on the page and in the API.
    from tests.factories import log_in

    browser = app.test_client()
    log_in(browser, first)
    page = browser.get(f"/rounds/{round_.id}/leaderboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<p class="stale-notice">' in html  # shown, not hidden
    api = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=bearer)
    assert api.status_code == 200 and api.json["stale"] is True
    result = browser.get(f"/attempts/{attempt_id}/result")
    assert result.status_code == 200

    own_redis.start()  # back, and empty
    # No one runs a rebuild: the next answer's publish heals the stale contest.
    late = make.enrolled(contest)
    token, _exp = issue_token(late, clock(), 1)
    late_headers = {"Authorization": f"Bearer {token}"}
    late_attempt, acked, _ = _take(client, round_.id, late_headers, clock)
    acknowledged += acked
    client.post(f"/api/v1/attempts/{late_attempt}/finish", headers=late_headers)
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?limit=100", headers=bearer)
    assert board.status_code == 200 and board.json["stale"] is False
    finished = db.session.scalar(
        select(func.count()).where(Attempt.round_id == round_.id, Attempt.finished_at.is_not(None))
    )
    assert len(board.json["entries"]) == finished == 5
    assert _stored_answers() == acknowledged


@contextmanager
def _database_down(relay: Relay | None, url: str) -> Iterator[None]:
    """The database unreachable: the relay cut (PostgreSQL), the file's folder moved
    away (SQLite). Pooled connections are dropped first, as a restart would."""
    db.session.remove()
    db.engine.dispose()
    if relay is not None:
        relay.down()
        try:
            yield
        finally:
            relay.up()
        return
    folder = Path(make_url(url).database or "").parent
    away = folder.with_name(folder.name + "-away")
    os.rename(folder, away)
    try:
        yield
    finally:
        if folder.exists():  # nothing may have made a new empty database meanwhile
            shutil.rmtree(folder)
            os.rename(away, folder)
            pytest.fail("a new database file was created while the database was away")
        os.rename(away, folder)


def test_database_unreachable_gives_503_with_retry_after_and_writes_nothing(
    app, client, make, clock, relay
):
    (_contest, round_, user), bearer = _participant(client, make, clock)
    user.language = "mn"
    db.session.commit()
    round_id, user_id = round_.id, user.id
    started = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", json={"language": "zh"}, headers=bearer
    )
    attempt_id = started.json["id"]
    ok = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/1", json={"choice": ["A"]}, headers=bearer
    )
    assert ok.status_code == 200
    acknowledged = 1
    with app.test_request_context():
        with force_locale("mn_Mong_CN"):
            mn_busy = translate(BUSY)
        with force_locale("zh_Hans_CN"):
            zh_busy = translate(BUSY)
    assert mn_busy != BUSY and zh_busy != BUSY

    with _database_down(relay, app.config["SQLALCHEMY_DATABASE_URI"]):
        for no in (2, 3):
            refused = client.put(
                f"/api/v1/attempts/{attempt_id}/answers/{no}",
                json={"choice": ["B"]},
                headers={**bearer, "Accept-Language": "mn"},
            )
            assert refused.status_code == 503
            assert refused.headers["Retry-After"].isdigit()
            assert refused.json["error"]["code"] == "unavailable"
            assert refused.json["error"]["message"] == mn_busy
        start = client.post(
            f"/api/v1/rounds/{round_id}/attempts", json={"language": "zh"}, headers=bearer
        )
        assert start.status_code == 503
        page = client.get("/", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
        assert zh_busy in page.get_data(as_text=True)

    # Back: nothing of the refused requests was written, and the retry succeeds.
    db.session.remove()
    assert _stored_answers() == acknowledged
    for no in (2, 3):
        retry = client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{no}", json={"choice": ["B"]}, headers=bearer
        )
        assert retry.status_code == 200
        acknowledged += 1
    assert _stored_answers() == acknowledged
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)).all()
    assert len(attempts) == 1
    items = db.session.scalar(select(func.count()).where(AttemptItem.attempt_id == attempt_id))
    assert items == attempts[0].question_count and attempts[0].answered_count == acknowledged
