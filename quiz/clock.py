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
