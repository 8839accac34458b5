"""A gunicorn worker killed (SIGKILL) in the middle of a burst of starts and answers.

The app runs under gunicorn on 127.0.0.1, in the production configuration, against the
test database and Redis. Participants start their attempts and answer through the API
while the test kills a worker three times; the master starts new ones. Clients retry a
request whose connection died (both calls are idempotent). Afterwards: no half-made
attempt (every attempt has all of its items), at most one attempt per participant, and
every acknowledged answer is stored with the choice acknowledged.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import servers
from quiz.clock import utcnow
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem
from tests.factories import issue_token

PARTICIPANTS = 24
KILLS = 3


def _call(port: int, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def _retrying(port: int, method: str, path: str, token: str, body: Any, lost: list) -> Any:
    """The call until it is answered; a connection cut by the kill is retried."""
    for _ in range(50):
        try:
            status, data = _call(port, method, path, token, body)
        except (OSError, http.client.HTTPException) as exc:
            lost.append(exc)
            time.sleep(0.05)
            continue
        if status in (502, 503):
            time.sleep(0.05)
            continue
        return status, data
    raise AssertionError(f"{method} {path} never answered")


def test_a_worker_killed_mid_burst_leaves_no_half_made_attempt(app, make, clock, tmp_path):
    real_now = utcnow()
    contest = make.contest(starts_at=real_now - timedelta(days=1))
    bank = make.bank()
    round_ = make.round(
        contest,
        bank,
        opens_at=real_now - timedelta(hours=1),
        closes_at=real_now + timedelta(hours=2),
    )
    tokens = []
    for _ in range(PARTICIPANTS):
        user = make.enrolled(contest)
        tokens.append(issue_token(user, real_now, 1)[0])
    round_id = round_.id
    db.session.commit()

    env = servers.app_environment(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["QUIZ_REDIS_URL"]
    )
    server = servers.start(
        "killed",
        "wsgi:app",
        env,
        workers=2,
        threads=4,
        logdir=Path(tmp_path),
        ready_path="/api/v1/regions",
    )
    acknowledged: dict[tuple[int, int], list[str]] = {}
    lost: list[BaseException] = []
    failures: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(PARTICIPANTS + 1)

    def participant(token: str) -> None:
        try:
            go.wait(timeout=60)
            status, state = _retrying(
                server.port,
                "POST",
                f"/api/v1/rounds/{round_id}/attempts",
                token,
                {"language": "zh"},
                lost,
            )
            if status not in (200, 201):
                failures.append(f"start {status} {state}")
                return
            for no in range(1, state["question_count"] + 1):
                choice = ["A"] if no % 2 else ["B"]
                status, saved = _retrying(
                    server.port,
                    "PUT",
                    f"/api/v1/attempts/{state['id']}/answers/{no}",
                    token,
                    {"choice": choice},
                    lost,
                )
                if status != 200:
                    failures.append(f"answer {status} {saved}")
                    continue
                with lock:
                    acknowledged[(state["id"], no)] = saved["choice"]
        except BaseException as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=participant, args=(t,)) for t in tokens]
    try:
        for t in threads:
            t.start()
        go.wait(timeout=60)
        killed = 0
        for _ in range(KILLS):
            time.sleep(0.25)
            pids = server.worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed += 1
        for t in threads:
            t.join(timeout=120)
    finally:
        server.stop()
    assert killed == KILLS
    assert failures == [], failures[:5]

    db.session.expire_all()
    attempts = db.session.scalars(select(Attempt).where(Attempt.round_id == round_id)).all()
    assert len(attempts) == PARTICIPANTS == len({a.user_id for a in attempts})
    for attempt in attempts:
        items = db.session.scalar(select(func.count()).where(AttemptItem.attempt_id == attempt.id))
        assert items == attempt.question_count, "a half-made attempt"
    stored = {
        (a.attempt_id, a.no): a
        for a in db.session.scalars(
            select(Answer)
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Attempt.round_id == round_id)
        )
    }
    assert len(acknowledged) == sum(a.question_count for a in attempts)
    assert set(acknowledged) <= set(stored)  # nothing acknowledged is lost
    assert len(stored) == len(acknowledged)
    orders = {
        (item.attempt_id, item.no): item.option_order
        for item in db.session.scalars(
            select(AttemptItem)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.round_id == round_id)
        )
    }
    for (attempt_id, no), shown in acknowledged.items():
        order = orders[(attempt_id, no)]
        assert stored[(attempt_id, no)].choice == sorted(order[ord(k) - 65] for k in shown)
    print(f"connections cut by the kills: {len(lost)}")
