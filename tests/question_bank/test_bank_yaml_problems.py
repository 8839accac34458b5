"""Every kind of problem in a bank file is reported with its line and its message.

In each case the offending line carries a ``# <-`` marker; the test finds its number, so
the cases stay readable and the expected line can't drift from the text.
"""

from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from question_bank import BankError, Problem, load_bank, parse_bank
from question_bank import messages as m

HEAD = """\
format: quiz-bank/1
bank:
  id: demo
  title: {zh: 演示, mn: ᠵᠢᠱᠢᠶ᠎ᠡ}
categories:
  - id: cat
    name: {zh: 类别}
questions:
"""

QUESTION = """\
  - id: q1
    kind: single
    category: cat
    difficulty: 1
    answer: A
    source: 教材
    zh:
      text: 问题
      options: {A: 甲, B: 乙}
"""


@dataclass
class Case:
    name: str
    text: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> int | None:
        lines = [n for n, text in enumerate(self.text.splitlines(), 1) if "# <-" in text]
        assert len(lines) <= 1, f"{self.name}: more than one marker"
        return lines[0] if lines else None


def bank(questions: str) -> str:
    """HEAD plus a questions section (dedented to the two-space list indentation)."""
    return HEAD + "  " + dedent(questions).strip("\n").replace("\n", "\n  ") + "\n"


def question(**changes: str) -> str:
    """The valid QUESTION with some lines replaced, e.g. ``answer="answer: Z  # <-"``."""
    lines = QUESTION.splitlines()
    for key, new in changes.items():
        index = next(i for i, line in enumerate(lines) if line.lstrip(" -").startswith(f"{key}:"))
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines[index] = indent + new
    return HEAD + "\n".join(lines) + "\n"


CASES = [
    # -- the file as a whole
    Case("syntax", HEAD + "  - id: q1\n    kind: single: multiple  # <-\n", m.YAML_SYNTAX),
    Case("tab-indent", "format: quiz-bank/1\nbank:\n\tid: x  # <-\n", m.YAML_SYNTAX),
    Case(
        "control-char",
        "format: quiz-bank/1\nbank: {id: x, title: {zh: \x07}}  # <-\n",
        m.YAML_SYNTAX,
    ),
    Case("two-documents", "format: quiz-bank/1\n--- # <-\nformat: quiz-bank/1\n", m.YAML_SYNTAX),
    Case("empty", "", m.FILE_EMPTY),
    Case("only-comments", "# nothing here\n\n", m.FILE_EMPTY),
    Case("top-list", "- format: quiz-bank/1  # <-\n", m.TOP_NOT_MAPPING),
    Case("top-scalar", "quiz-bank/1  # <-\n", m.TOP_NOT_MAPPING),
    Case(
        "bad-format",
        HEAD.replace("format: quiz-bank/1", "format: quiz-bank/2  # <-") + QUESTION,
        m.BAD_FORMAT,
        {"value": "quiz-bank/2", "expected": "quiz-bank/1"},
    ),
    # -- keys
    Case(
        "missing-top-key",
        "format: quiz-bank/1  # <-\nbank: {id: b, title: {zh: 题}}\ncategories: []\n",
        m.MISSING_KEY,
        {"key": "questions"},
    ),
    Case(
        "unknown-top-key",
        HEAD + QUESTION + "author: 张三  # <-\n",
        m.UNKNOWN_KEY,
        {"key": "author"},
    ),
    Case(
        "duplicate-key",
        question(answer="answer: A\n    answer: B  # <-"),
        m.DUPLICATE_KEY,
        {"key": "answer", "first": 13},
    ),
    Case("complex-key", HEAD + QUESTION + "? [a, b]  # <-\n: c\n", m.KEY_NOT_NAME),
    Case(
        "missing-source",
        question(id="- id: q1  # <-", source="tags: [x]"),
        m.MISSING_KEY,
        {"key": "source"},
    ),
    Case("unknown-question-key", question(source="source: s\n    sauce: s  # <-"), m.UNKNOWN_KEY),
    Case(
        "missing-options",
        question(text="text: 问题  # <-", options="explanation: 无"),
        m.MISSING_KEY,
        {"key": "options"},
    ),
    # -- shapes
    Case("not-list", HEAD.replace("questions:", "questions: {q1: x}  # <-"), m.NOT_LIST),
    Case("tags-not-list", question(source="source: s\n    tags: x  # <-"), m.NOT_LIST),
    Case("not-mapping", HEAD + "  - just a question  # <-\n", m.NOT_MAPPING),
    Case(
        "block-not-mapping",
        question(options="options: {A: 甲, B: 乙}\n    mn: ᠠ  # <-"),
        m.NOT_MAPPING,
    ),
    Case("not-scalar", question(text="text: [问, 题]  # <-"), m.NOT_SCALAR, {"key": "text"}),
    Case("empty-text", question(text="text:  # <-"), m.EMPTY_TEXT, {"key": "text"}),
    Case("blank-text", question(text="text: '  '  # <-"), m.EMPTY_TEXT, {"key": "text"}),
    Case("empty-source", question(source="source: ''  # <-"), m.EMPTY_TEXT, {"key": "source"}),
    Case("reviewed-not-bool", question(text="text: 问题\n      reviewed: maybe  # <-"), m.NOT_BOOL),
    # -- ids and languages
    Case(
        "bad-slug",
        question(id="- id: LH 001  # <-"),
        m.BAD_SLUG,
        {"key": "id", "value": "LH 001", "max": 64},
    ),
    Case("slug-too-long", question(id="- id: " + "a" * 65 + "  # <-"), m.BAD_SLUG),
    Case("bad-bank-slug", HEAD.replace("id: demo", "id: -demo  # <-") + QUESTION, m.BAD_SLUG),
    Case(
        "duplicate-question",
        HEAD + QUESTION + QUESTION.replace("- id: q1", "- id: q1  # <-"),
        m.DUPLICATE_QUESTION,
        {"id": "q1", "first": 9},
    ),
    Case(
        "duplicate-category",
        HEAD.replace("questions:", "  - id: cat  # <-\n    name: {zh: 又}\nquestions:") + QUESTION,
        m.DUPLICATE_CATEGORY,
        {"id": "cat", "first": 6},
    ),
    Case(
        "unknown-category",
        question(category="category: space  # <-"),
        m.UNKNOWN_CATEGORY,
        {"category": "space"},
    ),
    Case(
        "unknown-language",
        question(text="text: 问题\n      options: {A: 甲, B: 乙}\n    en:  # <-\n      text: q"),
        m.UNKNOWN_LANGUAGE,
        {"code": "en", "allowed": "zh, mn"},
    ),
    Case(
        "unknown-title-language",
        HEAD.replace("{zh: 类别}", "{zh: 类别, zh-TW: 類別}  # <-"),
        m.UNKNOWN_LANGUAGE,
    ),
    Case(
        "no-language",
        HEAD
        + "  - {id: q1, kind: single, category: cat, difficulty: 1, answer: A, source: s}  # <-\n",
        m.NO_LANGUAGE,
    ),
    Case("empty-title", HEAD.replace("{zh: 类别}", "{}  # <-"), m.NO_LANGUAGE, {"key": "name"}),
    Case("duplicate-tag", question(source="source: s\n    tags: [a, b, a]  # <-"), m.DUPLICATE_TAG),
    # -- kind and difficulty
    Case("bad-kind", question(kind="kind: choice  # <-"), m.BAD_KIND, {"value": "choice"}),
    Case(
        "difficulty-4", question(difficulty="difficulty: 4  # <-"), m.BAD_DIFFICULTY, {"value": "4"}
    ),
    Case("difficulty-str", question(difficulty="difficulty: '2'  # <-"), m.BAD_DIFFICULTY),
    Case("difficulty-word", question(difficulty="difficulty: easy  # <-"), m.BAD_DIFFICULTY),
    # -- options
    Case("lower-key", question(options="options: {a: 甲, B: 乙}  # <-"), m.BAD_OPTION_KEY),
    Case("one-option", question(options="options: {A: 甲}  # <-"), m.OPTION_COUNT, {"count": 1}),
    Case("key-i", question(options="options: {A: 1, B: 2, I: 9}  # <-"), m.BAD_OPTION_KEY),
    Case(
        "gap",
        question(options="options: {A: 甲, B: 乙, D: 丁}  # <-"),
        m.OPTION_GAP,
        {"missing": "C"},
    ),
    Case(
        "empty-option",
        question(options="options: {A: 甲, B: }  # <-"),
        m.EMPTY_OPTION,
        {"key": "B"},
    ),
    Case(
        "options-differ",
        question(
            options="options: {A: 甲, B: 乙}\n"
            "    mn:\n"
            "      text: ᠠ\n"
            "      options: {A: ᠠ, B: ᠪ, C: ᠴ}  # <-"
        ),
        m.OPTIONS_DIFFER,
        {"language": "mn", "keys": "A, B, C", "other": "zh", "other_keys": "A, B"},
    ),
    Case(
        "truefalse-options",
        question(
            kind="kind: truefalse", answer="answer: true", options="options: {A: 甲, B: 乙}  # <-"
        ),
        m.TRUEFALSE_OPTIONS,
    ),
    # -- answers
    Case(
        "answer-not-option",
        question(answer="answer: C  # <-"),
        m.ANSWER_NOT_OPTION,
        {"key": "C", "keys": "A, B"},
    ),
    Case(
        "single-two", question(answer="answer: [A, B]  # <-"), m.SINGLE_ANSWER_COUNT, {"count": 2}
    ),
    Case("single-none", question(answer="answer:  # <-"), m.SINGLE_ANSWER_COUNT, {"count": 0}),
    Case(
        "multiple-none",
        question(kind="kind: multiple", answer="answer: []  # <-"),
        m.MULTIPLE_NO_ANSWER,
    ),
    Case(
        "answer-twice",
        question(kind="kind: multiple", answer="answer: [A, A]  # <-"),
        m.ANSWER_TWICE,
    ),
    Case("answer-mapping", question(answer="answer: {A: 1}  # <-"), m.BAD_ANSWER),
    Case(
        "truefalse-answer",
        question(kind="kind: truefalse", answer="answer: T  # <-", options="explanation: 无"),
        m.TRUEFALSE_ANSWER,
        {"value": "T"},
    ),
    # -- the science-literacy frame
    Case(
        "bad-benchmark",
        question(source="source: s\n    benchmark: B27  # <-"),
        m.BAD_BENCHMARK,
        {"value": "B27"},
    ),
    Case(
        "bad-literacy-part",
        question(source="source: s\n    benchmark: B11\n    part: physics  # <-"),
        m.BAD_LITERACY_PART,
        {"value": "physics"},
    ),
    Case(
        "part-without-benchmark",
        question(source="source: s\n    part: method  # <-"),
        m.PART_WITHOUT_BENCHMARK,
    ),
]


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(BankError) as raised:
        parse_bank(text, "bank.yaml")
    return raised.value.problems


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_problem_is_reported_at_its_line(case: Case) -> None:
    problems = problems_of(case.text)

    assert [(p.line, p.message) for p in problems] == [(case.line, case.message)], problems
    assert case.params.items() <= problems[0].params.items()
    assert problems[0].file == "bank.yaml"
    problems[0].formatted()  # every placeholder is filled


def test_every_message_has_a_case() -> None:
    covered = {case.message for case in CASES} | {m.NOT_UTF8}
    assert set(m.all_messages().values()) - covered == set()


def test_the_valid_templates_are_valid() -> None:
    assert parse_bank(HEAD + QUESTION).questions[0].id == "q1"
    assert parse_bank(question()).questions[0].answer == ("A",)


def test_not_utf8_reports_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes((HEAD.replace(", mn: ᠵᠢᠱᠢᠶ᠎ᠡ", "") + QUESTION).encode("gbk"))

    with pytest.raises(BankError) as raised:
        load_bank(path)

    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.message) == (str(path), 4, m.NOT_UTF8)
    assert problem.params == {"byte": "D1"}  # first byte of 演 in GBK


def test_problem_text_and_translation() -> None:
    problem = Problem("bank.yaml", 7, m.BAD_DIFFICULTY, {"value": "4"})
    assert str(problem) == "bank.yaml:7: difficulty must be 1, 2 or 3, not 4"
    assert problem.formatted() == "difficulty must be 1, 2 or 3, not 4"
    catalog = {m.BAD_DIFFICULTY: "难度必须是 1、2 或 3，而不是 %(value)s"}
    assert problem.formatted(lambda s: catalog.get(s, s)) == "难度必须是 1、2 或 3，而不是 4"
    assert str(Problem("bank.yaml", None, m.FILE_EMPTY, {})) == "bank.yaml: the file is empty"


def test_bank_error_lists_every_problem() -> None:
    error = BankError(
        [
            Problem("b.yaml", 3, m.MISSING_KEY, {"key": "source"}),
            Problem("b.yaml", 9, m.BAD_KIND, {"value": "x"}),
        ]
    )
    assert str(error) == (
        "2 problems in question bank:\n"
        "  b.yaml:3: missing key source\n"
        "  b.yaml:9: unknown kind x (allowed: single, multiple, truefalse, fill)"
    )
