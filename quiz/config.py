"""Settings: safe defaults for a laptop, everything production needs from ``QUIZ_*``.

Why environment variables: the same image runs on many stateless app servers; each
gets its database, Redis and secret from its environment, never from a file in the repo.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from quiz.settings import ENVIRONMENTS, ConfigError, Settings

# The catalogue of settings lives in quiz/settings.py; these names stay importable here.
__all__ = ["ENVIRONMENTS", "ConfigError", "instance_secret_key", "load_config"]


SECRET_KEY_FILE = "secret_key"


def instance_secret_key(instance: Path) -> str:
    """This instance's own random session key, made on first run (development only).

    A key written in the source would let anyone who read it forge a session cookie for
    any account (red-team finding, docs/security.md). The key is kept in
    ``instance/secret_key``, readable by its owner only (mode 0600), so sessions survive
    a restart of ``make run``; delete the file to log everybody out.
    """
    path = instance / SECRET_KEY_FILE
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together both end up with the first one's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48))
    for _ in range(50):  # a file another process is still writing: wait for the key
        key = path.read_text(encoding="ascii").strip()
        if key:
            break
        time.sleep(0.01)
    else:
        raise ConfigError(f"{path} is empty: delete it to make a new key")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return key


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict: defaults, then environment, then explicit overrides.

    Tests pass overrides; operators use the environment (read and checked by
    ``quiz.settings.Settings``: a bad value names its variable). Production refuses to
    start without a secret key because a guessable key lets anyone forge sessions.
    """
    instance = Path(instance_path)
    settings = Settings.read(instance, env=(overrides or {}).get("QUIZ_ENV") or None)
    cfg = settings.to_config()
    if overrides:
        cfg.update(overrides)
    if cfg["QUIZ_ENV"] not in ENVIRONMENTS:  # an override that is no profile
        raise ConfigError(
            f"QUIZ_ENV: expected one of {', '.join(ENVIRONMENTS)}, got {cfg['QUIZ_ENV']!r}"
        )
    if cfg["QUIZ_ENV"] == "development" and not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = instance_secret_key(instance)
    # Where each setting came from, for the admin console's settings page (read only).
    cfg["QUIZ_FROM_ENVIRONMENT"] = list(settings.from_environment)
    cfg["QUIZ_FROM_OVERRIDES"] = sorted(overrides or ())
    uri = str(cfg.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("sqlite") and "pool_size" not in cfg["SQLALCHEMY_ENGINE_OPTIONS"]:
        # Persistent connections for every gunicorn thread (8 in docs/operations.md):
        # SQLAlchemy's default of 5 made the extra threads open and close a PostgreSQL
        # connection per request (a backend fork each), seen in the benchmark.
        size = settings["QUIZ_DB_POOL_SIZE"]
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **cfg["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": size,
            "max_overflow": size,
        }
    from quiz.dates import BadTimeZone, check_time_zone

    try:
        cfg["QUIZ_TIME_ZONE"] = check_time_zone(cfg.get("QUIZ_TIME_ZONE")).key
    except BadTimeZone as exc:
        raise ConfigError(str(exc)) from exc
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["QUIZ_TIME_ZONE"]

    if cfg["QUIZ_LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError(
            f"QUIZ_LOG_FORMAT: expected one of json, text, got {cfg['QUIZ_LOG_FORMAT']!r}"
        )
    if cfg.get("QUIZ_MAIL_URL"):
        from quiz.mail import MailConfigError, MailServer

        try:
            MailServer.from_url(str(cfg["QUIZ_MAIL_URL"]))
        except MailConfigError as exc:
            raise ConfigError(str(exc)) from exc
    _check_media_store(cfg)
    if cfg["QUIZ_ENV"] != "development" and not cfg.get("SECRET_KEY"):
        raise ConfigError(
            "QUIZ_SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))") '
            "or set QUIZ_ENV=development on a laptop."
        )
    return cfg


def _check_media_store(cfg: dict[str, Any]) -> None:
    """An S3 setting without a bucket, a bucket without credentials, or an endpoint that
    is not a URL would lose pictures at the first import: refuse to start instead."""
    bucket = cfg.get("QUIZ_MEDIA_S3_BUCKET")
    endpoint = cfg.get("QUIZ_MEDIA_S3_ENDPOINT")
    prefix = cfg.get("QUIZ_MEDIA_S3_PREFIX")
    if not bucket:
        for name, value in (("QUIZ_MEDIA_S3_ENDPOINT", endpoint), ("QUIZ_MEDIA_S3_PREFIX", prefix)):
            if value and (name != "QUIZ_MEDIA_S3_PREFIX" or value != "media/"):
                raise ConfigError(f"{name} is set but QUIZ_MEDIA_S3_BUCKET is not")
        return
    if endpoint and not str(endpoint).startswith(("http://", "https://")):
        raise ConfigError(f"QUIZ_MEDIA_S3_ENDPOINT must be an http(s) URL, got {endpoint!r}")
    if prefix is None or str(prefix).startswith("/"):
        raise ConfigError(f"QUIZ_MEDIA_S3_PREFIX must not start with /, got {prefix!r}")
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        credentials = boto3.session.Session().get_credentials()
    except BotoCoreError as exc:  # e.g. AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY
        raise ConfigError(
            f"QUIZ_MEDIA_S3_BUCKET is set but the AWS credentials are not: {exc}"
        ) from exc
    if credentials is None:
        raise ConfigError(
            "QUIZ_MEDIA_S3_BUCKET is set but no AWS credentials were found "
            "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or boto3's chain)"
        )
