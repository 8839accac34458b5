"""The ranking rule and its encoding, the same in Python and in the Redis script."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.leaderboards.ranking import (
    FINISH_MAX,
    POINTS_MAX,
    TIME_MAX,
    decode,
    encode,
    member,
    sort_key,
)
from quiz.leaderboards.store import BoardKeys, BoardStore, Standing

EPOCH = 1_700_000_000_000
standings = st.tuples(
    st.integers(0, POINTS_MAX),
    st.integers(0, TIME_MAX),
    st.integers(0, FINISH_MAX * 60_000 - 1),
)


@given(st.lists(standings, min_size=2, max_size=30))
def test_encoding_orders_by_points_then_time_then_finish(rows):
    by_rule = sorted(rows, key=lambda r: (-r[0], r[1], r[2] // 60_000))
    by_code = sorted(rows, key=lambda r: -encode(r[0], r[1], EPOCH + r[2], EPOCH))
    assert [(-r[0], r[1], r[2] // 60_000) for r in by_rule] == [
        (-r[0], r[1], r[2] // 60_000) for r in by_code
    ]


@given(standings)
def test_encoding_fits_a_double_and_decodes(row):
    value = encode(row[0], row[1], EPOCH + row[2], EPOCH)
    assert value < 2**53 and float(value) == value
    assert decode(value) == (row[0], row[1])


def test_out_of_range_values_are_clamped():
    assert decode(encode(POINTS_MAX + 5, TIME_MAX + 5, EPOCH, EPOCH)) == (POINTS_MAX, TIME_MAX)
    assert encode(3, 10, EPOCH - 999_999, EPOCH) == encode(3, 10, EPOCH, EPOCH)


def test_equal_standings_fall_back_to_user_id():
    assert sort_key(5, 100, EPOCH, EPOCH, 2) < sort_key(5, 100, EPOCH, EPOCH, 10)
    assert member(2) < member(10)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # flushed per example
@given(
    st.lists(
        st.tuples(st.integers(1, 50), standings), min_size=1, max_size=20, unique_by=lambda r: r[0]
    )
)
def test_redis_script_writes_the_python_encoding(app, rows):
    from quiz.leaderboards.services import board_store

    store: BoardStore = board_store()
    store.client.flushdb()
    store.publish(
        Standing(
            contest_id=1,
            round_id=7,
            league_id=3,
            user_id=uid,
            attempt_no=1,
            points=p,
            time_used_ms=t,
            finish_ms=EPOCH + f,
            round_epoch_ms=EPOCH,
            contest_epoch_ms=EPOCH,
        )
        for uid, (p, t, f) in rows
    )
    keys = BoardKeys(1)
    for key in (
        keys.round_all(7),
        keys.round_league(7, 3),
        keys.contest_all(),
        keys.contest_league(3),
    ):
        live = store.client.zrange(key, 0, -1, withscores=True)
        expected = sorted(
            ((member(uid), -encode(p, t, EPOCH + f, EPOCH)) for uid, (p, t, f) in rows),
            key=lambda pair: (pair[1], pair[0]),
        )
        assert [(m, int(s)) for m, s in live] == expected


def test_contest_board_sums_the_best_attempt_of_each_round(app):
    from quiz.leaderboards.services import board_store

    store = board_store()
    base = dict(contest_id=2, league_id=1, user_id=9, round_epoch_ms=EPOCH, contest_epoch_ms=EPOCH)
    store.publish(
        [
            Standing(
                round_id=1,
                attempt_no=1,
                points=10,
                time_used_ms=5000,
                finish_ms=EPOCH + 60_000,
                **base,
            ),
            Standing(
                round_id=1,
                attempt_no=2,
                points=30,
                time_used_ms=9000,
                finish_ms=EPOCH + 120_000,
                **base,
            ),  # the better attempt of round 1
            Standing(
                round_id=2,
                attempt_no=1,
                points=20,
                time_used_ms=1000,
                finish_ms=EPOCH + 600_000,
                **base,
            ),
        ]
    )
    keys = BoardKeys(2)
    round1 = -store.client.zscore(keys.round_all(1), member(9))
    contest = -store.client.zscore(keys.contest_all(), member(9))
    assert decode(int(round1)) == (30, 9000)
    assert decode(int(contest)) == (50, 10_000)
    assert int(contest) == encode(50, 10_000, EPOCH + 600_000, EPOCH)
