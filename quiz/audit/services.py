"""Recording and reading audit events.

``record`` adds the event to the caller's session and never commits: the event is
stored in the same transaction as the change it describes, so a rolled-back change
leaves no event and a committed change always has one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from quiz.audit.models import AuditEvent
from quiz.extensions import db


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a snapshot value (datetimes as ISO text, enums as values)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-safe dict: the "before" or "after" of an event."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an event shows what an edit really changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: Any,
    now: datetime,
    contest_id: int | None = None,
    school_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    operator: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=now,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        contest_id=contest_id,
        school_id=school_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        ip=ip,
        operator=operator,
    )
    db.session.add(event)
    return event


def events(
    *,
    contest_id: int | None = None,
    school_id: int | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    limit: int = 200,
    before_id: int | None = None,
) -> Sequence[AuditEvent]:
    """Newest first; ``before_id`` pages backwards through a long log."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if contest_id is not None:
        query = query.where(AuditEvent.contest_id == contest_id)
    if school_id is not None:
        query = query.where(AuditEvent.school_id == school_id)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return db.session.scalars(query).all()
