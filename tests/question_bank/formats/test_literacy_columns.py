"""Spreadsheets carry a question's benchmark and part: read from the ``benchmark`` and
``part`` columns (科学素质基准, 测评部分) and written by the export, the part only where
it differs from the benchmark's usual one."""

from __future__ import annotations

from dataclasses import replace

from question_bank.formats import read_bank
from question_bank.formats.tabular import header_text
from question_bank.formats.xlsx import write_xlsx
from tests.factories import sample_bank


def test_csv_columns_in_chinese_are_read() -> None:
    lines = [
        "编号,题型,答案,题目,选项A,选项B,科学素质基准,测评部分",
        "a-1,单选,A,冬季用煤炉取暖要注意什么？,开窗通风,关紧门窗,B20,",
        "a-2,单选,B,下列哪种说法正确？,甲,乙,b24,spirit",
        "a-3,单选,A,没有基准的题,甲,乙,,",
    ]
    result = read_bank("\n".join(lines).encode("utf-8"), "题库.csv")
    assert result.problems == []
    found = {q.id: (q.benchmark, q.literacy_part) for q in result.bank.questions}
    assert found == {
        "a-1": ("B20", "application"),
        "a-2": ("B24", "spirit"),
        "a-3": (None, None),
    }


def test_bad_benchmark_in_a_sheet_is_reported_at_its_cell() -> None:
    lines = ["id,kind,answer,text,option A,option B,benchmark", "a-1,single,A,Q?,x,y,B27"]
    result = read_bank("\n".join(lines).encode("utf-8"), "bank.csv")
    assert result.bank is None
    assert any("B27" in str(problem) for problem in result.problems)


def test_export_writes_benchmark_and_only_an_unusual_part_and_reads_them_back() -> None:
    bank = sample_bank(1)
    questions = list(bank.questions)
    questions[0] = replace(questions[0], benchmark="B07", literacy_part="spirit")
    questions[1] = replace(questions[1], benchmark="B24", literacy_part="method")
    bank = replace(bank, questions=tuple(questions))
    for header_language in ("zh", "mn", "en"):
        data = write_xlsx(bank, header_language)
        back = read_bank(data, "bank.xlsx")
        assert back.problems == [], header_language
        found = {q.id: (q.benchmark, q.literacy_part) for q in back.bank.questions}
        assert found[questions[0].id] == ("B07", "spirit")
        assert found[questions[1].id] == ("B24", "method")
        assert found[questions[2].id] == (None, None)
    assert header_text("benchmark", "zh") == "科学素质基准"
