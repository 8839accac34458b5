"""The live scoring rule (quiz/live/rules.py), property by property, with hypothesis."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.leaderboards.ranking import better
from quiz.live import rules

SETTINGS = st.builds(rules.Settings, speed_points=st.booleans(), streaks=st.booleans())
BASE = st.integers(min_value=0, max_value=50)
ALLOWED = st.integers(min_value=1000, max_value=120_000)


@st.composite
def games(draw):
    """Played questions, players' responses, and the settings of one game."""
    count = draw(st.integers(min_value=0, max_value=8))
    played = [rules.PlayedQuestion(no, draw(ALLOWED)) for no in range(1, count + 1)]
    players = draw(st.integers(min_value=1, max_value=12))
    responses = {}
    for user_id in range(1, players + 1):
        mine = {}
        for q in played:
            if draw(st.booleans()):
                correct = draw(st.booleans())
                base = draw(BASE)
                mine[q.no] = rules.Response(
                    correct,
                    base if correct else draw(st.integers(0, base)),
                    draw(st.integers(-5, q.allowed_ms + 5000)),
                )
        responses[user_id] = mine
    return played, responses, draw(SETTINGS)


@settings(deadline=None)
@given(BASE, ALLOWED, st.integers(0, 200_000), st.integers(0, 10), SETTINGS)
def test_points_are_bounded_and_extras_only_as_switched_on(base, allowed, elapsed, streak, cfg):
    earned = rules.question_points(rules.Response(True, base, elapsed), allowed, streak, cfg)
    assert earned.base == base
    assert 0 <= earned.speed <= base and (cfg.speed_points or earned.speed == 0)
    assert 0 <= earned.streak <= base // 2 and (cfg.streaks or earned.streak == 0)
    assert earned.streak == (base * min(streak, rules.STREAK_STEPS) // 10 if cfg.streaks else 0)
    wrong = rules.question_points(rules.Response(False, 0, elapsed), allowed, streak, cfg)
    assert wrong.total == 0


@settings(deadline=None)
@given(BASE, ALLOWED, st.integers(0, 200_000), st.integers(0, 200_000))
def test_a_faster_right_answer_never_scores_less(base, allowed, a, b):
    on = rules.Settings(speed_points=True, streaks=False)
    fast, slow = sorted((a, b))
    quick = rules.question_points(rules.Response(True, base, fast), allowed, 0, on)
    late = rules.question_points(rules.Response(True, base, slow), allowed, 0, on)
    assert quick.total >= late.total
    instant = rules.question_points(rules.Response(True, base, 0), allowed, 0, on)
    assert instant.speed == base  # an instant answer doubles the base
    last = rules.question_points(rules.Response(True, base, allowed), allowed, 0, on)
    assert last.speed == 0


@settings(deadline=None)
@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=4),
)
def test_answer_time_leaves_out_pauses(received, answered, raw_pauses):
    pauses = [sorted(p) for p in raw_pauses]
    elapsed = rules.elapsed_ms(received, answered, pauses)
    assert 0 <= elapsed <= max(0, answered - received)
    assert rules.elapsed_ms(received, answered, []) == max(0, answered - received)


@settings(max_examples=150, deadline=None)
@given(games())
def test_totals_add_up_and_follow_the_questions(game):
    played, responses, cfg = game
    for user_id, mine in responses.items():
        score = rules.score_player(user_id, played, mine, cfg)
        assert score.points == sum(p.total for p in score.per_question.values())
        assert score.bonus == sum(p.speed + p.streak for p in score.per_question.values())
        assert score.answered_count == len(mine)
        assert score.correct_count == sum(r.correct for r in mine.values())
        # time: each answer capped at its question's time; an unanswered one counts whole
        assert score.time_used_ms == sum(
            min(max(mine[q.no].elapsed_ms, 0), q.allowed_ms) if q.no in mine else q.allowed_ms
            for q in played
        )
        # nobody beats a perfect, instant player
        bases = [max((r.base for r in mine.values()), default=0)] * len(played)
        assert score.points <= rules.perfect_points(bases, cfg) or not played
        # the streak is the run of right answers at the end
        run = 0
        for q in played:
            run = run + 1 if q.no in mine and mine[q.no].correct else 0
        assert score.streak == run


@settings(max_examples=150, deadline=None)
@given(games())
def test_ranking_is_the_platforms_rule_and_a_total_order(game):
    played, responses, cfg = game
    scores = [rules.score_player(u, played, r, cfg) for u, r in responses.items()]
    ranked = rules.rank(scores)
    assert [r.rank for r in ranked] == list(range(1, len(scores) + 1))
    assert sorted(r.score.user_id for r in ranked) == sorted(responses)
    for upper, lower in itertools.pairwise(ranked):
        a, b = upper.score, lower.score
        # never ranked above someone strictly better by (points, time used)
        assert not better((b.points, b.time_used_ms, 0), (a.points, a.time_used_ms, 0))
        if (a.points, a.time_used_ms) == (b.points, b.time_used_ms):
            assert a.user_id < b.user_id
    # the input order does not matter
    assert [r.score.user_id for r in rules.rank(reversed(scores))] == [
        r.score.user_id for r in ranked
    ]


@settings(max_examples=150, deadline=None)
@given(games(), st.data())
def test_team_score_is_the_mean_of_its_members(game, data):
    played, responses, cfg = game
    scores = [rules.score_player(u, played, r, cfg) for u, r in responses.items()]
    team_of = {
        u: data.draw(st.sampled_from([None, "league:1", "league:2", "custom:0"])) for u in responses
    }
    board = rules.team_board(scores, team_of)
    members = {}
    for s in scores:
        if team_of[s.user_id] is not None:
            members.setdefault(team_of[s.user_id], []).append(s.points)
    assert {t.team for t in board} == set(members)
    for team in board:
        assert team.members == len(members[team.team])
        assert team.mean == Fraction(sum(members[team.team]), len(members[team.team]))
    assert [t.mean for t in board] == sorted((t.mean for t in board), reverse=True)


def test_a_worked_example():
    """Two questions of 20 s, base 10, speed and streaks on."""
    cfg = rules.Settings(speed_points=True, streaks=True)
    played = [rules.PlayedQuestion(1, 20_000), rules.PlayedQuestion(2, 20_000)]
    score = rules.score_player(
        7, played, {1: rules.Response(True, 10, 5_000), 2: rules.Response(True, 10, 10_000)}, cfg
    )
    # q1: 10 + 10·15/20 = 17; q2: 10 + 10·10/20 + 10·1/10 (second in a row) = 16
    assert [p.total for p in score.per_question.values()] == [17, 16]
    assert (score.points, score.bonus, score.time_used_ms, score.streak) == (33, 13, 15_000, 2)
    assert rules.perfect_points([10, 10], cfg) == 20 + 20 + 1
