"""Drawing: reproducible, no repeats, parts honoured, and O(drawn) work on a huge pool."""

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, overload

import pytest

from question_bank import (
    Candidate,
    DrawError,
    DrawPart,
    DrawPool,
    DrawRule,
    Kind,
    Question,
    Version,
    option_order,
    presented_options,
)

CATEGORIES = ("earth", "life", "tech")


def make_candidates(per_group: int = 20) -> list[Candidate]:
    """``per_group`` questions for every (category, difficulty), ids 0, 1, 2, ..."""
    candidates: list[Candidate] = []
    for category in CATEGORIES:
        for difficulty in (1, 2, 3):
            for _ in range(per_group):
                candidates.append(Candidate(len(candidates), category, difficulty))
    return candidates


CANDIDATES = make_candidates()
BY_ID = {candidate.id: candidate for candidate in CANDIDATES}
POOL = DrawPool.from_candidates(CANDIDATES)
RULE = DrawRule(
    (
        DrawPart(3, "life", 1),
        DrawPart(4, "earth"),
        DrawPart(2, difficulty=3),
        DrawPart(5),
    )
)


def test_same_seed_same_draw_other_seed_other_draw() -> None:
    assert POOL.draw(RULE, seed=42) == POOL.draw(RULE, seed=42)
    assert POOL.draw(RULE, seed=42) != POOL.draw(RULE, seed=43)
    assert len({tuple(POOL.draw(RULE, seed)) for seed in range(20)}) == 20


def test_no_repeats_and_total() -> None:
    for seed in range(50):
        drawn = POOL.draw(RULE, seed)
        assert len(drawn) == RULE.total == 14
        assert len(set(drawn)) == len(drawn)


def test_counts_per_part_are_honoured() -> None:
    rule = DrawRule((DrawPart(3, "life", 1), DrawPart(4, "earth"), DrawPart(2, "tech", 2)))
    for seed in range(50):
        drawn = [BY_ID[question_id] for question_id in POOL.draw(rule, seed)]
        assert Counter(c.category for c in drawn) == {"life": 3, "earth": 4, "tech": 2}
        assert all(c.difficulty == 1 for c in drawn if c.category == "life")
        assert all(c.difficulty == 2 for c in drawn if c.category == "tech")


def test_the_final_order_is_shuffled_not_part_by_part() -> None:
    rule = DrawRule((DrawPart(5, "earth"), DrawPart(5, "tech")))
    orders = {tuple(BY_ID[i].category for i in POOL.draw(rule, seed)) for seed in range(20)}
    assert len(orders) > 1


def test_a_later_part_never_gets_a_question_an_earlier_part_took() -> None:
    # life has 60 questions; the parts ask for all 60 between them, in overlapping filters.
    rule = DrawRule((DrawPart(20, "life", 1), DrawPart(25, "life"), DrawPart(15, "life")))
    for seed in range(20):
        drawn = POOL.draw(rule, seed)
        assert sorted(drawn) == sorted(c.id for c in CANDIDATES if c.category == "life")


def test_draw_error_names_the_part_that_cannot_be_filled() -> None:
    rule = DrawRule((DrawPart(15, "life", 1), DrawPart(10, "life", 1)))

    with pytest.raises(DrawError) as raised:
        POOL.draw(rule, seed=1)

    assert raised.value.number == 2
    assert raised.value.part == DrawPart(10, "life", 1)
    assert raised.value.available == 5
    assert "part 2" in str(raised.value)
    assert "category life, difficulty 1" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_draw_error_for_a_category_that_is_not_in_the_pool() -> None:
    with pytest.raises(DrawError, match=r"part 1 .*only 0"):
        POOL.draw(DrawRule((DrawPart(1, "space"),)), seed=1)


def test_candidate_order_does_not_change_the_draw() -> None:
    shuffled = list(CANDIDATES)
    random.Random(5).shuffle(shuffled)
    reversed_pool = DrawPool.from_candidates(reversed(CANDIDATES))
    shuffled_pool = DrawPool.from_candidates(shuffled)
    for seed in range(10):
        expected = POOL.draw(RULE, seed)
        assert shuffled_pool.draw(RULE, seed) == expected
        assert reversed_pool.draw(RULE, seed) == expected


def test_string_ids_and_available() -> None:
    pool = DrawPool.from_candidates(
        [Candidate("lh-002", "life", 1), Candidate("lh-001", "life", 2), Candidate("x", "tech", 1)]
    )
    assert pool.available(DrawPart(1, "life")) == 2
    assert pool.available(DrawPart(1, difficulty=1)) == 2
    assert pool.available(DrawPart(1)) == 3
    assert pool.available(DrawPart(1, "space")) == 0
    assert sorted(pool.draw(DrawRule((DrawPart(3),)), seed=0)) == ["lh-001", "lh-002", "x"]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        DrawPool.from_candidates([Candidate(1, "a", 1), Candidate(1, "b", 2)])


class CountingSequence(Sequence[int]):
    """A group that counts how often a draw reads it: reads are the cost we bound."""

    def __init__(self, items: list[int]) -> None:
        self.items = items
        self.reads = 0
        self.iterations = 0

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: Any) -> Any:
        self.reads += 1
        return self.items[index]

    def __iter__(self) -> Iterator[int]:
        self.iterations += 1
        return iter(self.items)


def test_a_draw_from_100_000_questions_reads_only_what_it_draws() -> None:
    keys = [(f"c{n:02}", difficulty) for n in range(20) for difficulty in (1, 2, 3)]
    size, extra = divmod(100_000, len(keys))
    groups: dict[tuple[str, int], CountingSequence] = {}
    next_id = 0
    for index, key in enumerate(keys):
        end = next_id + size + (index < extra)
        groups[key] = CountingSequence(list(range(next_id, end)))
        next_id = end
    pool = DrawPool(groups)
    assert pool.available(DrawPart(1)) == 100_000
    for group in groups.values():  # building the index may read everything, once
        group.reads = group.iterations = 0

    rule = DrawRule((DrawPart(10, "c03", 2), DrawPart(15, "c03"), DrawPart(25)))
    drawn = pool.draw(rule, seed=9)

    assert len(set(drawn)) == 50
    reads = sum(group.reads for group in groups.values())
    # Each part reads at most count + (questions earlier parts took): 10 + 25 + 50.
    assert 50 <= reads <= 85
    assert sum(group.iterations for group in groups.values()) == 0


def test_rule_json_round_trip_and_total() -> None:
    assert RULE.total == 14
    assert RULE.to_json() == [
        {"count": 3, "category": "life", "difficulty": 1},
        {"count": 4, "category": "earth"},
        {"count": 2, "difficulty": 3},
        {"count": 5},
    ]
    assert DrawRule.from_json(RULE.to_json()) == RULE
    assert DrawRule.from_json([{"count": 1, "category": None, "difficulty": None}]) == DrawRule(
        (DrawPart(1),)
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": 1}, "must be a list"),
        ([], "at least one part"),
        ([5], "part 1: must be an object"),
        ([{"count": 1}, {"category": "x"}], "part 2: missing count"),
        ([{"count": 0}], "part 1: count must be a whole number of at least 1"),
        ([{"count": "3"}], "part 1: count"),
        ([{"count": True}], "part 1: count"),
        ([{"count": 1, "difficulty": 4}], "part 1: difficulty must be 1, 2, 3 or null"),
        ([{"count": 1, "category": ""}], "part 1: category"),
        ([{"count": 1, "level": 2}], "part 1: unknown key level"),
    ],
)
def test_rule_from_json_says_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DrawRule.from_json(data)


def test_option_order_is_a_reproducible_permutation_per_question() -> None:
    keys = "ABCDEFGH"
    order = option_order(keys, 7, 123)
    assert sorted(order) == list(keys)
    assert option_order(list(keys), 7, 123) == order
    assert len({tuple(option_order(keys, 7, question_id)) for question_id in range(30)}) > 1
    assert len({tuple(option_order(keys, seed, 123)) for seed in range(30)}) > 1


def make_question(kind: Kind, keys: tuple[str, ...]) -> Question:
    options = dict.fromkeys(keys, "x")
    return Question("q", kind, "c", 1, keys[:1], keys, "s", {"zh": Version("t", options, None)})


def test_presented_options_keep_true_false_order_and_shuffle_others() -> None:
    truefalse = make_question(Kind.TRUEFALSE, ("T", "F"))
    assert all(presented_options(truefalse, seed) == ["T", "F"] for seed in range(20))

    single = make_question(Kind.SINGLE, ("A", "B", "C", "D"))
    orders = {tuple(presented_options(single, seed)) for seed in range(20)}
    assert len(orders) > 1
    assert presented_options(single, 3) == option_order(single.option_keys, 3, "q")
