"""The audit log as its pages show it: events in the reader's words, newest first.

Apart from ``quiz.audit.services`` (which every layer calls to record) because a page
names the actor by username, and accounts sit above the audit log's writing side
(docs/architecture.md, "Layers"): this module sits above accounts, below the consoles
(organizer, admin) that show it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from quiz.accounts.models import User
from quiz.audit import labels
from quiz.audit.models import AuditEvent
from quiz.extensions import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    """One event as a log page shows it, in the reader's words (``quiz.audit.labels``):
    when, who (username, or the operator), what, and each changed field before → after."""

    event: AuditEvent
    actor: str | None
    action: str
    subject: str
    changes: list[tuple[str, str, str]]


def page(
    where: ColumnElement[bool], before_id: int | None, size: int = PAGE_SIZE
) -> tuple[list[AuditRow], int | None]:
    """One page of the events matching ``where``, newest first, and the id to page on from."""
    query = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(where)
        .order_by(AuditEvent.id.desc())
        .limit(size + 1)
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = db.session.execute(query).all()
    more = len(rows) > size
    found = []
    for event, username in rows[:size]:
        before, after = event.before or {}, event.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        found.append(
            AuditRow(
                event=event,
                actor=username or event.operator,
                action=labels.action_label(event.action),
                subject=f"{labels.object_label(event.object_type)} {event.object_id}",
                changes=[
                    (
                        labels.field_label(k),
                        labels.value_text(before.get(k)),
                        labels.value_text(after.get(k)),
                    )
                    for k in keys
                ],
            )
        )
    return found, (found[-1].event.id if more and found else None)
