"""The server's clock. Services take ``now`` as an argument; routes ask here.

Naive UTC everywhere in storage (SQLite has no time zones); tests replace the clock
through the ``QUIZ_CLOCK`` setting to move through a contest's time windows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def now() -> datetime:
    clock = current_app.config.get("QUIZ_CLOCK")
    return clock() if clock else utcnow()


UNIX_EPOCH = datetime(1970, 1, 1)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch of a naive-UTC datetime, in integer arithmetic.

    Spelled out over the timedelta's fields: a rebuild calls this for every result, and
    ``timedelta // timedelta`` costs four times as much. Here, in the core, because play
    (attempt times) and the boards (the ranking rule) both need it.
    """
    span = moment - UNIX_EPOCH
    return span.days * 86_400_000 + span.seconds * 1000 + span.microseconds // 1000
