"""Shared set-up for the organizer console tests: an organizer with a contest and a bank."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.extensions import db


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def audit_actions(contest_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.contest_id == contest_id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def organizer(make):
    return make.user("org", roles=(Role.ORGANIZER,))


@pytest.fixture
def world(make, clock, organizer):
    """A contest run by ``organizer`` with a bank and a round that opens tomorrow."""
    bank = make.bank(per_cell=4)
    contest = make.contest(organizer=organizer, slug="setup-test")
    round_ = make.round(
        contest,
        bank,
        opens_at=clock() + timedelta(days=1),
        closes_at=clock() + timedelta(days=2),
    )
    return {"bank": bank, "contest": contest, "round": round_}


def zh(message: str, **params: Any) -> str:
    """A message as the (Chinese) pages show it: tests look for what people read."""
    from flask_babel import force_locale, gettext

    with force_locale("zh_Hans_CN"):
        return gettext(message, **params)
