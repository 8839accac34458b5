"""Freezing a round's public boards: participants see the board at the freeze, organizers
the live one, and a rebuild from SQL reproduces both."""

from __future__ import annotations

from quiz.accounts.models import Role
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.store import FROZEN, BoardKeys
from quiz.play import services as play
from quiz.results import services
from tests.factories import log_in
from tests.results.helpers import play_correct


def _members(contest_id: int, round_id: int, prefix: str = "") -> list[tuple[str, float]]:
    client = boards.board_store().client
    return client.zrange(BoardKeys(contest_id, prefix).round_all(round_id), 0, -1, withscores=True)


def _all_boards(contest_id: int) -> dict[str, list]:
    client = boards.board_store().client
    keys = sorted(
        k
        for k in client.scan_iter(match=f"{BoardKeys(contest_id).tag}*")
        if (":all" in k or ":league:" in k) and ":tmp:" not in k
    )
    return {k: client.zrange(k, 0, -1, withscores=True) for k in keys}


def _setup(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, bank)
    early, late = make.enrolled(contest), make.enrolled(contest)
    return organizer, contest, round_, early, late


def test_answers_after_the_freeze_move_the_live_board_only(make, clock, client):
    organizer, contest, round_, early, late = _setup(make, clock)
    first, _ = play.start_attempt(early, round_, "zh", clock())
    play_correct(first, early, 2, clock.advance(seconds=30))
    play.finish_attempt(first, clock.advance(seconds=10))
    db.session.commit()  # the edge commits (services flush)
    second, _ = play.start_attempt(late, round_, "zh", clock())
    clock.advance(minutes=1)

    assert services.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    frozen = _members(contest.id, round_.id, FROZEN)
    assert [m for m, _ in frozen] == [f"{early.id:010d}"]

    play_correct(second, late, 6, clock.advance(seconds=20))
    play.finish_attempt(second, clock.advance(seconds=5))
    db.session.commit()  # the edge commits (services flush)
    live = _members(contest.id, round_.id)
    assert [m for m, _ in live] == [f"{late.id:010d}", f"{early.id:010d}"]
    assert _members(contest.id, round_.id, FROZEN) == frozen  # the frozen board did not move

    # A participant (late) sees the frozen board over the API and is not on it (me = null);
    # the contest's organizer sees the live board.
    log_in(client, late)
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json
    assert body["frozen"] is True
    assert [e["display_name"] for e in body["entries"]] == [early.display_name]
    assert body["me"] is None
    contest_body = client.get(f"/api/v1/contests/{contest.id}/leaderboard").json
    assert contest_body["frozen"] is True and len(contest_body["entries"]) == 1
    page = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert "frozen-notice" in page
    client.post("/logout")
    log_in(client, organizer)
    assert "frozen-notice" not in client.get(f"/rounds/{round_.id}/leaderboard").get_data(True)
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").json
    assert body["frozen"] is False
    assert [e["display_name"] for e in body["entries"]] == [late.display_name, early.display_name]

    # Rebuilding from SQL reproduces both the live and the frozen boards exactly.
    before = _all_boards(contest.id)
    assert any(FROZEN in k for k in before)
    boards.board_store().client.flushdb()
    boards.rebuild(clock(), [contest.id])
    assert _all_boards(contest.id) == before


def test_publish_unfreezes_and_the_frozen_boards_go(make, clock):
    organizer, contest, round_, early, _late = _setup(make, clock)
    attempt, _ = play.start_attempt(early, round_, "zh", clock())
    play_correct(attempt, early, 1, clock.advance(seconds=5))
    play.finish_attempt(attempt, clock.advance(seconds=5))
    db.session.commit()  # the edge commits (services flush)
    assert services.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    # Already frozen: nothing to do.
    assert not services.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    assert services.publish(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    assert services.frozen_at(round_.id) is None
    assert not [k for k in _all_boards(contest.id) if FROZEN in k]
    from quiz.audit.services import events

    actions = [e.action for e in events(contest_id=contest.id)]
    assert actions[:4] == ["round.unfreeze", "round.publish", "round.close", "round.freeze"]
    db.session.rollback()


def test_unfreeze_by_hand(make, clock):
    organizer, contest, round_, _early, _late = _setup(make, clock)
    services.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    assert services.unfreeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    assert not services.unfreeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    assert boards.frozen_cutoffs(contest.id) == {}
