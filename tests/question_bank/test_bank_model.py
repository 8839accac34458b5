"""Grading rules of the question model: by option key, whatever the language."""

from dataclasses import replace

import pytest

from question_bank import Kind, Question, Version


def make_question(kind: Kind, answer: tuple[str, ...], keys: str = "ABCD") -> Question:
    options = {key: f"option {key}" for key in keys}
    return Question(
        id="q1",
        kind=kind,
        category="cat",
        difficulty=1,
        answer=answer,
        option_keys=tuple(keys),
        source="test",
        versions={
            "mn": Version("ᠠᠰᠠᠭᠤᠯᠲᠠ", options, None, reviewed=False),
            "zh": Version("问题", options, None),
        },
    )


def test_languages_follow_the_languages_order_not_the_dict_order() -> None:
    assert make_question(Kind.SINGLE, ("A",)).languages == ("zh", "mn")


def test_is_correct_is_set_equality() -> None:
    question = make_question(Kind.MULTIPLE, ("A", "C"))
    assert question.is_correct(["C", "A"])
    assert question.is_correct(iter("AC"))
    assert not question.is_correct(["A"])
    assert not question.is_correct(["A", "B", "C"])
    assert not question.is_correct([])


@pytest.mark.parametrize(
    ("choice", "credit"),
    [
        ("AC", 1.0),
        ("A", 0.5),
        ("AB", 0.0),  # one right, one wrong
        ("ABC", 0.5),
        ("ABCD", 0.0),  # ticking everything earns nothing
        ("BD", 0.0),  # clamped, never negative
        ("", 0.0),
    ],
)
def test_partial_credit_of_multiple(choice: str, credit: float) -> None:
    assert make_question(Kind.MULTIPLE, ("A", "C")).partial_credit(choice) == credit


def test_partial_credit_of_single_and_truefalse_is_all_or_nothing() -> None:
    single = make_question(Kind.SINGLE, ("B",))
    assert single.partial_credit(["B"]) == 1.0
    assert single.partial_credit(["A", "B"]) == 0.0
    truefalse = make_question(Kind.TRUEFALSE, ("F",), keys="TF")
    assert truefalse.partial_credit(["F"]) == 1.0
    assert truefalse.partial_credit(["T"]) == 0.0


def test_line_is_provenance_not_value() -> None:
    question = make_question(Kind.SINGLE, ("A",))
    assert replace(question, line=42) == question
