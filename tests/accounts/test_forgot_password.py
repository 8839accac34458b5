"""Forgotten passwords by e-mail, against a real SMTP server (aiosmtpd on 127.0.0.1):
single use, 30 minutes, the same answer and about the same time whether or not the
account exists, rate-limited."""

from __future__ import annotations

import asyncio
import email
import re
import socket
import statistics
import threading
import time
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from quiz.accounts.models import User
from quiz.accounts.services import check_credentials, user_for_token
from quiz.audit.models import AuditEvent
from quiz.extensions import db
from tests.factories import PASSWORD, issue_token

NEW_PASSWORD = "a-brand-new-secret-42"


class Inbox:
    """aiosmtpd handler: keeps every message; ``delay`` makes the server slow."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.delay = 0.0
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Any]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def extra_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def config_overrides(inbox, extra_config):
    return {
        "QUIZ_MAIL_URL": f"smtp://127.0.0.1:{inbox.port}",
        "QUIZ_MAIL_FROM": "quiz@example.org",
        **extra_config,
    }


@pytest.fixture
def nara(make):
    user = make.user("nara", language="mn")
    user.email = "nara@example.org"
    db.session.commit()
    return user


def _ask(client, identifier: str):
    return client.post("/forgot-password", data={"identifier": identifier})


def _link(message: Any) -> str:
    body = message.get_content()
    return re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", body).group(1)


def test_a_link_by_mail_sets_a_new_password_once(app, client, inbox, nara, clock):
    browser = app.test_client()
    assert (
        browser.post("/login", data={"username": "nara", "password": PASSWORD}).status_code == 302
    )
    token, _ = issue_token(nara, clock(), 30)

    response = _ask(client, "NARA")
    assert response.status_code == 302 and response.location == "/login"
    [message] = inbox.wait_for(1)
    assert message["To"] == "nara@example.org" and message["From"] == "quiz@example.org"
    assert "ᠨᠢᠭᠤᠴᠠ" in message.get_content()  # in the account's language (Mongolian)
    link = _link(message)

    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    differ = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": "x"})
    assert differ.status_code == 422
    weak = client.post(link, data={"new_password": "nara", "confirm_password": "nara"})
    assert weak.status_code == 422 and check_credentials("nara", PASSWORD) is not None
    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/login"
    assert check_credentials("nara", PASSWORD) is None
    assert check_credentials("nara", NEW_PASSWORD) is not None
    # Used once: the same link is dead. Every other session and token ended.
    assert client.get(link).status_code == 404
    again = client.post(
        link, data={"new_password": "another-one-77", "confirm_password": "another-one-77"}
    )
    assert again.status_code == 404
    assert browser.get("/profile").status_code == 302
    assert user_for_token(token, clock()) is None
    [event] = db.session.scalars(select(AuditEvent))
    assert (event.action, event.actor_id) == ("user.password_reset_by_mail", nara.id)


def test_the_link_expires_after_30_minutes_and_only_the_newest_works(client, inbox, nara, clock):
    _ask(client, "nara")
    first = _link(inbox.wait_for(1)[0])
    _ask(client, "nara@example.org")
    second = _link(inbox.wait_for(2)[1])
    assert client.get(first).status_code == 404  # voided by the newer link
    clock.advance(minutes=30)
    assert client.get(second).status_code == 200
    clock.advance(seconds=1)
    assert client.get(second).status_code == 404
    assert client.get("/reset-password/made-up").status_code == 404


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, client, inbox, nara, make):
    make.user("nomail")  # an account without an e-mail address
    disabled = make.user("gone")
    disabled.email, disabled.is_active_account = "gone@example.org", False
    db.session.commit()

    def answer(identifier: str) -> tuple[int, str, str]:
        browser = app.test_client()
        response = _ask(browser, identifier)
        flashed = browser.get("/login").get_data(as_text=True)
        message = re.search(r'<p class="flash[^"]*">([^<]+)</p>', flashed).group(1)
        return response.status_code, response.location, message

    known = answer("nara")
    for other in ("nomail", "gone", "nobody", "nobody@example.org", "gone@example.org"):
        assert answer(other) == known, other
    time.sleep(0.5)
    assert len(inbox.wait_for(1)) == 1  # only nara got mail


def test_a_slow_mail_server_does_not_slow_the_answer(client, inbox, nara):
    """The mail leaves from a background thread: the page never waits for SMTP, so its
    timing does not tell whether the account exists."""
    inbox.delay = 3.0
    timings: dict[str, list[float]] = {"nara": [], "nobody": []}
    for _ in range(3):
        for identifier in timings:
            started = time.perf_counter()
            assert _ask(client, identifier).status_code == 302
            timings[identifier].append(time.perf_counter() - started)
    known, unknown = (statistics.median(timings[k]) for k in ("nara", "nobody"))
    assert known < 1.5, timings  # far below the server's 3 s
    assert abs(known - unknown) < 0.5, timings
    assert len(inbox.wait_for(3, timeout=20)) == 3


def test_one_address_can_serve_a_family(client, inbox, nara, make):
    sister = make.user("saran")
    sister.email = "nara@example.org"
    db.session.commit()
    _ask(client, "Nara@Example.org")
    messages = inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["nara@example.org"] * 2
    assert len({_link(m) for m in messages}) == 2


@pytest.mark.parametrize(
    "extra_config",
    [{"RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_RESET_USER": "2/hour"}],
)
def test_asking_is_rate_limited_per_account(app, client, inbox, nara):
    for _ in range(2):
        assert _ask(client, "nara").status_code == 302
    assert _ask(client, "NARA").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert _ask(other, "nara").status_code == 429  # per account, from anywhere
    assert _ask(other, "someone-else").status_code == 302
    assert len(inbox.wait_for(2)) == 2


@pytest.mark.parametrize("extra_config", [{"QUIZ_MAIL_URL": None}])
def test_without_mail_the_page_points_to_a_teacher_or_admin(client, inbox, nara):
    page = client.get("/forgot-password")
    assert page.status_code == 200 and "<form" not in page.get_data(as_text=True).split("<main")[1]
    assert _ask(client, "nara").status_code == 200
    time.sleep(0.3)
    assert inbox.messages == []
    assert db.session.scalar(select(User.email).where(User.id == nara.id)) == "nara@example.org"
