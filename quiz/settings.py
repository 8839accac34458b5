"""Every setting the platform reads: one typed, frozen catalogue.

Why one catalogue: the README's configuration table, the admin console's settings page
and the app config used to be written separately and drifted (variables read with a
default in a module but never documented, a Flask 2 setting Flask 3 ignores). Here each
environment variable has its default, its parser and its meaning once; ``load_config``
builds the app config from a ``Settings`` read from the environment, and
``quiz settings table`` (or ``python -m quiz.settings``) prints the README table, which a
test compares with the README.

A bad value stops the start with the variable's name and the value's problem
(``QUIZ_TOKEN_DAYS: expected a whole number, got 'thirty'``), instead of a traceback
deep in the first request that reads it.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")
LANGUAGES = ("zh", "mn")  # quiz.i18n.LANGUAGES (a test keeps them equal)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class ConfigError(RuntimeError):
    """The app cannot start safely with the settings it was given."""


class BadValue(ValueError):
    """A parser's complaint: what it expected (the caller adds the name and the value)."""


Parser = Callable[[str], Any]


# --- parsers: each turns the variable's text into its value or raises BadValue ---------


def text(raw: str) -> str:
    return raw


def whole(minimum: int | None = None) -> Parser:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise BadValue("expected a whole number") from None
        if minimum is not None and value < minimum:
            raise BadValue(f"expected a whole number of at least {minimum}")
        return value

    return parse


def number(minimum: float = 0) -> Parser:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise BadValue("expected a number") from None
        if not math.isfinite(value) or value < minimum:
            raise BadValue(f"expected a number of at least {minimum:g}")
        return value

    return parse


def switch(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue(f"expected on or off ({', '.join(TRUE_WORDS)} / {', '.join(FALSE_WORDS)})")


def one_of(*choices: str, fold: Callable[[str], str] = str) -> Parser:
    def parse(raw: str) -> str:
        value = fold(raw.strip())
        if value not in choices:
            raise BadValue(f"expected one of {', '.join(choices)}")
        return value

    return parse


def rate_limit(raw: str) -> str:
    from limits import parse

    try:
        parse(raw)
    except ValueError:
        raise BadValue("expected a rate limit like 10/minute") from None
    return raw


def host_list(raw: str) -> list[str] | None:
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    return hosts or None


def http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise BadValue("expected an http(s) URL")
    return raw


def key_prefix(raw: str) -> str:
    if raw.startswith("/"):
        raise BadValue("expected a prefix that does not start with /")
    return raw


# --- the catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What a derived default depends on: the environment's name and the instance folder."""

    env: str
    instance: Path


Default = Any  # a value, or a callable of the Profile for defaults that depend on it


@dataclass(frozen=True)
class Setting:
    """One environment variable: where it goes, its default, how it is read, what it means."""

    name: str  # the environment variable
    default: Default
    parse: Parser
    meaning: str  # the README's "meaning" column (Markdown)
    shown_default: str = ""  # the README's "default" column when the value says too little
    key: str = ""  # the app config key, when it is not the variable's name
    reader: str = "app"  # "app": in app.config; else who reads it (deploy/gunicorn.conf.py …)
    keep_empty: bool = False  # an empty value is a value (else: as if unset)

    @property
    def config_key(self) -> str:
        return self.key or self.name

    def default_for(self, profile: Profile) -> Any:
        return self.default(profile) if callable(self.default) else self.default

    def read(self, raw: str | None, profile: Profile) -> Any:
        """The value for ``raw`` (the variable's text, None when unset)."""
        if raw is None or (raw == "" and not self.keep_empty):
            return self.default_for(profile)
        try:
            return self.parse(raw)
        except BadValue as exc:
            raise ConfigError(f"{self.name}: {exc}, got {raw!r}") from None

    def default_text(self) -> str:
        if self.shown_default:
            return self.shown_default
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return f"`{self.default}`"


def _in_production(profile: Profile) -> bool:
    return profile.env == "production"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "QUIZ_ENV",
        "production",
        one_of(*ENVIRONMENTS),
        "`development`, `testing` or `production`",
        shown_default="`production` (`make run` sets `development`)",
    ),
    Setting(
        "QUIZ_SECRET_KEY",
        None,
        text,
        "required outside development; the app refuses to start without it. Development "
        "without it makes a random key once and keeps it in `instance/secret_key` (mode 0600)",
        key="SECRET_KEY",
    ),
    Setting(
        "QUIZ_DATABASE_URL",
        lambda p: f"sqlite:///{p.instance / 'quiz.sqlite3'}",
        text,
        "e.g. `postgresql+psycopg://user:pw@host/db`",
        shown_default="`sqlite:///instance/quiz.sqlite3`",
        key="SQLALCHEMY_DATABASE_URI",
    ),
    Setting(
        "QUIZ_DB_POOL_SIZE",
        10,
        whole(1),
        "persistent database connections per app process (keep ≥ gunicorn `--threads`); as "
        "many again may overflow (not for SQLite)",
    ),
    Setting(
        "QUIZ_REDIS_URL",
        None,
        text,
        "e.g. `redis://host:6379/0`; also `redis+sentinel://[:pw@]h1:26379,h2:26379/<service>"
        "[/<db>]` for Redis Sentinel",
        shown_default="embedded server",
    ),
    Setting(
        "QUIZ_REDIS_CLUSTER",
        False,
        switch,
        "on: `QUIZ_REDIS_URL` names a Redis Cluster node (keys carry one hash tag per contest)",
    ),
    Setting(
        "QUIZ_REDIS_DIR",
        lambda p: str(p.instance / "redis"),
        text,
        "data and socket folder of the embedded Redis (used when `QUIZ_REDIS_URL` is unset)",
        shown_default="`instance/redis`",
    ),
    Setting(
        "QUIZ_TOKEN_CACHE_SECONDS",
        60,
        whole(0),
        "how long a process reuses a bearer-token lookup (0: never); revocations reach every "
        "process within ~1 s",
    ),
    Setting(
        "QUIZ_ANSWER_GRACE_SECONDS",
        5,
        whole(0),
        "network slack after a deadline in which a save still counts",
    ),
    Setting("QUIZ_TOKEN_DAYS", 30, whole(1), "lifetime of API bearer tokens"),
    Setting(
        "QUIZ_PASSWORD_HASH_METHOD",
        "scrypt",
        text,
        "Werkzeug password hash method (the contest simulation in `bench/` uses a cheaper one)",
    ),
    Setting(
        "QUIZ_SECURE_COOKIES",
        _in_production,
        switch,
        "`Secure` flag on cookies (needs HTTPS)",
        shown_default="on in production",
        key="SESSION_COOKIE_SECURE",
    ),
    Setting(
        "QUIZ_MAX_UPLOAD_BYTES",
        8 * 1024 * 1024,
        whole(1),
        "request size limit",
        shown_default="8 MiB",
        key="MAX_CONTENT_LENGTH",
    ),
    Setting(
        "QUIZ_BANK_UPLOAD_MINUTES",
        60,
        whole(1),
        "how long an uploaded bank file waits for its preview to be confirmed",
    ),
    Setting(
        "QUIZ_CSRF_TIME_LIMIT",
        6 * 3600,
        whole(1),
        "seconds a form's CSRF token stays valid (longer than the longest round, so a long "
        "quiz never loses a save)",
        shown_default="`21600` (6 hours)",
        key="WTF_CSRF_TIME_LIMIT",
    ),
    Setting(
        "QUIZ_TRUSTED_HOSTS",
        None,
        host_list,
        "comma-separated host names the app answers to (`.example.org` for subdomains); "
        "others get 400",
        shown_default="any",
        key="TRUSTED_HOSTS",
    ),
    Setting(
        "QUIZ_PROXY_FIX",
        0,
        whole(0),
        "number of reverse proxies whose `X-Forwarded-For`/`-Proto` are trusted (usually `1` "
        "behind nginx)",
    ),
    Setting(
        "QUIZ_SESSION_IDLE_MINUTES",
        120,
        whole(1),
        "a browser session ends after this long without a request",
    ),
    Setting("QUIZ_SESSION_MAX_HOURS", 12, whole(1), "a browser session ends this long after login"),
    Setting(
        "QUIZ_RATELIMIT_ENABLED",
        True,
        switch,
        "rate limits (the benchmarks keep them on, with limits out of reach)",
        key="RATELIMIT_ENABLED",
    ),
    Setting(
        "QUIZ_RATELIMIT_STORAGE_URL",
        None,
        text,
        "where the counters live (`redis://…`, `redis+unix://…`)",
        shown_default="the app's Redis",
    ),
    Setting(
        "QUIZ_RATELIMIT_LOGIN_USER",
        "10/minute",
        rate_limit,
        "failed logins per account and client address (page, API token); 2FA codes per account",
    ),
    Setting(
        "QUIZ_RATELIMIT_LOGIN_ACCOUNT",
        "100/hour",
        rate_limit,
        "failed logins per account from all addresses; a client that has not failed for it "
        "still gets its try",
    ),
    Setting(
        "QUIZ_RATELIMIT_LOGIN_IP", "300/minute", rate_limit, "login attempts per client address"
    ),
    Setting(
        "QUIZ_RATELIMIT_REGISTER_IP",
        "100/hour",
        rate_limit,
        "accounts created per client address",
    ),
    Setting(
        "QUIZ_RATELIMIT_REGISTER_ATTEMPTS_IP",
        "600/hour",
        rate_limit,
        "registration attempts per client address",
    ),
    Setting("QUIZ_RATELIMIT_ANSWER_USER", "120/minute", rate_limit, "answer saves per participant"),
    Setting(
        "QUIZ_RATELIMIT_LIVE_ANSWER",
        "60/minute",
        rate_limit,
        "live-game answers per player, guests included (one is taken per question)",
    ),
    Setting(
        "QUIZ_RATELIMIT_PRACTICE_USER",
        "30/minute",
        rate_limit,
        "practice sessions started per account (page and API)",
    ),
    Setting(
        "QUIZ_RATELIMIT_ACCOUNT_USER",
        "10/minute",
        rate_limit,
        "failed password confirmations (password change, 2FA) per account",
    ),
    Setting(
        "QUIZ_RATELIMIT_RESET_IP",
        "30/hour",
        rate_limit,
        "forgotten-password links asked for per client address",
    ),
    Setting(
        "QUIZ_RATELIMIT_RESET_USER",
        "5/hour",
        rate_limit,
        "forgotten-password links asked for per username or e-mail address",
    ),
    Setting(
        "QUIZ_RATELIMIT_JOIN_USER",
        "10/minute",
        rate_limit,
        "enrollment requests (join codes) per account",
    ),
    Setting(
        "QUIZ_RATELIMIT_JOIN_IP",
        "120/minute",
        rate_limit,
        "enrollment requests (join codes) per client address (a class joining at once)",
    ),
    Setting(
        "QUIZ_MAIL_URL",
        None,
        text,
        "SMTP server for forgotten-password links: `smtp://host:25`, "
        "`smtp://user:pw@host:587?starttls=1` or `smtps://user:pw@host:465`; unset, people "
        "get back in through a teacher or an admin",
        shown_default="none (no mail)",
    ),
    Setting("QUIZ_MAIL_FROM", "noreply@localhost", text, "the sender address of those mails"),
    Setting(
        "QUIZ_TOTP_ISSUER",
        "Science literacy contest",
        text,
        "the name authenticator apps show for two-factor login",
    ),
    Setting(
        "QUIZ_PDF_CJK_FONT",
        None,
        text,
        "path to a Chinese font for PDF certificates and login cards (`apt install "
        'fonts-noto-cjk` provides the default; docs/operations.md, "PDF fonts")',
        shown_default="system Noto Sans CJK",
    ),
    Setting(
        "QUIZ_TIME_ZONE",
        "Asia/Shanghai",
        text,
        "the contests' time zone (an IANA name): every date on pages, certificates, login "
        "cards, the audit log and exports is shown in it; checked at start-up (an unknown "
        "zone stops the app with a clear error)",
    ),
    Setting(
        "QUIZ_CERTIFICATE_ISSUER",
        None,
        text,
        "the issuer printed on certificates",
        shown_default="the platform's name",
    ),
    Setting(
        "QUIZ_MONITOR_CACHE_SECONDS",
        2.0,
        number(),
        "how long organizers polling one round's live monitor share a snapshot",
        shown_default="`2`",
    ),
    Setting(
        "QUIZ_BOARD_CACHE_SECONDS",
        0.5,
        number(),
        "how long one app process keeps serving the top of a leaderboard that moved (an unchanged"
        ' board\'s top is kept; docs/operations.md, "Scaling out")',
    ),
    Setting(
        "QUIZ_FLAG_MEDIAN_SECONDS",
        3,
        whole(0),
        "fair play: an attempt whose median seconds per answer is below this is flagged "
        "(a round may override)",
    ),
    Setting(
        "QUIZ_FLAG_FAST_ANSWERS",
        5,
        whole(1),
        "fair play: an attempt with at least this many too-fast answers is flagged (a round "
        "may override)",
    ),
    Setting(
        "QUIZ_FLAG_FAST_SECONDS",
        2,
        whole(0),
        "fair play: an answer less than this long after the one before is too fast",
    ),
    Setting(
        "QUIZ_LIVE_POLL_SECONDS",
        25.0,
        number(),
        "live games: how long a phone's long-poll waits for the game to move",
        shown_default="`25`",
    ),
    Setting(
        "QUIZ_LIVE_HOST_POLL_SECONDS",
        1.0,
        number(),
        "live games: how often a host's counts refresh",
        shown_default="`1`",
    ),
    Setting(
        "QUIZ_LIVE_GRACE_SECONDS",
        2.0,
        number(),
        "live games: the slack after a question's time in which an answer still counts",
        shown_default="`2`",
    ),
    Setting(
        "QUIZ_LIVE_FACTS_SECONDS",
        0.5,
        number(),
        "live games: how long one app process's requests share a game's player and answer "
        "counts and places",
    ),
    Setting(
        "QUIZ_DEFAULT_LANGUAGE",
        "zh",
        one_of(*LANGUAGES),
        "interface language when neither the account, a cookie nor the browser names one "
        "(`zh` or `mn`)",
    ),
    Setting(
        "QUIZ_MEDIA_S3_BUCKET",
        None,
        text,
        "keep questions' pictures in this S3-compatible bucket instead of SQL; credentials "
        "from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` or boto3's chain (docs/operations.md,"
        ' "Pictures in an object store")',
        shown_default="none (pictures in SQL)",
    ),
    Setting(
        "QUIZ_MEDIA_S3_ENDPOINT",
        None,
        http_url,
        "the S3-compatible endpoint URL (MinIO, Ceph, OSS …), e.g. `http://minio:9000`",
        shown_default="AWS",
    ),
    Setting(
        "QUIZ_MEDIA_S3_PREFIX",
        "media/",
        key_prefix,
        "key prefix of the pictures in the bucket (`<prefix><sha256>`; may be empty)",
        keep_empty=True,
    ),
    Setting(
        "QUIZ_METRICS_TOKEN",
        None,
        text,
        'bearer token Prometheus sends to scrape `/metrics` (docs/operations.md, "Metrics")',
        shown_default="none (`/metrics` off)",
    ),
    Setting(
        "QUIZ_LOG_FORMAT",
        lambda p: "json" if p.env == "production" else "text",
        one_of("json", "text"),
        "`json`: one JSON object a line with the request id; `text`: plain lines",
        shown_default="`json` in production, else `text`",
    ),
    Setting(
        "QUIZ_LOG_LEVEL",
        "INFO",
        one_of(*LOG_LEVELS, fold=str.upper),
        "the app's log level (`DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`)",
    ),
    Setting(
        "QUIZ_ACCESS_LOG",
        True,
        switch,
        "one log line per request (method, path, endpoint, status, duration, request id)",
    ),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        text,
        "the folder where each gunicorn worker writes its metrics",
        shown_default="set by `deploy/gunicorn.conf.py`",
        reader="prometheus_client, quiz/ops/metrics.py",
    ),
    Setting(
        "QUIZ_BIND",
        "0.0.0.0:8000",
        text,
        "the address gunicorn listens on",
        reader="deploy/gunicorn.conf.py",
    ),
    Setting(
        "QUIZ_WORKERS",
        lambda p: 2 * (os.cpu_count() or 1),
        whole(1),
        "gunicorn worker processes",
        shown_default="2 × cores",
        reader="deploy/gunicorn.conf.py",
    ),
    Setting(
        "QUIZ_THREADS", 8, whole(1), "threads per gunicorn worker", reader="deploy/gunicorn.conf.py"
    ),
    Setting(
        "QUIZ_HTTP_PORT",
        8080,
        whole(1),
        "the host port on which the compose kit publishes its nginx",
        reader="deploy/compose.yaml",
    ),
    Setting(
        "QUIZ_WORKER_TIMEOUT",
        60,
        whole(1),
        "seconds before gunicorn restarts a silent worker (longer than a live game's long-poll)",
        reader="deploy/gunicorn.conf.py",
    ),
)

BY_NAME: Mapping[str, Setting] = MappingProxyType({s.name: s for s in SETTINGS})


@dataclass(frozen=True)
class Fixed:
    """A Flask or app setting that is not read from the environment, and why."""

    key: str
    value: Any  # a value, or a callable of the Settings
    why: str


FIXED: tuple[Fixed, ...] = (
    Fixed("SESSION_COOKIE_HTTPONLY", True, "scripts never read the session cookie"),
    Fixed("SESSION_COOKIE_SAMESITE", "Lax", "no session cookie on other sites' form posts"),
    Fixed("REMEMBER_COOKIE_HTTPONLY", True, "as the session cookie"),
    Fixed("REMEMBER_COOKIE_SAMESITE", "Lax", "as the session cookie"),
    # No ping on every checkout: quiz.extensions.ping_idle_connections pings only
    # connections that sat idle (a round trip less on every request). The pool size is
    # added by quiz.config.load_config once the database URL is final.
    Fixed(
        "SQLALCHEMY_ENGINE_OPTIONS",
        lambda s: {"pool_pre_ping": False},
        "no ping on every checkout (idle connections are pinged); outside SQLite a pool of "
        "`QUIZ_DB_POOL_SIZE`",
    ),
    Fixed("BABEL_DEFAULT_LOCALE", "zh_Hans_CN", "Chinese unless a language is chosen"),
    Fixed(
        "BABEL_TRANSLATION_DIRECTORIES",
        str(Path(__file__).parent / "translations"),
        "the catalogs inside the package",
    ),
    Fixed(
        "BABEL_DEFAULT_TIMEZONE",
        lambda s: s["QUIZ_TIME_ZONE"],
        "`QUIZ_TIME_ZONE` (checked when the config is built)",
    ),
    Fixed("WTF_CSRF_ENABLED", True, "CSRF on every form (tests may turn it off)"),
    Fixed("RATELIMIT_KEY_PREFIX", "rl", "prefix of the rate-limit counters' Redis keys"),
    Fixed("TESTING", lambda s: s.env == "testing", "on in the `testing` profile"),
    Fixed("QUIZ_CLOCK", None, "test hook: a callable returning naive-UTC now (time travel)"),
)
# Keys only tests or the app itself put in the config (overrides), never the environment.
HOOKS = {
    "QUIZ_INSTANCE_PATH": "test hook: the instance folder",
    "QUIZ_REVIEW_SOURCES": "test hook: where the translation review reads its catalogs",
    "QUIZ_FROM_ENVIRONMENT": "the QUIZ_* variables set (admin settings page)",
    "QUIZ_FROM_OVERRIDES": "the keys the application set (admin settings page)",
    "RATELIMIT_STORAGE_URI": "derived by quiz.extensions from the Redis settings",
}
# Flask serializes API bodies with sorted keys (Flask 3 dropped JSON_SORT_KEYS; the JSON
# provider's attribute decides): stable bodies for caches, diffs and clients' tests.
JSON_SORT_KEYS = True


@dataclass(frozen=True)
class Settings:
    """The values of every setting the app reads, as one frozen object."""

    env: str
    instance: Path
    values: Mapping[str, Any] = field(repr=False)  # by variable name
    from_environment: tuple[str, ...] = ()  # the QUIZ_* variables that were set

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @classmethod
    def read(
        cls, instance: str | Path, environ: Mapping[str, str] | None = None, env: str | None = None
    ) -> Settings:
        """Parse every setting from ``environ`` (default: the process environment).

        ``env`` replaces ``QUIZ_ENV`` (tests choose the profile); every bad value is a
        ``ConfigError`` naming its variable.
        """
        environ = os.environ if environ is None else environ
        instance = Path(instance)
        profile_env = BY_NAME["QUIZ_ENV"].read(
            env if env is not None else environ.get("QUIZ_ENV"), Profile("production", instance)
        )
        profile = Profile(profile_env, instance)
        values = {s.name: s.read(environ.get(s.name), profile) for s in SETTINGS}
        values["QUIZ_ENV"] = profile_env
        return cls(
            env=profile_env,
            instance=instance,
            values=MappingProxyType(values),
            from_environment=tuple(sorted(k for k in environ if k.startswith("QUIZ_"))),
        )

    def to_config(self) -> dict[str, Any]:
        """The app config: every app setting under its config key, then the fixed ones."""
        config = {s.config_key: self[s.name] for s in SETTINGS if s.reader == "app"}
        for fixed in FIXED:
            config[fixed.key] = fixed.value(self) if callable(fixed.value) else fixed.value
        return config


def read_variables(*names: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Some settings alone, read and checked like the app's (deploy/gunicorn.conf.py)."""
    environ = os.environ if environ is None else environ
    profile = Profile(environ.get("QUIZ_ENV") or "production", Path("instance"))
    return {name: BY_NAME[name].read(environ.get(name), profile) for name in names}


def markdown_table() -> str:
    """The README's configuration table (``quiz settings table`` prints it)."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        meaning = s.meaning if s.reader == "app" else f"{s.meaning} (read by {s.reader})"
        lines.append(f"| `{s.name}` | {s.default_text()} | {meaning} |")
    return "\n".join(lines) + "\n"


def fixed_table() -> str:
    """The README's table of settings that are not read from the environment."""
    lines = ["| config key | value | why |", "| --- | --- | --- |"]
    for fixed in FIXED:
        value = "derived" if callable(fixed.value) else f"`{fixed.value}`"
        if fixed.key == "BABEL_TRANSLATION_DIRECTORIES":
            value = "`quiz/translations`"
        lines.append(f"| `{fixed.key}` | {value} | {fixed.why} |")
    lines.append(f"| `app.json.sort_keys` | `{JSON_SORT_KEYS}` | API bodies with sorted keys |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m quiz.settings: the tables for the README
    sys.stdout.write(markdown_table() + "\n" + fixed_table())
