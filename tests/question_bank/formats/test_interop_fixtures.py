"""The project's own GIFT, Moodle XML and Aiken fixtures (tests/data/interop).

They cover the cases of Moodle's own import fixtures (test_moodle_fixtures.py, which runs
when those are at hand), written for this project, so the importers are tested on a bare
clone too: every kind Moodle knows, categories nested and out of order, escapes, weights,
the errors Moodle reports at their lines, and the files Moodle refuses.
"""

from __future__ import annotations

import pytest

from question_bank import Kind
from question_bank import messages as m
from question_bank.formats import ImportResult, read_bank
from question_bank.formats.moodle_xml import parse_xml
from tests.interop import FIXTURES
from tests.question_bank.formats.test_moodle_fixtures import summary, unsupported


def read(name: str) -> ImportResult:
    return read_bank((FIXTURES / name).read_bytes(), name)


# file -> (questions imported, questions named unsupported)
COUNTS = {
    "kinds.gift.txt": (6, 3),
    "category.gift.txt": (3, 1),
    "syntax.gift.txt": (11, 4),
    "good.aiken.txt": (2, 0),
    "category-info.xml": (1, 0),
    "nested.xml": (4, 1),
    "child-first.xml": (1, 1),
    "escaped-ids.xml": (1, 0),
    "cloze.xml": (0, 5),
}


def test_every_fixture_is_counted() -> None:
    names = {p.name for p in FIXTURES.iterdir() if p.suffix != ".md"}
    assert names == set(COUNTS) | {"errors.aiken.txt", "bad-grade.xml"}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts(name: str) -> None:
    imported, skipped = COUNTS[name]
    result = read(name)
    assert result.problems == []
    assert (len(result.questions), len(result.unsupported)) == (imported, skipped)


def test_every_gift_kind() -> None:
    result = read("kinds.gift.txt")
    assert result.format == "gift"
    assert summary(result) == [
        ("Planet", "single", ["Mercury", "Venus", "Mars"], ("A",), "未分类"),
        ("Gases", "multiple", ["Neon", "Oxygen", "Argon", "Nitrogen"], ("A", "C"), "未分类"),
        ("Fill", "fill", [], (), "未分类"),
        ("Boiling", "truefalse", [], ("F",), "未分类"),
        ("Moon light", "truefalse", [], ("T",), "未分类"),
        ("Moon light", "truefalse", [], ("T",), "未分类"),
    ]
    assert unsupported(result) == [
        ("essay", "Open-1"),
        ("matching", "Instruments"),
        ("numerical", "Legs"),
    ]
    assert [note.line for note in result.unsupported] == [2, 5, 31]
    planet, _, fill, boiling, _, _ = result.questions
    assert planet.versions["zh"].text == "Which planet is closest to the Sun?"
    assert fill.versions["zh"].blanks and fill.versions["zh"].blanks[0]
    # As in Moodle: the stray '";' after '}' makes a "missing word" question.
    assert boiling.versions["zh"].text == 'Water always boils at 100 degrees._____";'
    assert boiling.versions["zh"].explanation == (
        "Water boils at a lower temperature where the air is thinner."
    )
    assert len({q.id for q in result.questions}) == 6  # the same question twice, two ids
    assert [w.message for w in result.warnings] == [m.WEIGHTS_SIMPLIFIED, m.DUPLICATE_IN_FILE]


def test_category_switch_tabs_and_escapes() -> None:
    result = read("category.gift.txt")
    assert summary(result) == [
        (
            "Birdsong",
            "single",
            ["Sparrow", "Skylark", "Crow", "Magpie"],
            ("B",),
            "Everyday science",
        ),
        ("Star", "fill", [], (), "Everyday science"),
        ("Photosynthesis", "truefalse", [], ("T",), "Everyday science"),
    ]
    assert unsupported(result) == [("matching", "Animals")]
    birdsong, _, photosynthesis = result.questions
    # [html] with escaped \= and \: inside attributes: tags go, text stays.
    assert birdsong.versions["zh"].text == "Play the recording:\n\nWhich bird is singing?"
    assert photosynthesis.versions["zh"].text == (
        "Green plants make sugar from light in photosynthesis."
    )
    assert m.MEDIA_DROPPED in [w.message for w in result.warnings]  # the link to an mp3
    assert [c.id for c in result.bank.categories] == ["everyday-science"]


def test_gift_syntax() -> None:
    result = read("syntax.gift.txt")
    kinds = [q.kind.value for q in result.questions]
    assert (kinds.count("single"), kinds.count("multiple")) == (7, 2)
    assert (kinds.count("truefalse"), kinds.count("fill")) == (1, 1)
    assert [note.kind for note in result.unsupported] == ["numerical"] * 3 + ["matching"]
    texts = {q.versions["zh"].text: q for q in result.questions}
    missing = texts["The Sun is a _____ at the centre of our solar system."]
    assert missing.answer == ("B",)
    assert texts["Which of these is a **mammal**?"].answer == ("B",)  # [markdown] kept as text
    assert texts["Which metal does a magnet pull?"].answer == ("B",)  # over several lines
    by_title = {result.title(q): q for q in result.questions}
    largest = by_title["Largest planet"]
    assert largest.answer == ("D",)  # =Jupiter; partial credit dropped
    assert largest.versions["zh"].text == "The largest planet is _____."
    escaped = by_title["Escaped characters"]
    assert list(escaped.versions["zh"].options.values()) == ["~", "=", "#", "{", "}", "\\"]
    assert escaped.answer == ("F",)
    sums = texts["Which sum makes 10?"]
    assert list(sums.versions["zh"].options.values()) == ["= 5 + 4", "= 5 + 5", "= 5 + 6"]
    several = [q for q in result.questions if q.kind is Kind.MULTIPLE]
    assert [q.answer for q in several] == [("B", "C"), ("B", "C")]
    assert m.WEIGHTS_SIMPLIFIED in [w.message for w in result.warnings]


def test_aiken() -> None:
    result = read("good.aiken.txt")
    assert result.format == "aiken"
    first, second = result.questions
    assert first.versions["zh"].options["B"] == "Isaac Newton" and first.answer == ("B",)
    # "A." labels as well as "A)"; markup is text.
    assert list(second.versions["zh"].options.values()) == ["True", "False"]
    assert '<b class="bold"> &' in second.versions["zh"].text and second.answer == ("A",)


def test_aiken_errors_at_their_lines() -> None:
    result = read("errors.aiken.txt")
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [
        (3, m.OPTION_COUNT),
        (5, m.AIKEN_CHOICE_OUTSIDE),
        (7, m.AIKEN_ANSWER_OUTSIDE),
        (18, m.AIKEN_UNFINISHED),
    ]
    good = [
        (q.versions["zh"].text, list(q.versions["zh"].options.values()), q.answer)
        for q in result.questions
    ]
    assert good == [
        ("A first good question", ["Right", "Wrong"], ("A",)),
        ("A second good question", ["Wrong (no space)", "Right (no space)"], ("B",)),
        (
            "A third good question with the characters > < &",
            ["Right (< > &)", "Wrong (< > &)"],
            ("A",),
        ),
    ]


def test_xml_category_with_description() -> None:
    result = read("category-info.xml")
    assert result.format == "moodle-xml"
    assert summary(result) == [("Gravity", "truefalse", [], ("T",), "Physics")]
    assert [c.id for c in result.bank.categories] == ["physics-basics"]  # its idnumber
    assert result.questions[0].versions["zh"].text == (
        "Objects fall because the Earth pulls them."
    )  # <p> stripped


def test_xml_nested_categories() -> None:
    result = read("nested.xml")
    assert summary(result) == [
        ("Earth question", "truefalse", [], ("T",), "Earth"),
        ("Water question", "truefalse", [], ("T",), "Earth/Water"),
        ("Ice question", "truefalse", [], ("T",), "Earth/Water/Ice"),
        ("Air question", "truefalse", [], ("T",), "Earth/Air"),
    ]
    assert unsupported(result) == [("essay", "Water essay")]
    ids = [c.id for c in result.bank.categories]
    assert ids == ["earth", "earth-water", "earth-water-ice", "earth-air"]


def test_xml_child_category_before_its_parent() -> None:
    result = read("child-first.xml")
    assert result.ok and [q.kind.value for q in result.questions] == ["fill"]
    assert unsupported(result) == [("essay", "Cell essay")]
    assert [c.name["zh"] for c in result.bank.categories] == ["Life/Cells", "Life"]


def test_xml_weight_that_is_no_moodle_grade_is_refused() -> None:
    result = read("bad-grade.xml")
    assert result.bank is None
    [problem] = result.problems
    assert (problem.line, problem.message, problem.params) == (13, m.BAD_WEIGHT, {"weight": "33"})


def test_xml_broken_cloze_questions_are_named() -> None:
    result = read("cloze.xml")
    assert result.questions == [] and result.problems == []
    assert [note.kind for note in result.unsupported] == ["cloze"] * 5
    assert result.unsupported[0].title == "Cloze with no gaps"
    assert [note.line for note in result.unsupported] == [3, 10, 17, 24, 31]


def test_xml_entities_in_idnumbers_are_decoded() -> None:
    data = (FIXTURES / "escaped-ids.xml").read_bytes()
    root, _ = parse_xml(data)
    assert root.findtext("question/idnumber") == "Signs < & >"
    result = read_bank(data, "escaped-ids.xml")
    assert summary(result) == [("Signs question", "truefalse", [], ("T",), "Alpha")]
    [warning] = result.warnings  # "A & B" is no valid id: a generated one, reported
    assert warning.message == m.ID_REPLACED and warning.params["value"] == "A & B"
