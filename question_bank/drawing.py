"""Drawing an attempt's questions and option orders, reproducibly from a seed.

A draw runs when a participant starts an attempt, so it sits on the hot path of a contest
with hundreds of thousands of participants and banks of up to 100,000 questions. The
pool is indexed once; a draw then costs O(questions drawn), never O(bank size): it
samples positions in a virtual concatenation of the matching groups and maps each
position to an id with a binary search, instead of copying or shuffling groups.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from question_bank.model import Kind, Question

Id = int | str
GroupKey = tuple[str, int]
"""(category, difficulty): the unit the pool is indexed by."""

_DIFFICULTIES = (1, 2, 3)
_PART_KEYS = frozenset({"count", "category", "difficulty", "points"})
MAX_PART_POINTS = 1000


@dataclass(frozen=True)
class DrawPart:
    """``count`` questions matching a category and a difficulty (None: any).

    ``points``: what each of its questions is worth whatever its difficulty (None: the
    round's points for the question's difficulty). A part of any difficulty needs it
    unless the round gives every difficulty the same points (``varying_points``).
    """

    count: int
    category: str | None = None
    difficulty: int | None = None
    points: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"count must be a whole number of at least 1, not {self.count!r}")
        if self.category is not None and (not isinstance(self.category, str) or not self.category):
            raise ValueError(f"category must be a category id or null, not {self.category!r}")
        if self.difficulty is not None and (
            isinstance(self.difficulty, bool) or self.difficulty not in _DIFFICULTIES
        ):
            raise ValueError(f"difficulty must be 1, 2, 3 or null, not {self.difficulty!r}")
        if self.points is not None and (
            isinstance(self.points, bool)
            or not isinstance(self.points, int)
            or not 0 <= self.points <= MAX_PART_POINTS
        ):
            raise ValueError(
                f"points must be a whole number from 0 to {MAX_PART_POINTS} or null, "
                f"not {self.points!r}"
            )

    def points_of(self, difficulty: int, points_by_difficulty: Mapping[str, int]) -> int:
        """What a question of this difficulty drawn by this part is worth."""
        if self.points is not None:
            return self.points
        return int(points_by_difficulty[str(difficulty)])

    def describe(self) -> str:
        """E.g. ``5 questions, category life-health, difficulty any`` (for messages and logs)."""
        category = self.category if self.category is not None else "any"
        difficulty = self.difficulty if self.difficulty is not None else "any"
        return f"{self.count} questions, category {category}, difficulty {difficulty}"


@dataclass(frozen=True)
class DrawRule:
    """A round's recipe: parts taken in order, none repeating a question of an earlier one."""

    parts: tuple[DrawPart, ...]

    def __post_init__(self) -> None:
        if not self.parts:
            raise ValueError("a draw rule needs at least one part")
        object.__setattr__(self, "parts", tuple(self.parts))

    @property
    def total(self) -> int:
        return sum(part.count for part in self.parts)

    def to_json(self) -> list[dict[str, Any]]:
        """JSON-ready list of parts, as stored with a round (``null`` filters left out)."""
        result = []
        for part in self.parts:
            item: dict[str, Any] = {"count": part.count}
            if part.category is not None:
                item["category"] = part.category
            if part.difficulty is not None:
                item["difficulty"] = part.difficulty
            if part.points is not None:
                item["points"] = part.points
            result.append(item)
        return result

    @classmethod
    def from_json(cls, data: Any) -> DrawRule:
        """Parse what ``to_json`` wrote (or an organizer sent); ValueError says what is wrong."""
        if not isinstance(data, list):
            raise ValueError("a draw rule must be a list of parts")
        parts = []
        for number, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise ValueError(f"draw rule part {number}: must be an object")
            unknown = sorted(str(key) for key in item if key not in _PART_KEYS)
            if unknown:
                raise ValueError(
                    f"draw rule part {number}: unknown key {', '.join(unknown)} "
                    "(allowed: count, category, difficulty, points)"
                )
            if "count" not in item:
                raise ValueError(f"draw rule part {number}: missing count")
            try:
                parts.append(
                    DrawPart(
                        item["count"],
                        item.get("category"),
                        item.get("difficulty"),
                        item.get("points"),
                    )
                )
            except ValueError as error:
                raise ValueError(f"draw rule part {number}: {error}") from None
        return cls(tuple(parts))

    def varying_points(self, points_by_difficulty: Mapping[str, int]) -> list[int]:
        """Numbers (from 1) of the parts whose questions may be worth different points.

        A part of any difficulty without its own ``points`` draws questions worth the
        round's points for each difficulty: unless those are all equal, two participants
        could face different maximum scores. Empty: every draw has the same maximum
        (``max_points``), whatever the seed and whatever the bank holds.
        """
        values = {int(points_by_difficulty[str(d)]) for d in _DIFFICULTIES}
        if len(values) == 1:
            return []
        return [
            number
            for number, part in enumerate(self.parts, start=1)
            if part.points is None and part.difficulty is None
        ]

    def max_points(self, points_by_difficulty: Mapping[str, int]) -> int | None:
        """The maximum score every draw of this rule has (None if draws may differ)."""
        if self.varying_points(points_by_difficulty):
            return None
        return sum(
            part.count * part.points_of(part.difficulty or 1, points_by_difficulty)
            for part in self.parts
        )


class DrawError(ValueError):
    """The pool cannot satisfy a part: the organizer must change the rule or the bank."""

    def __init__(self, number: int, part: DrawPart, available: int) -> None:
        self.number = number
        self.part = part
        self.available = available
        super().__init__(
            f"draw rule part {number} ({part.describe()}) cannot be drawn: "
            f"only {available} matching questions are left"
        )


@dataclass(frozen=True)
class Candidate:
    """What the pool needs to know about a question (the app passes database ids)."""

    id: Id
    category: str
    difficulty: int


@dataclass(frozen=True)
class _Span:
    """The groups matching one (category, difficulty) filter, seen as one virtual sequence."""

    keys: tuple[GroupKey, ...]
    groups: tuple[Sequence[Id], ...]
    starts: tuple[int, ...]
    total: int

    def at(self, position: int) -> tuple[Id, GroupKey]:
        """The id at a position of the concatenation, in O(log groups)."""
        index = bisect.bisect_right(self.starts, position) - 1
        return self.groups[index][position - self.starts[index]], self.keys[index]


_EMPTY = _Span((), (), (), 0)


def _id_order(value: Id) -> tuple[bool, Id]:
    """Sort ints before strs so mixed ids still have one canonical order."""
    return isinstance(value, str), value


class DrawPool:
    """The questions of a bank indexed by (category, difficulty), ready for many draws.

    Build it once per bank (``from_candidates``) and share it: it is never modified.
    """

    def __init__(self, groups: Mapping[GroupKey, Sequence[Id]]) -> None:
        """Index ``groups`` as given: ids must be unique and each group in canonical order.

        ``from_candidates`` takes care of both; the constructor keeps the sequences it is
        given (no copy), which lets a test watch how many items a draw touches.
        """
        keys = sorted(groups)
        seen: set[Id] = set()
        for key in keys:
            for question_id in groups[key]:
                if question_id in seen:
                    raise ValueError(f"question id {question_id!r} appears twice in the pool")
                seen.add(question_id)
        matching: dict[tuple[str | None, int | None], list[GroupKey]] = {}
        for key in keys:
            category, difficulty = key
            for selector in ((category, difficulty), (category, None), (None, difficulty)):
                matching.setdefault(selector, []).append(key)
            matching.setdefault((None, None), []).append(key)
        self._spans = {
            selector: self._span(selected, groups) for selector, selected in matching.items()
        }

    @staticmethod
    def _span(keys: list[GroupKey], groups: Mapping[GroupKey, Sequence[Id]]) -> _Span:
        starts = []
        total = 0
        for key in keys:
            starts.append(total)
            total += len(groups[key])
        return _Span(tuple(keys), tuple(groups[key] for key in keys), tuple(starts), total)

    @classmethod
    def from_candidates(cls, candidates: Iterable[Candidate]) -> DrawPool:
        """Index candidates in a canonical order, so the same seed draws the same ids
        however the database happened to return the rows."""
        groups: dict[GroupKey, list[Id]] = {}
        for candidate in candidates:
            groups.setdefault((candidate.category, candidate.difficulty), []).append(candidate.id)
        return cls({key: sorted(ids, key=_id_order) for key, ids in groups.items()})

    def available(self, part: DrawPart) -> int:
        """How many questions match ``part`` (before any other part takes some)."""
        return self._spans.get((part.category, part.difficulty), _EMPTY).total

    def draw(self, rule: DrawRule, seed: int) -> list[Id]:
        """``rule.total`` distinct ids in a shuffled order; the same seed gives the same list."""
        return [question_id for question_id, _part in self.draw_parts(rule, seed)]

    def draw_parts(self, rule: DrawRule, seed: int) -> list[tuple[Id, DrawPart]]:
        """``draw`` with the part that drew each id (its points may be the part's own).

        Part by part, sample ``count + k`` distinct positions of the matching span, where
        ``k`` is how many of its ids earlier parts already took; at most ``k`` of them are
        taken, so at least ``count`` are fresh. Work: O(rule.total * log groups).
        """
        rng = random.Random(seed)
        taken: dict[Id, GroupKey] = {}
        drawn: list[tuple[Id, DrawPart]] = []
        for number, part in enumerate(rule.parts, start=1):
            span = self._spans.get((part.category, part.difficulty), _EMPTY)
            in_span = set(span.keys)
            already = sum(1 for key in taken.values() if key in in_span)
            if span.total - already < part.count:
                raise DrawError(number, part, span.total - already)
            fresh = 0
            for position in rng.sample(range(span.total), min(span.total, part.count + already)):
                question_id, key = span.at(position)
                if question_id in taken:
                    continue
                taken[question_id] = key
                drawn.append((question_id, part))
                fresh += 1
                if fresh == part.count:
                    break
        rng.shuffle(drawn)
        return drawn


def option_order(option_keys: Sequence[str], seed: int, question_id: Hashable) -> list[str]:
    """A per-question permutation of the option keys, the same for the same seed and id.

    A Fisher-Yates shuffle whose choices are the digits of one number: 128 bits of
    BLAKE2b over ``"seed:id"``, so the order does not depend on ``PYTHONHASHSEED`` or on
    the process, and every order is as likely as any other (for n options, within
    n!/2**128). Every attempt start draws about 20 of these; a ``random.Random`` seeded
    per question (SHA-512, then the Mersenne Twister's 624-word state) cost ~15 µs each,
    a fifth of a start's CPU. Orders are stored with what was drawn (attempt, practice
    and live items), never derived again from the seed.
    """
    keys = list(option_keys)
    digest = hashlib.blake2b(f"{seed}:{question_id}".encode(), digest_size=16).digest()
    number = int.from_bytes(digest, "big")
    for i in range(len(keys) - 1, 0, -1):
        number, j = divmod(number, i + 1)
        keys[i], keys[j] = keys[j], keys[i]
    return keys


def presented_options(question: Question, seed: int) -> list[str]:
    """The order to show options in: true/false stays T, F; other kinds are shuffled."""
    if question.kind is Kind.TRUEFALSE:
        return list(question.option_keys)
    return option_order(question.option_keys, seed, question.id)
