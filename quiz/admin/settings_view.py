"""The settings page: every run-time setting, its value and where it came from.

Read only: settings come from the environment (``QUIZ_*``, ``quiz/settings.py``) when the
app starts. Secrets never reach the page: the secret key and anything named like a
secret show only whether they are set, and passwords inside URLs (database, Redis, mail)
are replaced by ``***``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from quiz.settings import SETTINGS

# Settings whose environment variable is not their config key (from the one catalogue).
RENAMED = {s.config_key: s.name for s in SETTINGS if s.config_key != s.name}
# Internal keys that are not settings an operator sets.
INTERNAL = {"QUIZ_CLOCK", "QUIZ_FROM_ENVIRONMENT", "QUIZ_FROM_OVERRIDES"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD(?!_HASH)|TOKEN(?!_DAYS|_CACHE)|_KEY$")
HIDDEN = "***"


@dataclass(frozen=True)
class SettingRow:
    name: str  # the environment variable
    value: str
    source: str  # "environment", "default" or "application"


def _masked_url(text: str) -> str:
    """A URL with its password (and a query's secrets) replaced, anything else as is."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return HIDDEN
    if not parts.scheme or "@" not in parts.netloc:
        return text
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    netloc = f"{user}:{HIDDEN}@{host}" if ":" in userinfo else f"{user}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if SECRET_NAME.search(name):
        return HIDDEN
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return _masked_url(text) if "://" in text else text


def setting_rows(config: Any) -> list[SettingRow]:
    from_env = set(config.get("QUIZ_FROM_ENVIRONMENT", ()))
    from_app = set(config.get("QUIZ_FROM_OVERRIDES", ()))
    rows = []
    for key in sorted(set(config) - INTERNAL):
        name = RENAMED.get(key, key)
        if not name.startswith("QUIZ_"):
            continue
        if key in from_app:
            source = "application"
        elif name in from_env:
            source = "environment"
        else:
            source = "default"
        rows.append(SettingRow(name=name, value=shown(name, config[key]), source=source))
    return sorted(rows, key=lambda row: row.name)
