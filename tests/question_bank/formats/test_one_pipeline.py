"""Every format, YAML included, goes through one checker: the same mistake gets the same
message, wherever it was written (issue 15, item 7)."""

from __future__ import annotations

from question_bank import messages as m
from question_bank.formats import read_bank

YAML = """\
format: quiz-bank/1
bank: {id: one, title: {zh: 一}}
categories:
  - {id: cat, name: {zh: 类}}
questions:
  - id: q1
    kind: single
    category: cat
    difficulty: @difficulty@
    answer: @answer@
    source: 书
    zh:
      text: 水的化学式是什么？
      options: @options@
  - id: q2
    kind: single
    category: cat
    difficulty: 1
    answer: A
    source: 书
    zh:
      text: 水的化学式是什么？
      options: {A: H2O, B: CO2}
"""

CSV = "题目,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,选项I,答案,难度\n{row}\n"


def fill(**values: str) -> str:
    text = YAML
    defaults = {"difficulty": "1", "answer": "A", "options": "{A: H2O, B: CO2}"}
    for name, value in (defaults | values).items():
        text = text.replace(f"@{name}@", value)
    return text


def yaml_problems(**values: str) -> list[tuple[object, str]]:
    text = fill(**values)
    result = read_bank(text.encode(), "bank.yaml")
    return [(p.line, p.message) for p in result.problems]


def csv_problems(row: str) -> list[tuple[object, str]]:
    result = read_bank(CSV.format(row=row).encode(), "bank.csv")
    return [(p.line, p.message) for p in result.problems]


def test_a_bad_difficulty_gets_one_message_in_yaml_and_csv() -> None:
    assert yaml_problems(difficulty="5") == [(9, m.BAD_DIFFICULTY)]
    assert csv_problems("问？,a,b,,,,,,,,A,5") == [(2, m.BAD_DIFFICULTY)]


def test_an_answer_that_is_no_option_gets_one_message_in_yaml_and_csv() -> None:
    assert yaml_problems(answer="C") == [(10, m.ANSWER_NOT_OPTION)]
    assert csv_problems("问？,a,b,,,,,,,,C,1") == [(2, m.ANSWER_NOT_OPTION)]


def test_too_many_options_is_a_count_in_every_format() -> None:
    nine = "{A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, I: 9}"
    assert yaml_problems(options=nine) == [(14, m.OPTION_COUNT)]
    gift = b"Q?{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}"
    assert [p.message for p in read_bank(gift, "q.gift").problems] == [m.OPTION_COUNT]


def test_yaml_gets_the_warnings_of_every_format() -> None:
    result = read_bank(fill().encode(), "b.yaml")
    assert result.problems == []
    assert [(n.line, n.message, n.params) for n in result.warnings] == [
        (15, m.DUPLICATE_IN_FILE, {"first": 6})
    ]
