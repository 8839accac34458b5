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


# --- typed settings (quiz/settings.py): one catalogue, the README, bad values ---------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from quiz import settings as catalogue  # noqa: E402
from quiz.cli import main as quiz_cli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TABLE_START = "<!-- settings table: generated by `quiz settings table`, do not edit by hand -->\n"
TABLE_END = "<!-- end of settings table -->"


def test_the_readme_table_is_the_generated_one():
    """The README's table cannot drift from the catalogue: regenerate it with
    `quiz settings table` (between the two markers) when a setting changes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    generated = CliRunner().invoke(quiz_cli, ["settings", "table"])
    assert generated.exit_code == 0, generated.output
    expected = generated.output.replace(
        "\n| config key |",
        "\nSettings the app sets itself (not from the environment):\n\n| config key |",
    )
    assert documented == expected


def test_the_app_config_is_the_catalogue_and_nothing_else(tmp_path):
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    known = {s.config_key for s in catalogue.SETTINGS if s.reader == "app"}
    known |= {f.key for f in catalogue.FIXED} | set(catalogue.HOOKS)
    assert set(config) <= known, set(config) - known
    assert {s.config_key for s in catalogue.SETTINGS if s.reader == "app"} <= set(config)
    assert "JSON_SORT_KEYS" not in config  # Flask 3 ignores it: app.json.sort_keys decides
    names = [s.name for s in catalogue.SETTINGS]
    assert len(names) == len(set(names))


READS = re.compile(
    r"""(?:config|environ)(?:\.get\(|\.setdefault\(|\[)\s*\n?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_every_setting_the_code_reads_is_in_the_catalogue():
    """grep for config[...] / config.get(...) / environ.get(...) in the app and deploy/:
    each name is a catalogued variable, config key, fixed setting or test hook."""
    known = {s.name for s in catalogue.SETTINGS} | {s.config_key for s in catalogue.SETTINGS}
    known |= {f.key for f in catalogue.FIXED} | set(catalogue.HOOKS)
    files = [*sorted((ROOT / "quiz").rglob("*.py")), ROOT / "wsgi.py"]
    files += sorted((ROOT / "deploy").glob("*.py"))
    read = {
        (name, path.relative_to(ROOT).as_posix())
        for path in files
        for name in READS.findall(path.read_text(encoding="utf-8"))
    }
    compose = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    read |= {(name, "deploy/compose.yaml") for name in re.findall(r"(QUIZ_[A-Z0-9_]+)", compose)}
    assert read, "the pattern finds the reads"
    # A WSGI environ (the answer lane's) holds the request's CGI variables, not settings.
    wsgi = re.compile(
        r"HTTP_[A-Z_]+|REQUEST_METHOD|QUERY_STRING|PATH_INFO|SCRIPT_NAME|CONTENT_(LENGTH|TYPE)"
        r"|REMOTE_ADDR|SERVER_[A-Z_]+|wsgi\..*"
    )
    unknown = sorted(
        (name, where) for name, where in read if name not in known and not wsgi.fullmatch(name)
    )
    assert not unknown


def test_the_languages_are_the_interfaces():
    from quiz.i18n import LANGUAGES

    assert catalogue.LANGUAGES == LANGUAGES


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("QUIZ_TOKEN_DAYS", "abc", "QUIZ_TOKEN_DAYS: expected a whole number, got 'abc'"),
        ("QUIZ_TOKEN_DAYS", "0", "QUIZ_TOKEN_DAYS: expected a whole number of at least 1"),
        ("QUIZ_DB_POOL_SIZE", "ten", "QUIZ_DB_POOL_SIZE: expected a whole number"),
        ("QUIZ_BANK_UPLOAD_MINUTES", "1.5", "QUIZ_BANK_UPLOAD_MINUTES: expected a whole number"),
        ("QUIZ_BOARD_CACHE_SECONDS", "soon", "QUIZ_BOARD_CACHE_SECONDS: expected a number"),
        ("QUIZ_MONITOR_CACHE_SECONDS", "-1", "QUIZ_MONITOR_CACHE_SECONDS: expected a number of"),
        ("QUIZ_LIVE_POLL_SECONDS", "nan", "QUIZ_LIVE_POLL_SECONDS: expected a number of"),
        ("QUIZ_ACCESS_LOG", "maybe", "QUIZ_ACCESS_LOG: expected on or off"),
        ("QUIZ_SECURE_COOKIES", "secure", "QUIZ_SECURE_COOKIES: expected on or off"),
        ("QUIZ_RATELIMIT_LOGIN_IP", "lots", "QUIZ_RATELIMIT_LOGIN_IP: expected a rate limit"),
        ("QUIZ_DEFAULT_LANGUAGE", "en", "QUIZ_DEFAULT_LANGUAGE: expected one of zh, mn"),
        ("QUIZ_LOG_LEVEL", "loud", "QUIZ_LOG_LEVEL: expected one of DEBUG"),
        ("QUIZ_LOG_FORMAT", "xml", "QUIZ_LOG_FORMAT: expected one of json, text, got 'xml'"),
        ("QUIZ_ENV", "staging", "QUIZ_ENV: expected one of development, testing, production"),
        ("QUIZ_MEDIA_S3_ENDPOINT", "minio:9000", "QUIZ_MEDIA_S3_ENDPOINT: expected an http(s)"),
    ],
)
def test_a_bad_value_names_the_variable_and_its_problem(monkeypatch, name, value, problem):
    monkeypatch.setenv("QUIZ_ENV", "development")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert str(refused.value).startswith(problem)
    assert repr(value) in str(refused.value)


def test_the_cli_refuses_to_start_with_the_variable_to_fix(monkeypatch):
    monkeypatch.setenv("QUIZ_ENV", "development")
    monkeypatch.setenv("QUIZ_TOKEN_DAYS", "abc")
    for args in (["routes"], ["settings", "check"]):
        result = CliRunner().invoke(quiz_cli, args)
        assert result.exit_code == 1, result.output
        assert "QUIZ_TOKEN_DAYS: expected a whole number, got 'abc'" in result.output
        assert "Traceback" not in result.output
    monkeypatch.setenv("QUIZ_TOKEN_DAYS", "7")
    result = CliRunner().invoke(quiz_cli, ["settings", "check"])
    assert result.exit_code == 0 and "settings ok (development)" in result.output
    # Production without a secret: the same one-line refusal.
    monkeypatch.setenv("QUIZ_ENV", "production")
    result = CliRunner().invoke(quiz_cli, ["settings", "check"])
    assert result.exit_code == 1 and "QUIZ_SECRET_KEY is not set" in result.output


def test_values_are_typed_and_an_empty_variable_is_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_TOKEN_DAYS", "")
    monkeypatch.setenv("QUIZ_ACCESS_LOG", "off")
    monkeypatch.setenv("QUIZ_REDIS_CLUSTER", "Yes")
    monkeypatch.setenv("QUIZ_LOG_LEVEL", "warning")
    monkeypatch.setenv("QUIZ_BOARD_CACHE_SECONDS", "3")
    monkeypatch.setenv("QUIZ_BANK_UPLOAD_MINUTES", "15")
    monkeypatch.setenv("QUIZ_TRUSTED_HOSTS", "quiz.example.org, .example.org,")
    config = load_config(str(tmp_path), {"QUIZ_ENV": "development"})
    assert config["QUIZ_TOKEN_DAYS"] == 30
    assert config["QUIZ_ACCESS_LOG"] is False and config["QUIZ_REDIS_CLUSTER"] is True
    assert config["QUIZ_LOG_LEVEL"] == "WARNING"
    assert config["QUIZ_BOARD_CACHE_SECONDS"] == 3.0
    assert config["QUIZ_BANK_UPLOAD_MINUTES"] == 15
    assert config["TRUSTED_HOSTS"] == ["quiz.example.org", ".example.org"]
    settings = catalogue.Settings.read(tmp_path, {"QUIZ_MEDIA_S3_PREFIX": ""}, env="testing")
    assert settings["QUIZ_MEDIA_S3_PREFIX"] == ""  # no prefix is a prefix
    with pytest.raises(AttributeError):
        settings.env = "production"  # frozen


def test_the_profiles_keep_their_defaults(tmp_path):
    environ = {"QUIZ_DATABASE_URL": "postgresql+psycopg://u@db/quiz"}
    for env, secure, log_format, testing in (
        ("production", True, "json", False),
        ("testing", False, "text", True),
        ("development", False, "text", False),
    ):
        settings = catalogue.Settings.read(tmp_path, environ, env=env)
        config = settings.to_config()
        assert config["SESSION_COOKIE_SECURE"] is secure
        assert config["QUIZ_LOG_FORMAT"] == log_format
        assert config["TESTING"] is testing
        assert config["SQLALCHEMY_DATABASE_URI"] == environ["QUIZ_DATABASE_URL"]
    default = catalogue.Settings.read(tmp_path, {})
    assert default.env == "production"
    assert default["QUIZ_DATABASE_URL"] == f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    assert default["QUIZ_REDIS_DIR"] == str(tmp_path / "redis")


def test_the_board_cache_and_bank_upload_minutes_are_read_through_the_config(
    monkeypatch,
):
    monkeypatch.setenv("QUIZ_ENV", "development")
    monkeypatch.setenv("QUIZ_BOARD_CACHE_SECONDS", "4")
    app = _build()
    from quiz.leaderboards.live import shared_cache

    with app.app_context():
        assert shared_cache().ttl == 4.0


def test_gunicorn_reads_its_settings_from_the_catalogue(monkeypatch):
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/quiz-metrics-test")
    monkeypatch.setenv("QUIZ_THREADS", "3")
    monkeypatch.delenv("QUIZ_BIND", raising=False)
    namespace: dict = {}
    exec(compile(conf.read_text(), str(conf), "exec"), namespace)
    assert (namespace["bind"], namespace["threads"], namespace["timeout"]) == (
        "0.0.0.0:8000",
        3,
        60,
    )
    monkeypatch.setenv("QUIZ_WORKERS", "many")
    with pytest.raises(ConfigError, match="QUIZ_WORKERS: expected a whole number, got 'many'"):
        exec(compile(conf.read_text(), str(conf), "exec"), {})


def test_api_bodies_keep_their_keys_sorted(app, client):
    """Flask 3 dropped JSON_SORT_KEYS; the JSON provider's sort_keys keeps bodies sorted."""
    assert app.json.sort_keys is True
    import json

    for url in ("/api/v1/openapi.json", "/api/v1/me"):
        body = client.get(url).get_data(as_text=True).strip()
        value = json.loads(body)
        assert body == json.dumps(value, sort_keys=True, separators=(",", ":"))
    assert list(value) == ["error"] and list(value["error"]) == ["code", "message"]
    assert app.json.dumps({"b": 1, "a": {"d": 2, "c": 3}}) == '{"a": {"c": 3, "d": 2}, "b": 1}'
