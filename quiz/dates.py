"""Dates and times as people read them: the one formatting helper.

Storage is naive UTC (``quiz/clock.py``). Everything a person reads — pages, the audit
log, certificates, login cards, XLSX/CSV/PDF exports — shows the contest's wall-clock
time in ``QUIZ_TIME_ZONE`` (default ``Asia/Shanghai``), formatted for the reader's
language: Chinese ``2026年12月7日 02:01``, Mongolian numeric ``2026.12.07 02:01`` (CLDR
has no traditional-script month names). Never UTC, never ISO with a ``T``. Machine
formats (the JSON API, contest transfer files) keep ISO 8601 UTC with a ``Z``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _

from quiz.i18n import current_language

DEFAULT_TIME_ZONE = "Asia/Shanghai"
# What a snapshot (quiz.audit.services.jsonable) or an old export holds for a moment.
_ISO_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
)


class BadTimeZone(ValueError):
    """``QUIZ_TIME_ZONE`` names no time zone this machine knows."""


def check_time_zone(name: object) -> ZoneInfo:
    """The zone for an IANA name (``Asia/Shanghai``); BadTimeZone says what is wrong."""
    if not isinstance(name, str) or not name.strip():
        raise BadTimeZone(
            f"QUIZ_TIME_ZONE must name a time zone such as Asia/Shanghai, got {name!r}"
        )
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadTimeZone(
            f"QUIZ_TIME_ZONE={name!r} is not a time zone this machine knows; use an IANA "
            "name such as Asia/Shanghai"
        ) from exc


def contest_zone() -> ZoneInfo:
    """The contests' time zone (``QUIZ_TIME_ZONE``, checked when the app starts)."""
    return ZoneInfo(current_app.config.get("QUIZ_TIME_ZONE") or DEFAULT_TIME_ZONE)


def to_utc(local: datetime) -> datetime:
    """A wall-clock time in the contests' zone as the naive UTC the database stores."""
    return local.replace(tzinfo=contest_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """Stored naive UTC (or an aware moment) as the contests' naive wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(contest_zone()).replace(tzinfo=None)


def _language(language: str | None) -> str:
    return language if language in ("zh", "mn") else current_language()


def format_day(day: date | datetime, language: str | None = None) -> str:
    """A calendar day for the reader: ``2026年12月7日`` / ``2026.12.07``.

    A datetime is a stored moment (naive UTC): its day is the contest zone's day.
    """
    if isinstance(day, datetime):
        day = to_local(day).date()
    if _language(language) == "mn":
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_time(moment: datetime, *, seconds: bool = False) -> str:
    """The wall-clock time of a stored moment in the contests' zone: ``02:01``."""
    return to_local(moment).strftime("%H:%M:%S" if seconds else "%H:%M")


def format_moment(
    moment: datetime | date | str | None, language: str | None = None, *, seconds: bool = False
) -> str:
    """A stored moment for the reader (empty for None): ``2026年12月7日 02:01``.

    Accepts what storage holds: a naive-UTC datetime, a date, or the ISO text an audit
    snapshot keeps (anything else is returned as it is).
    """
    if moment is None:
        return ""
    if isinstance(moment, str):
        if not _ISO_MOMENT.match(moment):
            return moment
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if not isinstance(moment, datetime):
        return format_day(moment, language)
    return f"{format_day(moment, language)} {format_time(moment, seconds=seconds)}"


def local_day(moment: datetime) -> date:
    """The contest zone's calendar day of a stored moment (a certificate's date)."""
    return to_local(moment).date()


def time_zone_hint() -> str:
    """What a date-and-time field's hint says about the zone its times are in."""
    key = contest_zone().key
    if key == DEFAULT_TIME_ZONE:
        return _("Beijing time (Asia/Shanghai)")
    return _("Time zone: %(zone)s", zone=key)
