"""The self-test's pure rules: the draw covers every benchmark with exact part counts
for many seeds, the scoring adds up exactly, and the band boundaries."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from question_bank.literacy import BENCHMARKS, PART_POINTS, Part
from quiz.practice.assessment import (
    PART_COUNTS,
    QUESTION_COUNT,
    Candidate,
    NotCoverable,
    band_of,
    draw,
    score,
    weakest,
)


def _pool(per_benchmark: int = 4, offpart_every: int = 0) -> list[Candidate]:
    pool = []
    next_id = 1
    for benchmark, info in BENCHMARKS.items():
        for _ in range(per_benchmark):
            part = info.part
            if offpart_every and next_id % offpart_every == 0:
                part = Part.KNOWLEDGE  # a question testing another part than usual
            pool.append(Candidate(next_id, benchmark, part))
            next_id += 1
    return pool


@pytest.mark.parametrize("offpart_every", [0, 7])
def test_the_draw_covers_every_benchmark_with_exact_part_counts(offpart_every):
    pool = _pool(4, offpart_every)
    for seed in range(1000):
        drawn = draw(pool, seed)
        assert len(drawn) == QUESTION_COUNT == 50
        assert len({c.id for c in drawn}) == 50
        assert {c.benchmark for c in drawn} == set(BENCHMARKS)
        assert Counter(c.part for c in drawn) == PART_COUNTS


def test_the_draw_is_reproducible_from_its_seed_and_varies_between_seeds():
    pool = _pool(6)
    shuffled = pool[:]
    random.Random(1).shuffle(shuffled)
    assert draw(pool, 42) == draw(shuffled, 42)
    assert len({tuple(c.id for c in draw(pool, seed)) for seed in range(20)}) == 20


def test_the_draw_refuses_a_missing_benchmark_or_a_short_part():
    pool = [c for c in _pool(4) if c.benchmark != "B13"]
    with pytest.raises(NotCoverable):
        draw(pool, 1)
    # One question per benchmark: knowledge has 8, not 20.
    with pytest.raises(NotCoverable):
        draw(_pool(1), 1)


def test_each_question_is_worth_two_points():
    assert all(PART_POINTS[p] / PART_COUNTS[p] == 2 for p in Part)


@given(
    st.fixed_dictionaries({p: st.integers(1, 60) for p in Part}).flatmap(
        lambda asked: st.tuples(
            st.just(asked), st.fixed_dictionaries({p: st.integers(0, asked[p]) for p in Part})
        )
    )
)
def test_parts_add_up_to_the_score_and_stay_within_a_tenth(case):
    asked, correct = case
    result = score(asked, correct)
    assert sum(result.parts.values()) == result.total
    assert 0 <= result.total <= 1000
    exact_total = sum(PART_POINTS[p] * correct[p] / asked[p] for p in Part)
    assert abs(result.total / 10 - exact_total) <= 0.05 + 1e-9
    for p in Part:
        assert abs(result.parts[p] / 10 - PART_POINTS[p] * correct[p] / asked[p]) < 0.1 + 1e-9


def test_the_usual_shape_scores_two_points_a_question():
    result = score(PART_COUNTS, {Part.KNOWLEDGE: 17, Part.METHOD: 7, Part.SPIRIT: 10})
    assert result.score == 68.0 and result.part(Part.KNOWLEDGE) == 34.0
    assert result.part(Part.APPLICATION) == 0


def test_thirds_round_so_that_the_parts_add_up():
    asked = dict.fromkeys(Part, 3)
    result = score(asked, dict.fromkeys(Part, 1))  # 13.33 + 6.67 × 3 = 33.33…
    assert result.total == 333 and sum(result.parts.values()) == 333


@pytest.mark.parametrize(
    ("tenths", "band"),
    [
        (1000, "advanced"),
        (851, "advanced"),
        (850, "literate"),
        (700, "literate"),
        (699, "basic"),
        (550, "basic"),
        (549, "low"),
        (0, "low"),
    ],
)
def test_band_boundaries(tenths, band):
    assert band_of(tenths) == band


@given(st.integers(0, 1000))
def test_bands_are_ordered_by_score(tenths):
    order = ["low", "basic", "literate", "advanced"]
    assert order.index(band_of(tenths)) <= order.index(band_of(min(tenths + 1, 1000)))
    expected = (
        "advanced"
        if tenths > 850
        else "literate"
        if tenths >= 700
        else "basic"
        if tenths >= 550
        else "low"
    )
    assert band_of(tenths) == expected


def test_weakest_are_the_lowest_shares_ties_in_benchmark_order():
    results = [("B05", False), ("B05", True), ("B02", True), ("B09", False), ("B01", False)]
    results += [("B20", False), ("B20", False), ("B03", True)]
    assert weakest(results) == ["B01", "B09", "B20"]
