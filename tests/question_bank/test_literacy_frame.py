"""The science-literacy frame: 26 benchmarks, four parts, and the bank keys that tag them."""

from question_bank import parse_bank
from question_bank.formats.yaml_writer import dump_bank
from question_bank.literacy import BENCHMARKS, PART_POINTS, Part, part_of
from tests.question_bank.test_bank_yaml_problems import question


def test_the_frame_has_26_benchmarks_and_parts_worth_100() -> None:
    assert list(BENCHMARKS) == [f"B{n:02d}" for n in range(1, 27)]
    assert sum(PART_POINTS.values()) == 100
    assert {b.part for b in BENCHMARKS.values()} == set(Part)


def test_a_benchmark_implies_its_part_and_a_part_overrides_it() -> None:
    assert part_of("B11", None) is Part.KNOWLEDGE
    assert part_of("B11", "application") is Part.APPLICATION
    assert part_of(None, None) is None


def test_benchmark_and_part_are_read_and_written_back() -> None:
    tagged = question(source="source: s\n    benchmark: b24")
    found = parse_bank(tagged).questions[0]
    assert (found.benchmark, found.literacy_part) == ("B24", "application")

    moved = parse_bank(question(source="source: s\n    benchmark: B24\n    part: spirit"))
    again = parse_bank(dump_bank(moved)).questions[0]
    assert (again.benchmark, again.literacy_part) == ("B24", "spirit")

    plain = parse_bank(dump_bank(parse_bank(tagged))).questions[0]
    assert (plain.benchmark, plain.literacy_part) == ("B24", "application")
