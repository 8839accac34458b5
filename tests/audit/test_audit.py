"""The audit log is written in the caller's transaction: no change without its event."""

from __future__ import annotations

from datetime import datetime

import pytest

from quiz.accounts.models import Role
from quiz.audit.services import changed, events, record, snapshot
from quiz.contests.access import organized_contest
from quiz.edge.client import Actor
from quiz.errors import Forbidden, NotFound
from quiz.extensions import db


def test_event_commits_and_rolls_back_with_the_change(app, make, clock) -> None:
    organizer = make.user(roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    before = snapshot(contest, ["title_zh", "published", "starts_at"])
    contest.title_zh = "新标题"
    record(
        Actor(organizer.id),
        action="contest.update",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=clock(),
        before=before,
        after=snapshot(contest, ["title_zh", "published", "starts_at"]),
    )
    db.session.commit()
    (event,) = events(contest_id=contest.id)
    assert event.before["title_zh"] != "新标题" and event.after["title_zh"] == "新标题"
    assert isinstance(event.after["starts_at"], str)

    contest.title_zh = "不会保存"
    record(
        Actor(organizer.id),
        action="contest.update",
        object_type="contest",
        object_id=contest.id,
        contest_id=contest.id,
        now=clock(),
    )
    db.session.rollback()
    assert len(events(contest_id=contest.id)) == 1


def test_changed_keeps_only_differences() -> None:
    before = {"a": 1, "b": datetime(2026, 1, 1).isoformat()}
    after = {"a": 2, "b": before["b"]}
    assert changed(before, after) == ({"a": 1}, {"a": 2})


def test_organized_contest_rules(app, make) -> None:
    from flask_login import login_user

    organizer = make.user(roles=(Role.ORGANIZER,))
    other = make.user(roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    with app.test_request_context():
        login_user(other)
        with pytest.raises(Forbidden):
            organized_contest(contest_id=contest.id)
        with pytest.raises(NotFound):
            organized_contest(contest_id=contest.id + 1000)
    with app.test_request_context():
        login_user(organizer)
        assert organized_contest(contest_id=contest.id) is contest
