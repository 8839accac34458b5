"""The account services flush and never commit (docs/architecture.md, "Transactions"):
the edge that called them (a request, a CLI command, a test factory) owns the commit, so
a rollback there leaves nothing of theirs behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.accounts import services as accounts
from quiz.accounts.models import ApiToken, User
from quiz.errors import ValidationFailed
from quiz.extensions import db
from tests.factories import PASSWORD


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_register_issue_token_and_update_profile_leave_the_commit_to_the_edge(make, clock):
    owner = make.user("owner", display_name="Owner")  # committed by the factory (its edge)
    users, tokens = _count(User), _count(ApiToken)

    added = accounts.register_user(
        username="flushed_only",
        password=PASSWORD,
        display_name="Flushed",
        region_code="150102",
        language="zh",
        now=clock(),
    )
    assert added.id is not None  # flushed: the caller may use the row at once
    accounts.issue_token(owner, clock(), 1)
    accounts.update_profile(owner, display_name="Renamed", region_code="150102", language="mn")
    assert _count(User) == users + 1 and _count(ApiToken) == tokens + 1

    db.session.rollback()  # what the edge does with a refused action

    assert _count(User) == users and _count(ApiToken) == tokens
    assert db.session.scalar(select(User.id).where(User.username == "flushed_only")) is None
    stored = db.session.get(User, owner.id)
    assert stored is not None
    assert (stored.display_name, stored.language) == ("Owner", "zh")


def test_a_refused_registration_leaves_the_callers_transaction_usable(make, clock):
    make.user("taken")
    owner = make.user("owner")
    accounts.issue_token(owner, clock(), 1)  # earlier work of the same unit
    with pytest.raises(ValidationFailed) as refused:
        accounts.register_user(
            username="TAKEN",
            password=PASSWORD,
            display_name="Second",
            region_code="150102",
            language="zh",
            now=clock(),
        )
    assert "username" in refused.value.field_messages()
    db.session.commit()  # the edge keeps what came before the refusal
    assert db.session.scalar(select(func.count()).where(ApiToken.user_id == owner.id)) == 1
