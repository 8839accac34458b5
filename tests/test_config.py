"""Settings come from QUIZ_* environment variables; unsafe combinations refuse to start."""

from __future__ import annotations

import pytest

from quiz import create_app
from quiz.config import ConfigError, load_config
from quiz.extensions import db

QUIZ_VARIABLES = (
    "QUIZ_ENV",
    "QUIZ_SECRET_KEY",
    "QUIZ_DATABASE_URL",
    "QUIZ_REDIS_URL",
    "QUIZ_REDIS_DIR",
    "QUIZ_ANSWER_GRACE_SECONDS",
    "QUIZ_TOKEN_DAYS",
    "QUIZ_DEFAULT_LANGUAGE",
    "QUIZ_SECURE_COOKIES",
    "QUIZ_CSRF_TIME_LIMIT",
    "QUIZ_MAX_UPLOAD_BYTES",
    "QUIZ_TIME_ZONE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No QUIZ_* setting from the machine running the tests; a throwaway database."""
    for name in QUIZ_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QUIZ_DATABASE_URL", f"sqlite:///{tmp_path / 'config.sqlite3'}")
    monkeypatch.setenv("QUIZ_REDIS_DIR", str(tmp_path / "redis"))


def _build():
    app = create_app()
    with app.app_context():
        db.engine.dispose()
    return app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("QUIZ_ENV", "production")
    with pytest.raises(ConfigError, match="QUIZ_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("QUIZ_SECRET_KEY", "")
    with pytest.raises(ConfigError, match="QUIZ_SECRET_KEY"):
        create_app()


def test_production_is_the_default_environment():
    with pytest.raises(ConfigError, match="QUIZ_SECRET_KEY"):
        create_app()


def test_testing_also_needs_a_secret_key(monkeypatch):
    monkeypatch.setenv("QUIZ_ENV", "testing")
    with pytest.raises(ConfigError):
        create_app()


def test_production_starts_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("QUIZ_ENV", "production")
    monkeypatch.setenv("QUIZ_SECRET_KEY", "a-long-random-production-secret")
    app = _build()
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # on by default in production
    assert not app.testing and not app.debug


def test_development_starts_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("QUIZ_ENV", "development")
    app = _build()
    assert app.config["QUIZ_ENV"] == "development"
    assert app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False  # plain http on a laptop


@pytest.mark.parametrize("value", ["staging", "prod", "Production", "dev"])
def test_an_unknown_environment_is_refused(monkeypatch, value):
    monkeypatch.setenv("QUIZ_ENV", value)
    monkeypatch.setenv("QUIZ_SECRET_KEY", "a-long-random-production-secret")
    with pytest.raises(ConfigError, match="QUIZ_ENV"):
        create_app()


def test_quiz_variables_are_read(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    settings = {
        "QUIZ_ENV": "production",
        "QUIZ_SECRET_KEY": "s3cret-from-the-environment",
        "QUIZ_DATABASE_URL": url,
        "QUIZ_REDIS_URL": "redis://redis.internal:6380/3",
        "QUIZ_ANSWER_GRACE_SECONDS": "2",
        "QUIZ_TOKEN_DAYS": "7",
        "QUIZ_DEFAULT_LANGUAGE": "mn",
        "QUIZ_SECURE_COOKIES": "off",
        "QUIZ_CSRF_TIME_LIMIT": "3600",
        "QUIZ_MAX_UPLOAD_BYTES": "1048576",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    app = _build()
    config = app.config
    assert config["QUIZ_ENV"] == "production"
    assert config["SECRET_KEY"] == "s3cret-from-the-environment"
    assert config["SQLALCHEMY_DATABASE_URI"] == url
    assert config["QUIZ_REDIS_URL"] == "redis://redis.internal:6380/3"
    assert config["QUIZ_ANSWER_GRACE_SECONDS"] == 2
    assert config["QUIZ_TOKEN_DAYS"] == 7
    assert config["QUIZ_DEFAULT_LANGUAGE"] == "mn"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["WTF_CSRF_TIME_LIMIT"] == 3600
    assert config["MAX_CONTENT_LENGTH"] == 1_048_576
    with app.app_context():
        assert str(db.engine.url) == url
        db.engine.dispose()


def test_defaults_without_variables(monkeypatch, tmp_path):
    monkeypatch.delenv("QUIZ_DATABASE_URL")
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    assert config["QUIZ_REDIS_URL"] is None  # the embedded server
    assert config["QUIZ_ANSWER_GRACE_SECONDS"] == 5
    assert config["QUIZ_TOKEN_DAYS"] == 30
    assert config["QUIZ_DEFAULT_LANGUAGE"] == "zh"
    assert config["MAX_CONTENT_LENGTH"] == 8 * 1024 * 1024


@pytest.mark.parametrize("name", ["QUIZ_TOKEN_DAYS", "QUIZ_ANSWER_GRACE_SECONDS"])
def test_a_malformed_number_is_refused(monkeypatch, name):
    monkeypatch.setenv("QUIZ_ENV", "development")
    monkeypatch.setenv(name, "thirty")
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_explicit_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_ENV", "production")
    monkeypatch.setenv("QUIZ_TOKEN_DAYS", "7")
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development", "QUIZ_TOKEN_DAYS": 1})
    assert config["QUIZ_ENV"] == "development" and config["QUIZ_TOKEN_DAYS"] == 1


def test_a_mail_url_that_cannot_be_understood_stops_the_start(tmp_path):
    for url in ("http://mail.example.org", "smtp://", "smtp://host:notaport"):
        with pytest.raises(ConfigError, match="QUIZ_MAIL_URL"):
            load_config(str(tmp_path), {"QUIZ_ENV": "development", "QUIZ_MAIL_URL": url})
    config = load_config(
        str(tmp_path), {"QUIZ_ENV": "development", "QUIZ_MAIL_URL": "smtps://u:p@h"}
    )
    assert config["QUIZ_MAIL_URL"] == "smtps://u:p@h"


def test_development_makes_its_own_secret_key_once(tmp_path):
    """`make run` signs sessions with a random key kept in instance/ (mode 0600), never
    with a key written in the source (red-team finding, docs/security.md)."""
    first = load_config(str(tmp_path / "one"), {"QUIZ_ENV": "development"})["SECRET_KEY"]
    key_file = tmp_path / "one" / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 40 and first != "development-only-insecure-key"
    # The same instance keeps its key across restarts; another instance has its own.
    assert load_config(str(tmp_path / "one"), {"QUIZ_ENV": "development"})["SECRET_KEY"] == first
    other = load_config(str(tmp_path / "two"), {"QUIZ_ENV": "development"})["SECRET_KEY"]
    assert other != first
    # A key file left readable by others is tightened on the next start.
    key_file.chmod(0o644)
    load_config(str(tmp_path / "one"), {"QUIZ_ENV": "development"})
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_configured_key_wins_and_writes_no_file(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_SECRET_KEY", "a-long-random-configured-secret")
    cfg = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    assert cfg["SECRET_KEY"] == "a-long-random-configured-secret"
    assert not (tmp_path / "secret_key").exists()


def test_the_time_zone_is_checked_at_start_up(monkeypatch):
    """QUIZ_TIME_ZONE (default Asia/Shanghai) decides every date people read."""
    from datetime import datetime

    from quiz.dates import format_moment, to_local

    monkeypatch.setenv("QUIZ_ENV", "development")
    app = _build()
    assert app.config["QUIZ_TIME_ZONE"] == "Asia/Shanghai"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    monkeypatch.setenv("QUIZ_TIME_ZONE", "Europe/Berlin")
    app = _build()
    with app.test_request_context():
        moment = datetime(2026, 12, 6, 18, 1, 20, 156994)
        assert to_local(moment).hour == 19
        assert format_moment(moment, "zh") == "2026年12月6日 19:01"
    for bad in ("Mars/Olympus", "not a zone", "../etc/passwd"):
        monkeypatch.setenv("QUIZ_TIME_ZONE", bad)
        with pytest.raises(ConfigError, match="QUIZ_TIME_ZONE"):
            load_config("/tmp")


def test_one_date_format_for_each_language(app):
    from datetime import date, datetime

    from quiz.dates import format_day, format_moment, format_time

    moment = datetime(2026, 12, 6, 18, 1, 20, 156994)  # stored naive UTC
    with app.test_request_context():
        assert format_moment(moment, "zh") == "2026年12月7日 02:01"
        assert format_moment(moment, "mn") == "2026.12.07 02:01"
        assert format_moment(moment, "zh", seconds=True) == "2026年12月7日 02:01:20"
        # What an audit snapshot keeps: ISO text, shown the same way.
        assert format_moment("2026-12-06T18:01:20.156994", "zh") == "2026年12月7日 02:01"
        assert format_moment("not a date", "zh") == "not a date"
        assert format_moment(None) == ""
        assert format_day(date(2026, 3, 5), "zh") == "2026年3月5日"
        assert format_day(moment, "mn") == "2026.12.07"
        assert format_time(moment) == "02:01"
