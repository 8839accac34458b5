"""Issue 13: join codes could be guessed without limit (102 guesses in 0.3 s). Enrollment
requests are now counted before they are checked, per account and per client address
(one atomic INCR in Redis), and join codes have at least 6 characters."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask_babel import force_locale, gettext

from quiz.accounts.models import Role, User
from quiz.contests.models import Enrollment, Registration
from quiz.edge.client import Actor
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.organizer import services as organizer
from tests.factories import PASSWORD

ATTACKER = "198.51.100.66"
SCHOOL = "203.0.113.7"


@pytest.fixture
def limits() -> dict[str, Any]:
    return {}


@pytest.fixture
def config_overrides(limits: dict[str, Any]) -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": True, **limits}


@pytest.fixture
def coded(make, clock, client):  # ``client``: every test client gets a fresh app context
    org = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=org, registration=Registration.JOIN_CODE)
    contest.join_code = organizer.generate_join_code()
    db.session.commit()
    return contest


def _token(app, username: str) -> dict[str, str]:
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json['token']}"}


def _burst(app, requests: list[tuple[dict[str, str], str, str]], url: str) -> list[int]:
    """Send every (headers, address, code) at once from its own thread; the statuses."""
    db.session.commit()  # SQLite: the test's own transaction must not hold the write lock
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def send(headers: dict[str, str], address: str, code: str) -> None:
        with app.app_context():
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = address
            barrier.wait(timeout=30)
            statuses.append(client.post(url, json={"join_code": code}, headers=headers).status_code)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class TestPerAccount:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_JOIN_USER": "5/minute", "QUIZ_RATELIMIT_JOIN_IP": "1000/minute"}

    def test_a_burst_of_guesses_gets_at_most_the_limit_through(self, app, make, coded):
        make.user("guesser")
        headers = _token(app, "guesser")
        url = f"/api/v1/contests/{coded.id}/enrollment"
        statuses = _burst(app, [(headers, ATTACKER, f"GUESS{n:03d}") for n in range(30)], url)
        assert len(statuses) == 30
        assert statuses.count(403) == 5  # checked: wrong code
        assert statuses.count(429) == 25  # refused before the code was looked at

        # The same account is refused even with the right code until the window ends;
        # another account (another address) joins at once.
        client = app.test_client()
        right = {"join_code": coded.join_code}
        assert client.post(url, json=right, headers=headers).status_code == 429
        make.user("pupil")
        other = _token(app, "pupil")
        client.environ_base["REMOTE_ADDR"] = SCHOOL
        response = client.post(url, json=right, headers=other)
        assert response.status_code == 201

    def test_the_page_and_the_class_enrollment_count_too(self, app, make, coded):
        make.user("guesser")
        client = app.test_client()
        client.post("/login", data={"username": "guesser", "password": PASSWORD})
        statuses = [
            client.post(f"/contests/{coded.id}/enroll", data={"join_code": "WRONG1"}).status_code
            for _ in range(7)
        ]
        assert statuses == [302] * 5 + [429] * 2
        assert db.session.query(Enrollment).count() == 0


class TestPerAddress:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_JOIN_USER": "1000/minute", "QUIZ_RATELIMIT_JOIN_IP": "8/minute"}

    def test_many_accounts_from_one_address_share_its_limit(self, app, make, coded):
        requests = []
        for n in range(20):
            make.user(f"sock{n}")
            requests.append((_token(app, f"sock{n}"), ATTACKER, f"GUESS{n:03d}"))
        statuses = _burst(app, requests, f"/api/v1/contests/{coded.id}/enrollment")
        assert statuses.count(403) == 8
        assert statuses.count(429) == 12


def test_default_limits_let_a_class_of_60_join_from_one_address(app):
    from limits import parse

    assert parse(app.config["QUIZ_RATELIMIT_JOIN_IP"]).amount >= 60
    assert parse(app.config["QUIZ_RATELIMIT_JOIN_USER"]).amount <= 10


def test_join_codes_have_at_least_six_characters(make, clock, coded):
    org = make.user("org2", roles=(Role.ORGANIZER,))
    assert len(organizer.generate_join_code()) >= 6
    for code in ("ABCD", "AB-12"):
        data = organizer.ContestData(
            slug="typed",
            title_zh="赛",
            starts_at=clock(),
            registration=Registration.JOIN_CODE,
            join_code=code,
        )
        with pytest.raises(ValidationFailed) as refused:
            organizer.create_contest(data, Actor.of(org), clock())
        assert "join_code" in refused.value.field_messages()
    data.join_code = "ABC-12"
    assert organizer.create_contest(data, Actor.of(org), clock()).join_code == "ABC-12"


def test_a_short_code_from_before_keeps_working_and_the_organizer_is_warned(
    client, make, clock, coded
):
    """Decision (docs/security.md): printed short codes keep working; the console says to
    replace them; an edit may keep one but not type a new short one."""
    coded.join_code = "K7Q2"
    db.session.commit()
    data = organizer.ContestData(
        slug=coded.slug,
        title_zh="改名",
        starts_at=coded.starts_at,
        league_scheme=coded.league_scheme,
        published=True,
        registration=Registration.JOIN_CODE,
        join_code="K7Q2",
    )
    owner = db.session.scalar(db.select(User).where(User.username_key == "org"))
    organizer.update_contest(coded, data, Actor.of(owner), clock())
    assert coded.join_code == "K7Q2" and coded.title_zh == "改名"
    data.join_code = "K7Q3"
    with pytest.raises(ValidationFailed):
        organizer.update_contest(coded, data, Actor.of(owner), clock())

    pupil = make.user("pupil")
    client.post("/login", data={"username": pupil.username, "password": PASSWORD})
    response = client.post(f"/api/v1/contests/{coded.id}/enrollment", json={"join_code": "K7Q2"})
    assert response.status_code == 201, response.json
    client.post("/logout")
    client.post("/login", data={"username": "org", "password": PASSWORD})
    page = client.get(f"/console/contests/{coded.id}").get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        assert gettext("This code is short enough to be guessed: generate a new one.") in page
