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


def _hosts(value: str | None) -> list[str] | None:
    hosts = [h.strip() for h in (value or "").split(",") if h.strip()]
    return hosts or None


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
        # redis+sentinel://host:26379,host2:26379/<service>[/<db>] follows a Sentinel-
        # managed primary; QUIZ_REDIS_CLUSTER=1 uses RedisCluster (quiz/redis_config.py).
        "QUIZ_REDIS_CLUSTER": _bool(os.environ.get("QUIZ_REDIS_CLUSTER"), False),
        # Embedded Redis (used when QUIZ_REDIS_URL is unset): data and socket live here.
        "QUIZ_REDIS_DIR": os.environ.get("QUIZ_REDIS_DIR", str(instance / "redis")),
        # Seconds after the deadline in which an answer still counts: covers the
        # network delay of a request that left the phone before time was up.
        "QUIZ_ANSWER_GRACE_SECONDS": _int("QUIZ_ANSWER_GRACE_SECONDS", 5),
        "QUIZ_TOKEN_DAYS": _int("QUIZ_TOKEN_DAYS", 30),
        # Fair play (quiz/play/fairplay.py): an attempt is flagged for organizers when its
        # median seconds per answer is below the first, or when at least the second many
        # answers came less than QUIZ_FLAG_FAST_SECONDS after the one before. A round
        # may override the first two.
        "QUIZ_FLAG_MEDIAN_SECONDS": _int("QUIZ_FLAG_MEDIAN_SECONDS", 3),
        "QUIZ_FLAG_FAST_ANSWERS": _int("QUIZ_FLAG_FAST_ANSWERS", 5),
        "QUIZ_FLAG_FAST_SECONDS": _int("QUIZ_FLAG_FAST_SECONDS", 2),
        # Seconds a process may reuse a bearer-token lookup (0: never). Revocations
        # reach every process within ~1 s regardless (quiz/accounts/token_cache.py).
        "QUIZ_TOKEN_CACHE_SECONDS": _int("QUIZ_TOKEN_CACHE_SECONDS", 60),
        # Werkzeug's password hash method. The default scrypt costs ~0.1 s of CPU per hash
        # (by design); the contest simulation in bench/ lowers it to register thousands.
        "QUIZ_PASSWORD_HASH_METHOD": os.environ.get("QUIZ_PASSWORD_HASH_METHOD", "scrypt"),
        "QUIZ_DEFAULT_LANGUAGE": os.environ.get("QUIZ_DEFAULT_LANGUAGE", "zh"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("QUIZ_SECURE_COOKIES"), env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Session lifetime (quiz/accounts/sessions.py): logged out after this long without
        # a request, and after this long since login whatever happens. Rounds last at most
        # 4 hours, so neither ends a session in the middle of an active attempt.
        "QUIZ_SESSION_IDLE_MINUTES": _int("QUIZ_SESSION_IDLE_MINUTES", 120),
        "QUIZ_SESSION_MAX_HOURS": _int("QUIZ_SESSION_MAX_HOURS", 12),
        # Host names the app answers to (Flask's TRUSTED_HOSTS); others get 400. Unset:
        # any host (fine behind a proxy that only forwards the real names).
        "TRUSTED_HOSTS": _hosts(os.environ.get("QUIZ_TRUSTED_HOSTS")),
        # Number of reverse proxies in front of the app whose X-Forwarded-For and
        # X-Forwarded-Proto are trusted (werkzeug ProxyFix). 0: none, use the peer address.
        "QUIZ_PROXY_FIX": _int("QUIZ_PROXY_FIX", 0),
        # Rate limits (quiz/accounts/ratelimits.py), counted in Redis; limits syntax.
        # Generous enough for a classroom of 60 behind one school NAT address.
        "RATELIMIT_ENABLED": _bool(os.environ.get("QUIZ_RATELIMIT_ENABLED"), True),
        # Where the counters live; default: the app's Redis (QUIZ_REDIS_URL or embedded).
        "QUIZ_RATELIMIT_STORAGE_URL": os.environ.get("QUIZ_RATELIMIT_STORAGE_URL") or None,
        # Failed logins (page, API token) per account and client address; second-factor
        # codes per account.
        "QUIZ_RATELIMIT_LOGIN_USER": os.environ.get("QUIZ_RATELIMIT_LOGIN_USER", "10/minute"),
        # Failed logins per account from all addresses together; a client that has not
        # failed for that account in the last minute still gets its try.
        "QUIZ_RATELIMIT_LOGIN_ACCOUNT": os.environ.get("QUIZ_RATELIMIT_LOGIN_ACCOUNT", "100/hour"),
        # Login attempts per client address (a whole class logs in at once).
        "QUIZ_RATELIMIT_LOGIN_IP": os.environ.get("QUIZ_RATELIMIT_LOGIN_IP", "300/minute"),
        # Accounts created per client address, and registration attempts per address.
        "QUIZ_RATELIMIT_REGISTER_IP": os.environ.get("QUIZ_RATELIMIT_REGISTER_IP", "100/hour"),
        "QUIZ_RATELIMIT_REGISTER_ATTEMPTS_IP": os.environ.get(
            "QUIZ_RATELIMIT_REGISTER_ATTEMPTS_IP", "600/hour"
        ),
        # Answer saves per participant (page and API).
        "QUIZ_RATELIMIT_ANSWER_USER": os.environ.get("QUIZ_RATELIMIT_ANSWER_USER", "120/minute"),
        "QUIZ_RATELIMIT_PRACTICE_USER": os.environ.get("QUIZ_RATELIMIT_PRACTICE_USER", "30/minute"),
        # Failed password confirmations on account pages (password change, 2FA) per user.
        "QUIZ_RATELIMIT_ACCOUNT_USER": os.environ.get("QUIZ_RATELIMIT_ACCOUNT_USER", "10/minute"),
        # Forgotten-password links: asked for per address, and per username or e-mail.
        "QUIZ_RATELIMIT_RESET_IP": os.environ.get("QUIZ_RATELIMIT_RESET_IP", "30/hour"),
        "QUIZ_RATELIMIT_RESET_USER": os.environ.get("QUIZ_RATELIMIT_RESET_USER", "5/hour"),
        # Enrollment requests (join codes): per account, and per address (a class at once).
        "QUIZ_RATELIMIT_JOIN_USER": os.environ.get("QUIZ_RATELIMIT_JOIN_USER", "10/minute"),
        "QUIZ_RATELIMIT_JOIN_IP": os.environ.get("QUIZ_RATELIMIT_JOIN_IP", "120/minute"),
        # Outgoing mail (quiz/mail.py): smtp://host:port, smtp://user:pw@host:587?starttls=1
        # or smtps://user:pw@host:465. Unset: no mail (no self-service password reset).
        "QUIZ_MAIL_URL": os.environ.get("QUIZ_MAIL_URL") or None,
        "QUIZ_MAIL_FROM": os.environ.get("QUIZ_MAIL_FROM", "noreply@localhost"),
        # The name authenticator apps show next to the account.
        "QUIZ_TOTP_ISSUER": os.environ.get("QUIZ_TOTP_ISSUER", "Science literacy contest"),
        # Printed on certificates (quiz/results/certificates.py); default: the platform's name.
        "QUIZ_CERTIFICATE_ISSUER": os.environ.get("QUIZ_CERTIFICATE_ISSUER") or None,
        # How long organizers watching one round share a monitor snapshot (seconds).
        "QUIZ_MONITOR_CACHE_SECONDS": float(os.environ.get("QUIZ_MONITOR_CACHE_SECONDS", "2")),
        # Live games (quiz/live): how long a player's long-poll waits for the game to move
        # (WeChat's in-app browser and school proxies keep a request open this long), a
        # host's poll (their counts refresh this often), and the network slack after a
        # question's time in which an answer still counts.
        "QUIZ_LIVE_POLL_SECONDS": float(os.environ.get("QUIZ_LIVE_POLL_SECONDS", "25")),
        "QUIZ_LIVE_HOST_POLL_SECONDS": float(os.environ.get("QUIZ_LIVE_HOST_POLL_SECONDS", "1")),
        "QUIZ_LIVE_GRACE_SECONDS": float(os.environ.get("QUIZ_LIVE_GRACE_SECONDS", "2")),
        # How long a process's requests share a game's counts, places and who answered.
        "QUIZ_LIVE_FACTS_SECONDS": float(os.environ.get("QUIZ_LIVE_FACTS_SECONDS", "0.5")),
        # Operations (quiz/ops, docs/operations.md): /metrics answers only with this bearer
        # token (unset: /metrics is off); logs as JSON lines with request ids, or text.
        "QUIZ_METRICS_TOKEN": os.environ.get("QUIZ_METRICS_TOKEN") or None,
        "QUIZ_LOG_FORMAT": os.environ.get(
            "QUIZ_LOG_FORMAT", "json" if env == "production" else "text"
        ),
        "QUIZ_LOG_LEVEL": os.environ.get("QUIZ_LOG_LEVEL", "INFO"),
        "QUIZ_ACCESS_LOG": _bool(os.environ.get("QUIZ_ACCESS_LOG"), True),
        # Pictures of questions (quiz/banks/media_store.py): in SQL unless a bucket is
        # set; then in that S3 bucket (AWS, or MinIO/Ceph/... at the endpoint URL) under
        # <prefix><sha256>, credentials from the AWS_* variables or boto3's chain.
        "QUIZ_MEDIA_S3_BUCKET": os.environ.get("QUIZ_MEDIA_S3_BUCKET") or None,
        "QUIZ_MEDIA_S3_ENDPOINT": os.environ.get("QUIZ_MEDIA_S3_ENDPOINT") or None,
        "QUIZ_MEDIA_S3_PREFIX": os.environ.get("QUIZ_MEDIA_S3_PREFIX", "media/"),
        # CSRF tokens must outlive the longest round so a long quiz never loses a save.
        "WTF_CSRF_TIME_LIMIT": _int("QUIZ_CSRF_TIME_LIMIT", 6 * 3600),
        "MAX_CONTENT_LENGTH": _int("QUIZ_MAX_UPLOAD_BYTES", 8 * 1024 * 1024),
        # No ping on every checkout: quiz.extensions.ping_idle_connections pings only
        # connections that sat idle (a round trip less on every request).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        # The contests' time zone: every date people read is shown in it (quiz/dates.py).
        "QUIZ_TIME_ZONE": os.environ.get("QUIZ_TIME_ZONE") or "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "JSON_SORT_KEYS": False,
        # A callable returning naive-UTC "now"; tests swap it to travel in time.
        "QUIZ_CLOCK": None,
    }
    if env == "testing":
        cfg["TESTING"] = True
    if overrides:
        cfg.update(overrides)
    if cfg["QUIZ_ENV"] == "development" and not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = instance_secret_key(instance)
    # Where each setting came from, for the admin console's settings page (read only).
    cfg["QUIZ_FROM_ENVIRONMENT"] = sorted(k for k in os.environ if k.startswith("QUIZ_"))
    cfg["QUIZ_FROM_OVERRIDES"] = sorted(overrides or ())
    uri = str(cfg.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("sqlite") and "pool_size" not in cfg["SQLALCHEMY_ENGINE_OPTIONS"]:
        # Persistent connections for every gunicorn thread (8 in docs/operations.md):
        # SQLAlchemy's default of 5 made the extra threads open and close a PostgreSQL
        # connection per request (a backend fork each), seen in the benchmark.
        size = _int("QUIZ_DB_POOL_SIZE", 10)
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
        raise ConfigError(f"QUIZ_LOG_FORMAT must be json or text, got {cfg['QUIZ_LOG_FORMAT']!r}")
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
