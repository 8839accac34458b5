"""GIFT: the syntax Moodle documents, metadata in comments, and files that must fail."""

from __future__ import annotations

import pytest

from question_bank import Kind
from question_bank import messages as m
from question_bank.formats import ImportResult, read_bank, write_bank
from question_bank.formats.gift import escape
from tests.factories import sample_bank


def gift(text: str, **settings) -> ImportResult:
    return read_bank(text.encode("utf-8"), "bank.gift", "gift", **settings)


def only(text: str, **settings):
    result = gift(text, **settings)
    assert result.problems == [], [str(p) for p in result.problems]
    [question] = result.questions
    return question


def test_single_choice_with_feedback_and_name() -> None:
    question = only("::Colour:: What is yellow?{=yellow # right ~red#no ~blue}")
    assert question.kind is Kind.SINGLE
    assert question.versions["zh"].options == {"A": "yellow", "B": "red", "C": "blue"}
    assert question.answer == ("A",)


@pytest.mark.parametrize(
    ("block", "answer"),
    [
        ("{~%50%a ~%50%b ~%-100%c}", ("A", "B")),
        ("{~%100%a ~%-50%b ~%-50%c}", ("A",)),  # no '=': multiple, even with one right
        ("{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}", ("A", "B", "C")),
    ],
)
def test_positive_weights_make_a_multiple_choice_question(block: str, answer: tuple) -> None:
    question = only("Which ones?" + block)
    assert question.kind is Kind.MULTIPLE
    assert question.answer == answer


@pytest.mark.parametrize(
    ("block", "answer"),
    [
        ("{T}", ("T",)),
        ("{TRUE}", ("T",)),
        ("{F}", ("F",)),
        ("{FALSE}", ("F",)),
        ("{false#wrong#right}", ("F",)),
        ("{TRUE####general}", ("T",)),
    ],
)
def test_true_false(block: str, answer: tuple) -> None:
    question = only("The sky is blue." + block)
    assert question.kind is Kind.TRUEFALSE
    assert question.answer == answer
    assert question.versions["zh"].options == {"T": "正确", "F": "错误"}


def test_general_feedback_is_the_explanation() -> None:
    question = only("Q?{=a ~b ####Because \\{a\\}.}")
    assert question.versions["zh"].explanation == "Because {a}."


def test_escapes_and_line_breaks() -> None:
    question = only(r"::n::A \\ B \: C \# D \~ E \= F\nG{=\{x\} ~y\\}")
    assert question.versions["zh"].text == "A \\ B : C # D ~ E = F\nG"
    assert question.versions["zh"].options == {"A": "{x}", "B": "y\\"}


def test_comments_categories_and_metadata() -> None:
    text = """// a comment
$CATEGORY: $course$/top/物理

// question: 1
// [id:phy-001] [tag:力学] [tag:basic] [difficulty:3] [source:课本 p.3] [reviewed:false]
::phy-001::[plain]力的单位是？{=牛顿 ~焦耳}
"""
    result = gift(text)
    [question] = result.questions
    assert question.id == "phy-001"
    assert question.tags == ("力学", "basic")
    assert (question.difficulty, question.source) == (3, "课本 p.3")
    assert question.versions["zh"].reviewed is False
    [category] = result.bank.categories
    assert category.name == {"zh": "物理"} and question.category == category.id


def test_mongolian_text_is_stored_as_mongolian() -> None:
    from question_bank.formats import mongolian as mg

    question = only(f"{mg.QUESTION}?{{={mg.TRUE} ~{mg.FALSE}}}")
    assert list(question.versions) == ["mn"]


def test_category_option_fills_questions_without_one() -> None:
    result = gift("Q?{T}", category="物理")
    [category] = result.bank.categories
    assert category.name == {"zh": "物理"} and result.questions[0].category == category.id


def test_generated_ids_are_stable_and_from_the_folded_text() -> None:
    first = only("Is it?{T}")
    assert first.id == only("  is IT?  {F}").id  # fold_key: case and spacing
    assert first.id.startswith("q-")


def test_source_defaults_to_the_file_and_question_name() -> None:
    assert only("::Q9::Is it?{T}").source == "bank.gift: Q9"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q?{~a ~b ~c}", 1, m.NO_CORRECT_OPTION),
        ("\n\nQ?{=a =b ~c}", 3, m.SEVERAL_FULLY_CORRECT),
        ("Q?{~%33%a ~b}", 1, m.BAD_WEIGHT),
        ("Q? =a ~b}", 1, m.GIFT_BRACES),
        ("Q?{=a ~b", 1, m.GIFT_BRACES),
        ("::Q? {=a ~b}", 1, m.GIFT_NAME_UNCLOSED),
        ("Q?{=only ~}", 1, m.EMPTY_OPTION),
        ("{=a ~b}", 1, m.EMPTY_TEXT),
        ("Q?{=a ~b ~c ~d ~e ~f ~g ~h ~i}", 1, m.OPTION_COUNT),
        ("// [difficulty:5]\nQ?{T}", 2, m.BAD_DIFFICULTY),
    ],
)
def test_problems_have_lines(text: str, line: int, message: str) -> None:
    result = gift(text)
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [(line, message)]


def test_one_bad_question_stops_the_whole_file() -> None:
    result = gift("Good?{T}\n\nBad?{~a ~b}\n\nAlso good?{F}")
    assert result.bank is None
    assert [p.line for p in result.problems] == [3]
    assert len(result.questions) == 2  # what could be read, for a preview


def test_windows_1252_is_refused_with_its_line() -> None:
    data = "Q one?{T}\n\nCafé au lait?{T}\n".encode("cp1252")
    result = read_bank(data, "bank.gift", "gift")
    [problem] = result.problems
    assert (problem.line, problem.message, problem.params) == (3, m.NOT_UTF8, {"byte": "E9"})


def test_a_bom_is_tolerated() -> None:
    result = read_bank(b"\xef\xbb\xbfQ?{T}", "bank.gift", "gift")
    assert result.ok and len(result.questions) == 1


def test_escape_round_trips_every_control_character() -> None:
    text = "a\\b{c}d~e=f#g:h\ni"
    assert only(f"::x::[plain]{escape(text)}{{T}}").versions["zh"].text == text


def test_export_is_what_moodle_reads() -> None:
    text = write_bank(sample_bank(1), "gift").decode("utf-8")
    assert "$CATEGORY: $course$/top/life-health" in text
    assert "::q-001::[plain]第1题{" in text
    assert "\t~%50%选项A1" in text and "\t~%-50%选项B1" in text  # multiple: weights
    assert "\t=选项B3" in text  # single: '='
    assert "{FALSE####解释2}" in text
    assert "// [id:q-001] [difficulty:1] [source:test] [lang:zh]" in text
