"""An attempt start reads its round fresh, with the caller's enrollment, in one statement
(issue 18): no per-process copy of the round can let a start in after an organizer
closed the round, or give it a deadline past the round's new close. A bearer token this
process does not know yet is looked up in the same round trip (PostgreSQL), and decides
alone who the caller is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select, update

from quiz.accounts.models import ApiToken
from quiz.contests.models import Contest, Round
from quiz.extensions import db
from quiz.play.models import Attempt
from tests.factories import PASSWORD


def _token(client: Any, username: str) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json["token"]


def _start(client: Any, round_id: int, token: str) -> Any:
    return client.post(
        f"/api/v1/rounds/{round_id}/attempts",
        headers={"Authorization": f"Bearer {token}"},
        json={"language": "zh"},
    )


def _elsewhere(statement: Any) -> None:
    """A change made by another process: committed in SQL, nothing forgotten here."""
    db.session.commit()  # this test's own transaction holds SQLite's write lock
    with db.engine.begin() as conn:
        conn.execute(statement)


def _attempts(user_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Attempt.user_id == user_id))


def test_a_round_closed_elsewhere_refuses_the_next_start_at_once(client, make, clock):
    contest, round_ = make.setup()
    first, second = make.enrolled(contest), make.enrolled(contest)
    assert _start(client, round_.id, _token(client, first.username)).status_code == 201
    token = _token(client, second.username)
    _elsewhere(update(Round).where(Round.id == round_.id).values(closed_at=clock()))
    refused = _start(client, round_.id, token)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "round_closed"
    assert _attempts(second.id) == 0


def test_a_close_moved_earlier_elsewhere_caps_the_next_deadline(client, make, clock):
    contest, round_ = make.setup(time_limit_seconds=3600)
    first, second = make.enrolled(contest), make.enrolled(contest)
    assert _start(client, round_.id, _token(client, first.username)).status_code == 201
    closes = clock() + timedelta(minutes=2)
    _elsewhere(update(Round).where(Round.id == round_.id).values(closes_at=closes))
    started = _start(client, round_.id, _token(client, second.username))
    assert started.status_code == 201, started.json
    deadline = db.session.scalar(select(Attempt.deadline).where(Attempt.user_id == second.id))
    assert deadline == closes


def test_an_unpublished_contests_round_is_not_found(client, make):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    token = _token(client, user.username)
    _elsewhere(update(Contest).where(Contest.id == contest.id).values(published=False))
    refused = _start(client, round_.id, token)
    assert refused.status_code == 404
    assert _attempts(user.id) == 0
    missing = _start(client, round_.id + 1000, token)
    assert missing.status_code == 404


def test_a_revoked_new_token_is_refused_and_starts_nothing(client, make):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    token = _token(client, user.username)  # never used yet: not in this process's copy
    _elsewhere(update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True))
    refused = _start(client, round_.id, token)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"
    assert _attempts(user.id) == 0
    assert _start(client, round_.id, "not-a-token").status_code == 401


def test_a_token_looked_up_with_the_start_is_kept(client, make):
    """The token's row found with the start goes into the process's copy: the next
    request with it sends no token query."""
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    token = _token(client, user.username)
    first = _start(client, round_.id, token)
    assert first.status_code == 201, first.json
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        again = _start(client, round_.id, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert not [s for s in sent if "api_tokens" in s], sent
