"""Aiken beyond Moodle's fixtures: missing answers, bad answers, Mongolian."""

from __future__ import annotations

import pytest

from question_bank import messages as m
from question_bank.formats import mongolian as mg
from question_bank.formats import read_bank


def aiken(text: str):
    return read_bank(text.encode("utf-8"), "bank.txt", "aiken")


def test_good_file() -> None:
    result = aiken(
        "水的化学式是？\nA. H2O\nB. CO2\nANSWER: A\n\n"
        "光速约为？\nA) 3e8 m/s\nB) 340 m/s\nANSWER: a\n"
    )
    assert result.ok
    assert [q.answer for q in result.questions] == [("A",), ("A",)]


def test_mongolian() -> None:
    result = aiken(f"{mg.QUESTION}?\nA. {mg.TRUE}\nB. {mg.FALSE}\nANSWER: B\n")
    [question] = result.questions
    assert list(question.versions) == ["mn"] and question.answer == ("B",)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q?\nA. a\nB. b\n", 3, m.AIKEN_NO_ANSWER_AT_END),  # missing answer
        ("Q?\nA. a\nB. b\nANSWER: C\n", 4, m.ANSWER_NOT_OPTION),  # no correct option
        ("Q?\nA. a\nB. b\nANSWER: A, B\n", 4, m.BAD_ANSWER_VALUE),
        ("Q?\nA. a\nA. b\nANSWER: A\n", 3, m.DUPLICATE_KEY),
        ("Q?\nA. a\nC. b\nANSWER: A\n", 4, m.OPTION_GAP),
    ],
)
def test_problems_have_lines(text: str, line: int, message: str) -> None:
    result = aiken(text)
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [(line, message)]
