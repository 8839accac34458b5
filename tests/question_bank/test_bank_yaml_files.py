"""The bad fixture files: what organizers' real mistakes look like, all reported at once."""

from pathlib import Path

import pytest

from question_bank import BankError, Problem, load_bank
from question_bank import messages as m

DATA = Path(__file__).parent / "data"


def problems_in(name: str) -> list[Problem]:
    with pytest.raises(BankError) as raised:
        load_bank(DATA / name)
    assert all(problem.file == str(DATA / name) for problem in raised.value.problems)
    return raised.value.problems


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    problems = problems_in("bad-several.yaml")

    assert [(p.line, p.message) for p in problems] == [
        (4, m.BAD_SLUG),
        (13, m.BAD_DIFFICULTY),
        (14, m.ANSWER_NOT_OPTION),
        (21, m.UNKNOWN_CATEGORY),
        (30, m.OPTIONS_DIFFER),
        (31, m.UNKNOWN_KEY),
        (32, m.MISSING_KEY),
        (32, m.DUPLICATE_QUESTION),
        (36, m.TRUEFALSE_ANSWER),
    ]
    assert problems[5].params == {
        "key": "reviewd",
        "allowed": "text, options, explanation, reviewed",
    }
    assert problems[7].params == {"id": "q1", "first": 10}
    assert (
        str(problems[1]) == f"{DATA / 'bad-several.yaml'}:13: difficulty must be 1, 2 or 3, not 5"
    )
    assert f"{len(problems)} problems" in str(BankError(problems))


def test_syntax_error_names_the_line_and_where_the_construct_began() -> None:
    [problem] = problems_in("bad-syntax.yaml")

    assert (problem.line, problem.message) == (14, m.YAML_SYNTAX)
    assert "from line 13" in problem.params["detail"]


def test_duplicate_keys_are_reported_not_silently_overwritten() -> None:
    problems = problems_in("bad-duplicate-keys.yaml")

    assert [(p.line, p.message, p.params) for p in problems] == [
        (15, m.DUPLICATE_KEY, {"key": "answer", "first": 14}),
        (22, m.DUPLICATE_KEY, {"key": "A", "first": 20}),
        (23, m.DUPLICATE_KEY, {"key": "bank", "first": 3}),
    ]


def test_a_file_saved_as_gbk_is_reported_at_the_first_bad_byte() -> None:
    [problem] = problems_in("bad-gbk.yaml")

    assert (problem.line, problem.message) == (4, m.NOT_UTF8)
