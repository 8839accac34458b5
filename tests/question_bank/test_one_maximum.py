"""One round, one maximum (issue 14): a rule the library accepts as fair gives every
draw, whatever the seed, the same maximum score; a rule it flags really can differ."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import DrawPart, DrawPool, DrawRule
from tests.question_bank.test_bank_drawing import BY_ID, CANDIDATES, CATEGORIES, POOL

POINTS = st.fixed_dictionaries({d: st.integers(min_value=0, max_value=50) for d in ("1", "2", "3")})
PART = st.builds(
    DrawPart,
    count=st.integers(min_value=1, max_value=3),
    category=st.sampled_from((None, *CATEGORIES)),
    difficulty=st.sampled_from((None, 1, 2, 3)),
    points=st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
)
RULE = st.lists(PART, min_size=1, max_size=5).map(lambda parts: DrawRule(tuple(parts)))


def maximum(pool: DrawPool, rule: DrawRule, seed: int, points: dict[str, int]) -> int:
    """What an attempt drawn with this seed could score at most (as the app computes it)."""
    return sum(
        part.points_of(BY_ID[question_id].difficulty, points)
        for question_id, part in pool.draw_parts(rule, seed)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=RULE, points=POINTS, seeds=st.lists(st.integers(0, 2**52), min_size=20, max_size=20))
def test_a_rule_without_varying_parts_has_one_maximum_for_every_seed(rule, points, seeds):
    if rule.varying_points(points):
        return  # refused by the round form; the next test shows why
    expected = rule.max_points(points)
    assert expected is not None
    assert {maximum(POOL, rule, seed, points) for seed in seeds} == {expected}


def test_a_varying_part_is_flagged_because_draws_really_differ():
    rule = DrawRule((DrawPart(5),))  # "any difficulty" with 10/15/20 points
    points = {"1": 10, "2": 15, "3": 20}
    assert rule.varying_points(points) == [1]
    assert rule.max_points(points) is None
    assert len({maximum(POOL, rule, seed, points) for seed in range(50)}) > 1
    # Its own points, or the same points for every difficulty, settle it.
    fixed = DrawRule((DrawPart(5, points=15),))
    assert fixed.varying_points(points) == [] and fixed.max_points(points) == 75
    assert {maximum(POOL, fixed, seed, points) for seed in range(50)} == {75}
    same = {"1": 12, "2": 12, "3": 12}
    assert rule.varying_points(same) == [] and rule.max_points(same) == 60


def test_draw_parts_is_draw_with_the_parts():
    rule = DrawRule((DrawPart(2, "life", 1), DrawPart(3, points=7), DrawPart(1, difficulty=2)))
    for seed in range(30):
        pairs = POOL.draw_parts(rule, seed)
        assert [question_id for question_id, _ in pairs] == POOL.draw(rule, seed)
        for question_id, part in pairs:
            candidate = BY_ID[question_id]
            assert part.category in (None, candidate.category)
            assert part.difficulty in (None, candidate.difficulty)
        assert len(CANDIDATES) > len(pairs)


def test_part_points_round_trip_and_bad_points_are_named():
    rule = DrawRule.from_json([{"count": 2, "points": 15}, {"count": 1, "difficulty": 3}])
    assert rule.parts[0].points == 15 and rule.to_json()[0] == {"count": 2, "points": 15}
    for bad in (-1, 1001, "5", True, 2.5):
        try:
            DrawRule.from_json([{"count": 1, "points": bad}])
        except ValueError as exc:
            assert "part 1: points must be a whole number from 0 to 1000" in str(exc)
        else:
            raise AssertionError(bad)
