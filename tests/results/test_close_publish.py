"""Closing a round hands in open attempts; publishing needs a closed round; the review
policy AFTER_CLOSE reveals the key only once the round is closed."""

from __future__ import annotations

import pytest

from quiz.accounts.models import Role
from quiz.audit.services import events
from quiz.contests.models import ReviewPolicy
from quiz.edge.client import Actor
from quiz.errors import Conflict
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt
from quiz.play.state import attempt_state
from quiz.results import services
from tests.results.helpers import play_correct


def test_close_finishes_open_attempts_at_the_close(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, bank, review_policy=ReviewPolicy.AFTER_CLOSE)
    players = [make.enrolled(contest) for _ in range(3)]
    attempts = [play.start_attempt(p, round_, "zh", clock())[0] for p in players]
    play_correct(attempts[0], players[0], 3, clock.advance(seconds=20))
    play.finish_attempt(attempts[0], clock.advance(seconds=1))
    db.session.commit()  # the edge commits (services flush)
    play_correct(attempts[1], players[1], 2, clock.advance(seconds=20))
    assert not attempt_state(attempts[0], "zh", clock()).review  # not closed yet

    closed_at = clock.advance(minutes=1)
    assert services.close_round(round_, Actor.of(organizer), closed_at) == 2
    db.session.commit()  # the edge commits (services flush)
    db.session.expire_all()
    rows = {a.user_id: a for a in db.session.query(Attempt).filter_by(round_id=round_.id)}
    assert all(a.finished_at is not None for a in rows.values())
    assert rows[players[1].id].finished_at == closed_at
    assert rows[players[1].id].finish_reason == play.DEADLINE
    assert rows[players[1].id].points > 0  # answers saved before the close count
    assert round_.closed_at == closed_at
    # AFTER_CLOSE: the key is shown now, to those who finished.
    assert attempt_state(rows[players[0].id], "zh", clock()).review
    # No new attempt, no second close.
    late = make.enrolled(contest)
    with pytest.raises(Conflict):
        play.start_attempt(late, round_, "zh", clock())
    with pytest.raises(Conflict):
        services.close_round(round_, Actor.of(organizer), clock())
    [event] = events(contest_id=contest.id, object_type="round")
    assert event.action == "round.close" and event.actor_id == organizer.id
    assert event.before == {"closed_at": None}


def test_publish_needs_a_closed_round(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest, round_ = make.setup()
    with pytest.raises(Conflict):
        services.publish(round_, Actor.of(organizer), clock())
    assert services.published_at(round_.id) is None
    assert events(contest_id=contest.id) == []  # a refused action leaves no trace
    services.close_round(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    assert services.publish(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    assert services.published_at(round_.id) == clock()
    assert not services.publish(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)


def test_close_and_publish_pages(make, clock, client):
    from tests.factories import log_in

    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, bank)
    log_in(client, organizer)
    # Without the confirmation box nothing happens.
    response = client.post(f"/console/rounds/{round_.id}/close")
    assert response.status_code == 302
    db.session.expire_all()
    assert round_.closed_at is None
    response = client.post(f"/console/rounds/{round_.id}/close", data={"confirm": "y"})
    assert response.location.endswith(f"/console/rounds/{round_.id}/monitor")
    db.session.expire_all()
    assert round_.closed_at == clock()
    client.post(f"/console/rounds/{round_.id}/publish", data={"confirm": "y"})
    assert services.published_at(round_.id) == clock()
    page = client.get(f"/console/rounds/{round_.id}/monitor")
    assert page.status_code == 200
