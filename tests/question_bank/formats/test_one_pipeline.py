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


# -- rules the readers used to check themselves, each differently -----------------------
# Points were checked by the YAML reader (above 0, at most 1000), by the spreadsheet reader
# (the same, a copy) and by the numbered-text reader (any number: 0 and -3 went through);
# GIFT and Moodle XML checked difficulties, Aiken its option count and YAML a question
# without a language block, each with its own copy of the rule. Now the readers only
# read, and ``rules`` via the assembler decides, the same for every format.

TEXT = "1. 水的化学式是什么？\nA. H2O\nB. CO2\n答案：A\n分值：{points}\n"
CSV_POINTS = "题目,选项A,选项B,答案,分值\n问？,a,b,A,{points}\n"


def text_problems(points: str) -> list[tuple[object, str, dict[str, object]]]:
    result = read_bank(TEXT.format(points=points).encode(), "题库.txt")
    return [(p.line, p.message, p.params) for p in result.problems]


def csv_points(points: str) -> list[tuple[object, str, dict[str, object]]]:
    result = read_bank(CSV_POINTS.format(points=points).encode(), "bank.csv")
    return [(p.line, p.message, p.params) for p in result.problems]


def yaml_points(points: str) -> list[tuple[object, str, dict[str, object]]]:
    text = fill().replace("    source: 书\n", f"    source: 书\n    points: {points}\n", 1)
    result = read_bank(text.encode(), "bank.yaml")
    return [(p.line, p.message, p.params) for p in result.problems]


def test_points_of_zero_or_above_1000_are_refused_in_every_format() -> None:
    for bad in ("0", "-3", "1001"):
        expected = (m.BAD_POINTS, {"value": bad})
        assert [p[1:] for p in yaml_points(bad)] == [expected]
        assert [p[1:] for p in csv_points(bad)] == [expected]
        # numbered text took any number before: 0 and -3 made a question worth nothing
        assert text_problems(bad) == [(5, *expected)]


def test_points_that_are_no_number_are_named_as_written_in_every_format() -> None:
    assert yaml_points("'2'") == [(12, m.BAD_POINTS, {"value": "2"})]
    assert csv_points("两") == [(2, m.BAD_POINTS, {"value": "两"})]
    assert text_problems("两") == [(5, m.BAD_POINTS, {"value": "两"})]


def test_points_are_read_alike_in_sheets_and_numbered_text() -> None:
    # "２分" (full-width, with 分) was understood in numbered text only
    sheet = read_bank(CSV_POINTS.format(points="２分").encode(), "bank.csv")
    text = read_bank(TEXT.format(points="２分").encode(), "题库.txt")
    assert [q.points for q in sheet.questions] == [q.points for q in text.questions] == [2.0]


GIFT_DIFFICULTY = "// [difficulty:{value}]\n水的化学式是什么？{{=H2O ~CO2}}\n"
XML_DIFFICULTY = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>q</text></name>
    <questiontext format="plain_text"><text>水是液体吗？</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
    <quizbank><difficulty>{value}</difficulty></quizbank>
  </question>
</quiz>
"""


def test_a_bad_difficulty_is_one_rule_in_gift_and_moodle_xml_too() -> None:
    for value in ("5", "hard!"):
        expected = [(m.BAD_DIFFICULTY, {"value": value})]
        gift = read_bank(GIFT_DIFFICULTY.format(value=value).encode(), "q.gift")
        assert [(p.line, p.message, p.params) for p in gift.problems] == [(2, *expected[0])]
        assert [p[1:] for p in yaml_problems_with_params(difficulty=value)] == expected
        assert [p[1:] for p in csv_points_difficulty(value)] == expected
    xml = read_bank(XML_DIFFICULTY.format(value="5").encode(), "q.xml")
    assert [(p.message, p.params) for p in xml.problems] == [(m.BAD_DIFFICULTY, {"value": "5"})]


def yaml_problems_with_params(**values: str) -> list[tuple[object, str, dict[str, object]]]:
    result = read_bank(fill(**values).encode(), "bank.yaml")
    return [(p.line, p.message, p.params) for p in result.problems]


def csv_points_difficulty(value: str) -> list[tuple[object, str, dict[str, object]]]:
    data = f"题目,选项A,选项B,答案,难度\n问？,a,b,A,{value}\n".encode()
    return [(p.line, p.message, p.params) for p in read_bank(data, "bank.csv").problems]


def test_one_option_is_a_count_in_aiken_as_in_yaml() -> None:
    aiken = read_bank("水的化学式是什么？\nA. H2O\nANSWER: A\n".encode(), "q.txt")
    assert [(p.line, p.message, p.params) for p in aiken.problems] == [
        (3, m.OPTION_COUNT, {"count": 1})
    ]
    assert yaml_problems_with_params(options="{A: H2O}") == [(14, m.OPTION_COUNT, {"count": 1})]


def test_a_question_without_a_language_is_the_assemblers_rule_named_as_the_file_names_it() -> None:
    from question_bank.formats.base import Collector, ReadOptions
    from question_bank.formats.drafts import Assembler, Categories, Draft

    text = fill().replace(
        "    zh:\n      text: 水的化学式是什么？\n      options: {A: H2O, B: CO2}\n", "", 1
    )
    result = read_bank(text.encode(), "bank.yaml")
    assert [(p.line, p.message, p.params) for p in result.problems] == [
        (6, m.NO_LANGUAGE, {"key": "questions #1", "allowed": "zh, mn"})
    ]
    collector = Collector("any")
    assembler = Assembler(collector, Categories(), ReadOptions())
    assembler.build("any", [Draft(where=4, kind=None, versions={}, answer=None)])
    assert [(p.line, p.message, p.params) for p in collector.problems] == [
        (4, m.NO_LANGUAGE, {"key": "question", "allowed": "zh, mn"})
    ]


FILL_YAML = """\
format: quiz-bank/1
bank: {id: one, title: {zh: 一}}
categories:
  - {id: cat, name: {zh: 类}}
questions:
  - id: q1
    kind: fill
    category: cat
    difficulty: 1
    source: 书
    zh:
      text: 水是__
      blanks: [~, [液体, ~]]
"""


def test_an_empty_blank_is_dropped_alike_in_yaml_and_sheets() -> None:
    # YAML's ``~`` was read as the answer "~" when it stood alone (and as empty in a list)
    yaml = read_bank(FILL_YAML.encode(), "b.yaml")
    sheet = read_bank("题型,题目,答案\n填空,水是__,|液体\n".encode(), "b.csv")
    assert yaml.problems == sheet.problems == []
    blanks = [[v.blanks for v in q.versions.values()] for q in (*yaml.questions, *sheet.questions)]
    assert blanks == [[(("液体",),)], [(("液体",),)]]
