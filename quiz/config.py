"""Settings: safe defaults for a laptop, everything production needs from ``QUIZ_*``.

Why environment variables: the same image runs on many stateless app servers; each
gets its database, Redis and secret from its environment, never from a file in the repo.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """The app cannot start safely with the settings it was given."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict: defaults, then environment, then explicit overrides.

    Tests pass overrides; operators use the environment. Production refuses to start
    without a secret key because a guessable key lets anyone forge sessions.
    """
    env = (overrides or {}).get("QUIZ_ENV") or os.environ.get("QUIZ_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"QUIZ_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    instance = Path(instance_path)
    default_db = f"sqlite:///{instance / 'quiz.sqlite3'}"
    cfg: dict[str, Any] = {
        "QUIZ_ENV": env,
        "SECRET_KEY": os.environ.get("QUIZ_SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("QUIZ_DATABASE_URL", default_db),
        "QUIZ_REDIS_URL": os.environ.get("QUIZ_REDIS_URL") or None,
        # Embedded Redis (used when QUIZ_REDIS_URL is unset): data and socket live here.
        "QUIZ_REDIS_DIR": os.environ.get("QUIZ_REDIS_DIR", str(instance / "redis")),
        # Seconds after the deadline in which an answer still counts: covers the
        # network delay of a request that left the phone before time was up.
        "QUIZ_ANSWER_GRACE_SECONDS": _int("QUIZ_ANSWER_GRACE_SECONDS", 5),
        "QUIZ_TOKEN_DAYS": _int("QUIZ_TOKEN_DAYS", 30),
        "QUIZ_DEFAULT_LANGUAGE": os.environ.get("QUIZ_DEFAULT_LANGUAGE", "zh"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("QUIZ_SECURE_COOKIES"), env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # CSRF tokens must outlive the longest round so a long quiz never loses a save.
        "WTF_CSRF_TIME_LIMIT": _int("QUIZ_CSRF_TIME_LIMIT", 6 * 3600),
        "MAX_CONTENT_LENGTH": _int("QUIZ_MAX_UPLOAD_BYTES", 8 * 1024 * 1024),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "JSON_SORT_KEYS": False,
        # A callable returning naive-UTC "now"; tests swap it to travel in time.
        "QUIZ_CLOCK": None,
    }
    if env == "development" and not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = "development-only-insecure-key"
    if env == "testing":
        cfg["TESTING"] = True
    if overrides:
        cfg.update(overrides)
    if cfg["QUIZ_ENV"] != "development" and not cfg.get("SECRET_KEY"):
        raise ConfigError(
            "QUIZ_SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))") '
            "or set QUIZ_ENV=development on a laptop."
        )
    return cfg
