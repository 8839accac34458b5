"""Request size limit, trusted hosts, proxy settings, headers on every kind of response,
safe redirects, and the password rules."""

from __future__ import annotations

from typing import Any

import pytest
from flask import url_for
from flask_babel import force_locale, gettext

from quiz.accounts.passwords import COMMON_PASSWORDS_FILE, check_password_rules, common_passwords
from quiz.config import load_config
from tests.factories import PASSWORD
from tests.security.scenario import check_security_headers, inline_code, is_local

# Upload limit -----------------------------------------------------------------------------


class TestUploadLimit:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"MAX_CONTENT_LENGTH": 4096}

    def test_oversized_bodies_are_refused_with_413(self, client, make):
        make.user("nara")
        big = "x" * 5000
        page = client.post("/login", data={"username": "nara", "password": big})
        assert page.status_code == 413
        with force_locale("zh_Hans_CN"):
            assert gettext("The upload is too large.") in page.get_data(as_text=True)
        api = client.post("/api/v1/auth/register", json={"username": big})
        assert api.status_code == 413 and api.json["error"]["code"] == "too_large"
        assert check_security_headers(api) == []
        # Just under the limit is fine.
        small = client.post("/login", data={"username": "nara", "password": PASSWORD})
        assert small.status_code == 302


def test_the_default_upload_limit_is_8_mib(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024


# Trusted hosts and proxies -------------------------------------------------------------------


class TestTrustedHosts:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"TRUSTED_HOSTS": ["quiz.example.org", ".nmgkx.example"]}

    def test_only_configured_hosts_are_served(self, client):
        assert client.get("/", headers={"Host": "quiz.example.org"}).status_code == 200
        assert client.get("/", headers={"Host": "www.nmgkx.example"}).status_code == 200
        refused = client.get("/", headers={"Host": "evil.example"})
        assert refused.status_code == 400 and "evil" not in refused.get_data(as_text=True)
        assert check_security_headers(refused) == []
        api = client.get("/api/v1/regions", headers={"Host": "evil.example"})
        assert api.status_code == 400
        login = client.post("/login", data={}, headers={"Host": "evil.example"})
        assert login.status_code == 400


def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_TRUSTED_HOSTS", " quiz.example.org, .nmgkx.example ,")
    monkeypatch.setenv("QUIZ_PROXY_FIX", "1")
    monkeypatch.setenv("QUIZ_RATELIMIT_ENABLED", "0")
    monkeypatch.setenv("QUIZ_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("QUIZ_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("QUIZ_RATELIMIT_ANSWER_USER", "60/minute")
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    assert config["TRUSTED_HOSTS"] == ["quiz.example.org", ".nmgkx.example"]
    assert config["QUIZ_PROXY_FIX"] == 1
    assert config["RATELIMIT_ENABLED"] is False
    assert config["QUIZ_SESSION_IDLE_MINUTES"] == 30
    assert config["QUIZ_SESSION_MAX_HOURS"] == 8
    assert config["QUIZ_RATELIMIT_ANSWER_USER"] == "60/minute"
    for name in ("QUIZ_TRUSTED_HOSTS", "QUIZ_PROXY_FIX", "QUIZ_RATELIMIT_ENABLED"):
        monkeypatch.delenv(name)
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    assert config["TRUSTED_HOSTS"] is None
    assert config["QUIZ_PROXY_FIX"] == 0
    assert config["RATELIMIT_ENABLED"] is True


class TestBehindAProxy:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"QUIZ_PROXY_FIX": 1}

    def test_forwarded_scheme_and_client_are_used(self, app):
        @app.get("/_whoami")
        def _whoami() -> Any:
            from flask import request

            return {"addr": request.remote_addr, "url": url_for("contests.index", _external=True)}

        client = app.test_client()
        response = client.get(
            "/_whoami",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert response.json == {"addr": "203.0.113.7", "url": "https://localhost/"}


def test_without_proxy_fix_forwarded_headers_are_ignored(app):
    @app.get("/_whoami")
    def _whoami() -> Any:
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.json == {"addr": "127.0.0.1", "scheme": "http"}


# Headers everywhere ----------------------------------------------------------------------------


def test_error_pages_and_static_files_carry_the_headers(client):
    for path in ("/no-such-page", "/api/v1/no-such-thing", "/static/js/quiz.js"):
        with client.get(path) as response:
            assert check_security_headers(response) == [], path
    not_allowed = client.get("/logout")
    assert not_allowed.status_code == 405 and check_security_headers(not_allowed) == []
    page = client.get("/no-such-page")
    assert page.status_code == 404 and inline_code(page.get_data(as_text=True)) == []


def test_hsts_only_when_served_over_https(app, client):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in client.get("/").headers


# Safe redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_language_switch_and_login_stay_on_the_site(client, make, target):
    make.user("nara")
    response = client.post("/language/mn", data={"next": target})
    assert response.status_code == 302 and is_local(response.location)
    response = client.post(
        "/login",
        data={"username": "nara", "password": PASSWORD},
        query_string={"next": target},
    )
    assert response.status_code == 302 and is_local(response.location)


def test_the_login_redirect_keeps_only_the_path(client):
    response = client.get("/profile?x=1", base_url="http://localhost")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=") and is_local(response.location)


# Password rules ---------------------------------------------------------------------------------


def test_the_bundled_list_is_the_one_generated_from_zxcvbn():
    from tests.security.common_passwords import COUNT, build

    assert COMMON_PASSWORDS_FILE.read_text(encoding="utf-8") == build()
    assert len(common_passwords()) >= COUNT
    for password in ("password", "12345678", "qwertyuiop", "1qaz2wsx", "woaini1314", "iloveyou"):
        assert password in common_passwords()


@pytest.mark.parametrize(
    "password", ["password", "PASSWORD", "Password1", "12345678", "qwertyuiop", "Woaini1314"]
)
def test_common_passwords_are_refused_at_registration(client, password):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "username": "newcomer",
            "password": password,
            "display_name": "新人",
            "region_code": "150102",
            "language": "zh",
        },
    )
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["password"]


def test_password_rules():
    assert check_password_rules("Steppe-wind-2026", "nara") == []
    assert check_password_rules("nara_steppe", "Nara_Steppe")  # the username, any case
    assert check_password_rules("eppets_aran", "nara_steppe")  # reversed
    assert check_password_rules("short")
    assert check_password_rules("x" * 129)
    assert check_password_rules("x" * 128) == []
