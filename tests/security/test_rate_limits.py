"""Rate limits on login, tokens, registration and answers: by account and by address,
counted in the suite's Redis, generous for a classroom behind one NAT address."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from quiz.accounts import two_factor
from quiz.accounts.models import Role
from quiz.extensions import db
from quiz.play import services as play
from tests.factories import PASSWORD, post_login

pytestmark = pytest.mark.usefixtures("limits_on")

SCHOOL_NAT = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def limits() -> dict[str, Any]:
    """Overridden by tests that want smaller limits."""
    return {}


@pytest.fixture
def config_overrides(limits: dict[str, Any]) -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": True, **limits}


@pytest.fixture
def limits_on(app, client):  # ``client`` gives every test client a fresh app context
    assert app.extensions["quiz_limiter"] is not None


def _from(app, address: str = SCHOOL_NAT) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _api_token(client, username: str, password: str = PASSWORD, **headers: str):
    return client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}, headers=headers
    )


def _message(locale: str) -> str:
    with force_locale(locale):
        return gettext("Too many requests. Please wait a moment and try again.")


def _assert_429_json(response, locale: str = "zh_Hans_CN") -> None:
    assert response.status_code == 429
    error = response.json["error"]
    assert error["code"] == "rate_limited"
    assert error["message"] == _message(locale)
    assert 1 <= error["retry_after"] <= 3600
    assert response.headers["Retry-After"] == str(error["retry_after"])


def test_limits_count_in_the_apps_redis(app, client, make, redis_url):
    make.user("nara")
    assert app.config["RATELIMIT_STORAGE_URI"].replace("redis+unix://", "unix://") == redis_url
    post_login(client, "nara", "wrong-password")
    keys = redis.Redis.from_url(redis_url).keys("*rl*")
    assert keys, "no rate-limit counter in the app's Redis"


# Login and tokens: per account -----------------------------------------------------------


def test_failed_logins_per_account_are_limited_on_page_and_api_together(app, make):
    make.user("nara")
    make.user("bat")
    attacker = _from(app, ELSEWHERE)
    for _ in range(5):
        assert post_login(attacker, "nara", "wrong-password").status_code == 401
    for _ in range(5):
        assert _api_token(attacker, "NARA", "wrong-password").status_code == 400
    # The 11th try for this account from this address is refused, by page or API...
    page = post_login(attacker, "nara", "wrong-password")
    assert page.status_code == 429
    assert 1 <= int(page.headers["Retry-After"]) <= 61
    assert _message("zh_Hans_CN") in page.get_data(as_text=True)
    _assert_429_json(_api_token(attacker, "nara", PASSWORD))
    mn = _api_token(attacker, "nara", PASSWORD, **{"Accept-Language": "mn-CN"})
    _assert_429_json(mn, "mn_Mong_CN")
    # ...the owner, from an address that has not failed, still logs in (no lock-out)...
    assert post_login(_from(app, SCHOOL_NAT), "nara").status_code == 302
    assert _api_token(_from(app, SCHOOL_NAT), "nara").status_code == 200
    # ...and other accounts are not affected, even from the attacker's address.
    assert post_login(attacker, "bat").status_code == 302


def test_successful_logins_do_not_count(app, make):
    make.user("nara")
    for _ in range(15):
        assert post_login(_from(app), "nara").status_code == 302


def test_a_classroom_of_60_logs_in_and_answers_from_one_address(app, make, clock):
    contest, round_ = make.setup()
    students = [make.enrolled(contest, username=f"pupil{i:02d}") for i in range(60)]
    answered = 0
    for student in students:
        browser = _from(app)
        assert post_login(browser, student.username).status_code == 302
        attempt, _ = play.start_attempt(student, round_, "zh", clock())
        db.session.commit()  # the test is the edge (services flush)
        for no in (1, 2):
            response = browser.put(
                f"/api/v1/attempts/{attempt.id}/answers/{no}", json={"choice": ["A"]}
            )
            assert response.status_code == 200, response.json
            answered += 1
    assert answered == 120


class TestPerAddress:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_LOGIN_IP": "5/minute"}

    def test_login_attempts_per_address(self, app, make):
        for i in range(6):
            make.user(f"pupil{i}")
        school = _from(app)
        for i in range(5):
            assert post_login(school, f"pupil{i}").status_code == 302
        assert post_login(school, "pupil5").status_code == 429
        assert _api_token(school, "pupil5").status_code == 429
        assert post_login(_from(app, ELSEWHERE), "pupil5").status_code == 302

    def test_forwarded_for_is_ignored_without_a_trusted_proxy(self, app, make):
        make.user("nara")
        school = _from(app)
        for i in range(5):
            school.post(
                "/login",
                data={"username": "nara", "password": PASSWORD},
                headers={"X-Forwarded-For": f"10.0.0.{i}"},
            )
        response = school.post(
            "/login",
            data={"username": "nara", "password": PASSWORD},
            headers={"X-Forwarded-For": "10.0.0.99"},
        )
        assert response.status_code == 429  # a made-up header does not make a new client


class TestBehindAProxy:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_LOGIN_IP": "5/minute", "QUIZ_PROXY_FIX": 1}

    def test_the_forwarded_client_address_is_the_key(self, app, make):
        make.user("nara")
        proxy = _from(app, "127.0.0.1")
        for _ in range(5):
            headers = {"X-Forwarded-For": SCHOOL_NAT}
            assert (
                proxy.post(
                    "/login", data={"username": "nara", "password": PASSWORD}, headers=headers
                ).status_code
                == 302
            )
        blocked = proxy.post(
            "/login",
            data={"username": "nara", "password": PASSWORD},
            headers={"X-Forwarded-For": SCHOOL_NAT},
        )
        assert blocked.status_code == 429
        other = proxy.post(
            "/login",
            data={"username": "nara", "password": PASSWORD},
            headers={"X-Forwarded-For": ELSEWHERE},
        )
        assert other.status_code == 302


# Second factor ------------------------------------------------------------------------------


def test_second_factor_guesses_are_limited_per_account(app, client, make, clock):
    make.user("org", roles=(Role.ORGANIZER,))
    post_login(client, "org")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = page.split("secret=")[1].split("&")[0]
    client.post(
        "/account/two-factor/enable",
        data={"password": PASSWORD, "code": two_factor.code_at(secret, clock())},
    )
    guesser = _from(app, ELSEWHERE)
    assert post_login(guesser, "org").location == "/login/two-factor"
    for guess in range(10):
        assert guesser.post("/login/two-factor", data={"code": f"{guess:06d}"}).status_code in (
            401,
        )
    clock.advance(seconds=30)
    good = two_factor.code_at(secret, clock())
    assert guesser.post("/login/two-factor", data={"code": good}).status_code == 429


# Registration: per address ------------------------------------------------------------------


def _registration(username: str, password: str = "Steppe-wind-2026") -> dict[str, str]:
    return {
        "username": username,
        "password": password,
        "display_name": username,
        "region_code": "150102",
        "language": "zh",
    }


class TestRegistration:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {
            "QUIZ_RATELIMIT_REGISTER_IP": "3/hour",
            "QUIZ_RATELIMIT_REGISTER_ATTEMPTS_IP": "8/hour",
        }

    def test_accounts_per_address_and_attempts_per_address(self, app):
        school = _from(app)
        assert school.post("/api/v1/auth/register", json=_registration("acc1")).status_code == 201
        assert (
            school.post("/register", data={**_registration("acc2"), "school_id": ""}).status_code
            == 302
        )
        # Mistakes do not use up the account allowance...
        for _ in range(3):
            bad = school.post("/api/v1/auth/register", json=_registration("acc3", "password1"))
            assert bad.status_code == 422
        assert school.post("/api/v1/auth/register", json=_registration("acc3")).status_code == 201
        # ...but three accounts from one address within the hour is all.
        _assert_429_json(school.post("/api/v1/auth/register", json=_registration("acc4")))
        assert (
            _from(app, ELSEWHERE)
            .post("/api/v1/auth/register", json=_registration("acc4"))
            .status_code
            == 201
        )
        # Attempts of any kind are capped too (8 counted above and here).
        school.post("/api/v1/auth/register", json=_registration("acc5", "x"))
        assert school.post("/api/v1/auth/register", json=_registration("acc5")).status_code == 429


def test_default_registration_limit_fits_a_classroom(app):
    school = _from(app)
    for i in range(60):
        response = school.post("/api/v1/auth/register", json=_registration(f"kid{i:02d}"))
        assert response.status_code == 201, (i, response.json)


# Answer saves: per participant ---------------------------------------------------------------


class TestAnswers:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_ANSWER_USER": "5/minute"}

    def test_answer_saves_per_participant_on_page_and_api(self, app, make, clock):
        contest, round_ = make.setup()
        nara = make.enrolled(contest, username="nara")
        bat = make.enrolled(contest, username="bat")
        attempts = {
            u.username: play.start_attempt(u, round_, "zh", clock())[0] for u in (nara, bat)
        }
        db.session.commit()  # the test is the edge (services flush)
        browsers = {}
        for name in ("nara", "bat"):
            browsers[name] = _from(app)
            assert post_login(browsers[name], name).status_code == 302
        nara_url = f"/api/v1/attempts/{attempts['nara'].id}"
        for no in (1, 2, 3):
            assert (
                browsers["nara"].put(f"{nara_url}/answers/{no}", json={"choice": ["A"]}).status_code
                == 200
            )
        for no in (4, 5):
            page = browsers["nara"].post(
                f"/attempts/{attempts['nara'].id}/q/{no}",
                data={"choice": "A"},
                headers={"X-Requested-With": "fetch"},
            )
            assert page.status_code == 200
        _assert_429_json(browsers["nara"].put(f"{nara_url}/answers/6", json={"choice": ["A"]}))
        page = browsers["nara"].post(f"/attempts/{attempts['nara'].id}/q/6", data={"choice": "A"})
        assert page.status_code == 429 and page.mimetype == "text/html"
        # The classmate behind the same address saves as usual; reading is not limited.
        bat_url = f"/api/v1/attempts/{attempts['bat'].id}"
        assert (
            browsers["bat"].put(f"{bat_url}/answers/1", json={"choice": ["A"]}).status_code == 200
        )
        assert browsers["nara"].get(nara_url).status_code == 200
        assert browsers["nara"].get(f"/attempts/{attempts['nara'].id}/q/1").status_code == 200


# Switches and outages -------------------------------------------------------------------------


class TestDisabled:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"RATELIMIT_ENABLED": False}

    @pytest.fixture
    def limits_on(self, app, client):
        assert app.extensions["quiz_limiter"] is None

    def test_no_limits_when_switched_off(self, app, make):
        make.user("nara")
        for _ in range(15):
            assert post_login(_from(app), "nara", "wrong-password").status_code == 401


class TestRedisDown:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        # Nothing listens on port 1: every Redis call fails at once.
        return {"QUIZ_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0"}

    def test_requests_go_on_and_limits_fall_back_to_memory(self, app, make, caplog):
        make.user("nara")
        for _ in range(10):
            assert post_login(_from(app), "nara", "wrong-password").status_code == 401
        assert post_login(_from(app), "nara", "wrong-password").status_code == 429


# Bursts: the count is reserved before the password is checked ---------------------------

BURST = 40


def _burst(app, send, cookies: dict[str, str] | None = None) -> list[int]:
    """``send(client)`` from BURST threads released together, each its own client (one
    address); the status codes. Real threads, the suite's real Redis."""
    db.session.commit()  # the test's own transaction must not hold SQLite's lock
    barrier = threading.Barrier(BURST)

    def one(_: int) -> int:
        client = FlaskClient(app, app.response_class)
        client.environ_base["REMOTE_ADDR"] = ELSEWHERE
        for name, value in (cookies or {}).items():
            client.set_cookie(name, value)
        barrier.wait()
        with app.app_context():
            return send(client).status_code

    with ThreadPoolExecutor(BURST) as pool:
        return list(pool.map(one, range(BURST)))


def _checked(codes: list[int]) -> int:
    assert set(codes) <= {400, 401, 422, 429}, codes  # never a 500, never a success
    return sum(code != 429 for code in codes)


def test_a_burst_of_wrong_passwords_gets_at_most_the_limit_checked(app, make):
    make.user("nara")
    codes = _burst(app, lambda c: post_login(c, "nara", "wrong-password"))
    assert 1 <= _checked(codes) <= 10
    codes = _burst(app, lambda c: _api_token(c, "bat", "wrong-password"))
    assert 1 <= _checked(codes) <= 10
    # The owner's own browser was not part of it.
    assert post_login(_from(app, SCHOOL_NAT), "nara").status_code == 302


def test_a_burst_of_second_factor_guesses_gets_at_most_the_limit_checked(app, make, clock):
    make.user("org", roles=(Role.ORGANIZER,))
    owner = _from(app, SCHOOL_NAT)
    post_login(owner, "org")
    page = owner.get("/account/two-factor").get_data(as_text=True)
    secret = page.split("secret=")[1].split("&")[0]
    owner.post(
        "/account/two-factor/enable",
        data={"password": PASSWORD, "code": two_factor.code_at(secret, clock())},
    )
    guesser = _from(app, ELSEWHERE)
    assert post_login(guesser, "org").location == "/login/two-factor"
    session_cookie = guesser.get_cookie("session").value
    good = two_factor.code_at(secret, clock())
    wrong = next(f"{n:06d}" for n in range(1, 10**6) if f"{n:06d}" != good)
    codes = _burst(
        app,
        lambda c: c.post("/login/two-factor", data={"code": wrong}),
        cookies={"session": session_cookie},
    )
    assert 1 <= _checked(codes) <= 10


def test_a_burst_of_wrong_password_confirmations_gets_at_most_the_limit_checked(app, make):
    make.user("nara")
    browser = _from(app, ELSEWHERE)
    assert post_login(browser, "nara").status_code == 302
    form = {
        "current_password": "wrong-password",
        "new_password": "Steppe-wind-2026",
        "confirm_password": "Steppe-wind-2026",
    }
    codes = _burst(
        app,
        lambda c: c.post("/account/password", data=form),
        cookies={"session": browser.get_cookie("session").value},
    )
    assert 1 <= _checked(codes) <= 10


class TestManyAddresses:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_LOGIN_ACCOUNT": "20/hour"}

    def test_many_addresses_are_capped_together_but_the_owner_gets_in(self, app, make):
        make.user("nara")
        for i in range(20):  # 20 addresses, one wrong guess each
            assert post_login(_from(app, f"192.0.2.{i}"), "nara", "x").status_code == 401
        # The 21st address to fail is over the account's cap...
        assert post_login(_from(app, "192.0.2.50"), "nara", "x").status_code == 401
        assert post_login(_from(app, "192.0.2.50"), "nara", "x").status_code == 429
        assert post_login(_from(app, "192.0.2.1"), "nara", "x").status_code == 429
        # ...but the owner, whose browser has not failed, is not locked out.
        assert post_login(_from(app, SCHOOL_NAT), "nara").status_code == 302


# Live-game answers: per player, guests by their own hidden account -------------------------


class TestLiveAnswers:
    @pytest.fixture
    def limits(self) -> dict[str, Any]:
        return {"QUIZ_RATELIMIT_LIVE_ANSWER": "3/minute"}

    def _hall(self, app, make, clock):
        from tests.live.helpers import act, create_game, join, live_hall

        hall = live_hall(make, clock, players=2)
        host = _from(app)
        game = create_game(host, hall, allow_guests=True)
        for index in range(2):
            join(host, hall, game["pin"], index)
        guests = []
        for name in ("Bat", "Saran"):  # two phones of one hall: one address, no accounts
            joined = _from(app).post(
                "/api/v1/live-games/join", json={"pin": game["pin"], "display_name": name}
            )
            assert joined.status_code == 200, joined.json
            guests.append({"X-Live-Token": joined.json["token"]})
        act(host, hall, game["id"], "advance")
        return hall, game, guests

    def test_guests_behind_one_address_are_counted_apart(self, app, make, clock):
        hall, game, guests = self._hall(app, make, clock)
        url = f"/api/v1/live-games/{game['id']}/answers/1"
        phone = _from(app)
        codes = [
            phone.put(url, headers=guests[0], json={"choice": [choice]}).status_code
            for choice in ("A", "B", "B")
        ]
        # The first is taken, the retries are refused (409) and counted: a flood is capped.
        assert codes == [200, 409, 409]
        _assert_429_json(phone.put(url, headers=guests[0], json={"choice": ["B"]}))
        # The next guest in the hall, from the same address, answers as usual.
        other = _from(app).put(url, headers=guests[1], json={"choice": ["B"]})
        assert other.status_code == 200, other.json
        # A player with an account is counted on their own too.
        player = _from(app).put(
            url, headers=hall.bearer(hall.players[0][1]), json={"choice": ["A"]}
        )
        assert player.status_code == 200, player.json

    def test_an_account_is_counted_once_on_the_lane_and_the_view(self, app, make, clock):
        hall, game, _guests = self._hall(app, make, clock)
        url = f"/api/v1/live-games/{game['id']}/answers/1"
        bearer = hall.bearer(hall.players[1][1])
        lane, view = _from(app), _from(app)
        view.set_cookie("unrelated", "1")  # a cookie: Flask's view, not the live lane
        assert lane.put(url, headers=bearer, json={"choice": ["A"]}).status_code == 200
        assert view.put(url, headers=bearer, json={"choice": ["A"]}).status_code == 409
        assert lane.put(url, headers=bearer, json={"choice": ["A"]}).status_code == 409
        _assert_429_json(view.put(url, headers=bearer, json={"choice": ["A"]}))
        refused = lane.put(url, headers={**bearer, "Accept-Language": "mn"}, json={"choice": ["A"]})
        _assert_429_json(refused, "mn_Mong_CN")

    def test_the_host_and_strangers_are_refused_before_anything_is_counted(
        self, app, make, clock, redis_url
    ):
        hall, game, _guests = self._hall(app, make, clock)
        url = f"/api/v1/live-games/{game['id']}/answers/1"
        stranger = make.user("stranger")
        from tests.factories import issue_token

        stranger_token, _ = issue_token(stranger, clock(), 1)
        for _ in range(5):
            host = _from(app).put(url, headers=hall.host_headers, json={"choice": ["A"]})
            assert host.status_code == 422, host.json
            nobody = _from(app).put(
                url, headers=hall.bearer(stranger_token), json={"choice": ["A"]}
            )
            assert nobody.status_code == 404, nobody.json
            fake = _from(app).put(url, headers={"X-Live-Token": "nope"}, json={"choice": ["A"]})
            assert fake.status_code == 404, fake.json
        assert not redis.Redis.from_url(redis_url).keys("*live-answers*")
