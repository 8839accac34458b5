"""SQL is the truth: rebuilt boards equal the live ones, and a Redis outage loses nothing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quiz.embedded_redis import EmbeddedRedis
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.store import BoardKeys
from quiz.play import services as play
from quiz.play.models import Answer, Attempt
from quiz.play.state import attempt_state


def _snapshot(contest_id: int) -> dict[str, list]:
    client = boards.board_store().client
    keys = sorted(
        k
        for k in client.scan_iter(match=f"{BoardKeys(contest_id).tag}*")
        if ":all" in k or ":league:" in k
    )
    return {k: client.zrange(k, 0, -1, withscores=True) for k in keys}


def _play_contest(
    make, clock, contest, rounds, users, rng: random.Random, finish_share: float = 0.7
) -> int:
    """Random answers and finishes; returns the number of answers acknowledged."""
    acknowledged = 0
    for round_ in rounds:
        for user in users:
            if rng.random() < 0.2:
                continue
            attempt, _ = play.start_attempt(user, round_, rng.choice(["zh", "mn"]), clock())
            state = attempt_state(attempt, attempt.language, clock())
            for question in state.questions:
                clock.advance(milliseconds=rng.randint(200, 9000))
                if rng.random() < 0.85:
                    keys = [o.key for o in question.options]
                    choice = [rng.choice(keys)]
                    play.save_answer(attempt.id, user, question.no, choice, clock())
                    acknowledged += 1
            if rng.random() < finish_share:
                play.finish_attempt(attempt, clock())
                db.session.commit()  # the edge commits (services flush)
    return acknowledged


def test_rebuilt_boards_equal_the_live_boards(make, clock):
    rng = random.Random(7)
    contest, first = make.setup(max_attempts=2)
    bank_id = first.bank_id
    from quiz.banks.models import QuestionBank

    second = make.round(
        contest, db.session.get(QuestionBank, bank_id), title_zh="复赛", live_scores=True
    )
    regions = ["150102", "150203", "150402", "152502", "150702"]
    users = [make.enrolled(contest, region_code=rng.choice(regions)) for _ in range(25)]
    _play_contest(make, clock, contest, [first, second], users, rng)
    # Second attempts for some, on round one.
    for user in users[:5]:
        attempt, created = play.start_attempt(user, first, "zh", clock())
        if created:
            play.save_answer(attempt.id, user, 1, ["A"], clock())
    live = _snapshot(contest.id)
    assert live, "nothing was published"
    assert len(live) >= 2 + 2 * 2  # round and contest boards, overall and per league
    boards.rebuild(clock(), [contest.id])
    assert _snapshot(contest.id) == live


def test_rebuild_drops_entries_that_sql_does_not_have(make, clock):
    contest, round_ = make.setup(live_scores=True)
    user = make.enrolled(contest)
    play.start_attempt(user, round_, "zh", clock())
    client = boards.board_store().client
    ghost = BoardKeys(contest.id).round_all(round_.id)
    client.zadd(ghost, {"0000099999": -1e12})
    boards.rebuild(clock(), [contest.id])
    assert client.zscore(ghost, "0000099999") is None
    assert client.zcard(ghost) == 1


def test_rebuild_prunes_the_parts_of_people_without_attempts(make, clock):
    """A parts hash whose owner has no attempt left in SQL goes; the others stay (on
    PostgreSQL the owners are looked up with one array parameter, not an IN list)."""
    contest, round_ = make.setup(live_scores=True)
    kept, gone = make.enrolled(contest), make.enrolled(contest)
    for user in (kept, gone):
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        play.save_answer(attempt.id, user, 1, ["A"], clock())
    keys = BoardKeys(contest.id)
    client = boards.board_store().client
    assert client.exists(keys.parts(kept.id)) and client.exists(keys.parts(gone.id))
    mine = select(Attempt.id).where(Attempt.user_id == gone.id)
    db.session.execute(Answer.__table__.delete().where(Answer.attempt_id.in_(mine)))
    db.session.execute(Attempt.__table__.delete().where(Attempt.user_id == gone.id))
    db.session.commit()
    boards.rebuild(clock(), [contest.id])
    assert client.exists(keys.parts(kept.id))
    assert not client.exists(keys.parts(gone.id))
    assert client.zscore(keys.round_all(round_.id), f"{gone.id:010d}") is None


def test_a_board_lost_by_redis_is_rebuilt_on_the_next_read(make, clock):
    contest, round_ = make.setup()
    users = [make.enrolled(contest) for _ in range(3)]
    _play_contest(make, clock, contest, [round_], users, random.Random(3), finish_share=1)
    boards.rebuild(clock(), [contest.id])
    live = _snapshot(contest.id)
    boards.board_store().client.flushdb()  # Redis restarted without its data
    view = boards.read_board(contest, round_.id, None, 10, users[0].id, None, clock())
    assert not view.stale
    assert _snapshot(contest.id) == live


@pytest.fixture
def own_redis(tmp_path_factory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("own")), persist=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def config_overrides(request) -> dict:
    if "own_redis" in request.fixturenames:
        server = request.getfixturevalue("own_redis")
        return {"QUIZ_REDIS_URL": server.url}
    return {}


def test_redis_stopped_mid_round_loses_no_result(app, make, clock, own_redis, client):
    contest, round_ = make.setup()
    users = [make.enrolled(contest) for _ in range(4)]
    rng = random.Random(11)
    acknowledged = _play_contest(make, clock, contest, [round_], users[:2], rng, 1)

    own_redis.stop()  # Redis goes away mid-round
    own_redis.owned = True  # (stop() clears it; we restart it below)
    for user in users[2:]:
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        for no in range(1, attempt.question_count + 1):
            clock.advance(seconds=2)
            play.save_answer(attempt.id, user, no, ["A"], clock())
            acknowledged += 1
        play.finish_attempt(attempt, clock())
        db.session.commit()  # the edge commits (services flush)
    view = boards.read_board(contest, round_.id, None, 10, users[2].id, None, clock())
    assert view.stale and view.entries == []

    stored = db.session.scalar(select(func.count()).select_from(Answer))
    assert stored == acknowledged  # nothing lost while Redis was down

    own_redis.start()  # back, empty
    assert boards.heal(clock()) == [contest.id]
    view = boards.read_board(contest, round_.id, None, 10, users[2].id, None, clock())
    assert not view.stale
    players = db.session.scalar(select(func.count(func.distinct(Attempt.user_id))))
    assert view.total == players >= 2
    expected = boards.board_store().client.zrange(
        BoardKeys(contest.id).round_all(round_.id), 0, -1, withscores=True
    )
    boards.rebuild(clock(), [contest.id])
    assert (
        boards.board_store().client.zrange(
            BoardKeys(contest.id).round_all(round_.id), 0, -1, withscores=True
        )
        == expected
    )
