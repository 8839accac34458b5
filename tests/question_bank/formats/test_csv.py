"""CSV sheets: encodings from Excel (UTF-8, GBK), Chinese and Mongolian headers, errors."""

from __future__ import annotations

import pytest

from question_bank import Kind
from question_bank import messages as m
from question_bank.formats import ImportResult, read_bank
from question_bank.formats import mongolian as mg
from question_bank.formats.tabular import header_text

HEADER = "题型,题目,选项A,选项B,选项C,选项D,答案,分类,难度,解析"
ROWS = [
    "单选,接种疫苗的主要作用是什么？,治疗感染,产生免疫力,补充营养,代替抗生素,B,生命与健康,1,疫苗刺激免疫。",
    '多选,下列哪些属于营养素？,蛋白质,塑料,维生素,,"A,C",生命与健康,2,',
    "判断,地球绕太阳公转一周约需一年。,,,,,正确,地球与宇宙,易,",
]


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def read(data: bytes, **settings) -> ImportResult:
    return read_bank(data, "题库.csv", "auto", **settings)


def check_sample(result: ImportResult) -> None:
    assert result.problems == [], [str(p) for p in result.problems]
    single, multiple, truefalse = result.questions
    assert (single.kind, single.answer, single.difficulty) == (Kind.SINGLE, ("B",), 1)
    assert single.versions["zh"].options["B"] == "产生免疫力"
    assert single.versions["zh"].explanation == "疫苗刺激免疫。"
    assert (multiple.kind, multiple.answer, multiple.option_keys) == (
        Kind.MULTIPLE,
        ("A", "C"),
        ("A", "B", "C"),
    )
    assert (truefalse.kind, truefalse.answer) == (Kind.TRUEFALSE, ("T",))
    names = {c.id: c.name for c in result.bank.categories}
    assert names[single.category] == {"zh": "生命与健康"}
    assert names[truefalse.category] == {"zh": "地球与宇宙"}
    assert single.source == "题库.csv"


def test_utf8() -> None:
    result = read(csv_bytes([HEADER, *ROWS]))
    assert (result.format, result.encoding) == ("csv", "utf-8")
    check_sample(result)


def test_utf8_with_bom_as_excel_writes_csv_utf8() -> None:
    result = read(b"\xef\xbb\xbf" + csv_bytes([HEADER, *ROWS]))
    assert result.encoding == "utf-8-sig"
    check_sample(result)


def test_gbk_from_chinese_excel() -> None:
    data = csv_bytes([HEADER, *ROWS], "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read(data)
    assert result.encoding == "gb18030"
    check_sample(result)


def test_utf16_tab_separated_unicode_text() -> None:
    lines = [line.replace(",", "\t").replace('"A\tC"', "A,C") for line in [HEADER, *ROWS]]
    result = read_bank(("\r\n".join(lines)).encode("utf-16"), "题库.csv")
    assert result.encoding == "utf-16"
    check_sample(result)


def test_semicolons() -> None:
    lines = [line.replace(",", ";").replace('"A;C"', "AC") for line in [HEADER, *ROWS]]
    check_sample(read(csv_bytes(lines)))


def test_wrong_encoding_is_reported_with_its_line() -> None:
    data = "question,A,B,answer\nCafé?,oui,non,A\n".encode("cp1252")
    result = read_bank(data, "bank.csv")
    [problem] = result.problems
    assert (problem.line, problem.message) == (2, m.NOT_TEXT_ENCODING)
    assert problem.params == {"byte": "E9", "line": 2}
    assert result.bank is None


def test_mongolian_headers_and_text() -> None:
    header = ",".join(
        [
            mg.KIND,
            mg.QUESTION,
            f"{mg.OPTION} A",
            f"{mg.OPTION} B",
            mg.ANSWER,
            mg.DIFFICULTY,
            header_text("text", "mn", "zh"),
            header_text("option", "mn", "zh", "A"),
            header_text("option", "mn", "zh", "B"),
        ]
    )
    row = ",".join(
        [mg.SINGLE, mg.QUESTION + "?", mg.TRUE, mg.FALSE, "A", mg.HARD, "题目？", "对", "错"]
    )
    tf = ",".join([mg.TRUEFALSE, mg.QUESTION + "!", "", "", mg.FALSE, "", "", "", ""])
    result = read(csv_bytes([header, row, tf]))
    assert result.problems == []
    single, truefalse = result.questions
    assert set(single.versions) == {"mn", "zh"}
    assert single.versions["mn"].options == {"A": mg.TRUE, "B": mg.FALSE}
    assert single.versions["zh"].text == "题目？"
    assert single.difficulty == 3
    assert (truefalse.kind, truefalse.answer, list(truefalse.versions)) == (
        Kind.TRUEFALSE,
        ("F",),
        ["mn"],
    )


def test_english_headers_with_language_suffixes() -> None:
    header = (
        "id,kind,text (zh),text (mn),option A (zh),option B (zh),option A (mn),option B (mn),"
        "answer,source,tags,reviewed (mn)"
    )
    row = f'LH-9,single,题目,{mg.QUESTION},甲,乙,{mg.TRUE},{mg.FALSE},a,书,"x, y",no'
    [question] = read(csv_bytes([header, row])).questions
    assert question.id == "lh-9"  # ids are lower-cased
    assert question.tags == ("x", "y")
    assert question.source == "书"
    assert question.versions["mn"].options == {"A": mg.TRUE, "B": mg.FALSE}
    assert (question.versions["zh"].reviewed, question.versions["mn"].reviewed) == (True, False)


def test_kind_is_inferred_from_the_answer() -> None:
    header = "题目,选项A,选项B,选项C,答案"
    result = read(csv_bytes([header, "一？,a,b,c,AC", "二？,a,b,c,b", "三？,,,,错"]))
    assert [q.kind for q in result.questions] == [Kind.MULTIPLE, Kind.SINGLE, Kind.TRUEFALSE]
    assert [q.answer for q in result.questions] == [("A", "C"), ("B",), ("F",)]


def test_multiline_cells_keep_line_numbers() -> None:
    lines = [HEADER, '单选,"第一行\n第二行",a,b,,,A,,,', "单选,坏题,a,b,,,Z,,,"]
    result = read(csv_bytes(lines))
    [problem] = result.problems
    assert (problem.line, problem.message) == (4, m.ANSWER_NOT_OPTION)


def test_unsupported_kinds_are_named_and_skipped() -> None:
    # 填空题 was named as unsupported here until fill-in questions came (issue 12).
    result = read(
        csv_bytes(["题型,题目,答案", "填空题,水的化学式是____。,H2O", "简答,为什么？,因为", *[]])
    )
    assert result.ok and [q.kind for q in result.questions] == [Kind.FILL]
    assert result.questions[0].versions["zh"].blanks == (("H2O",),)
    assert [(n.kind, n.line) for n in result.unsupported] == [("essay", 3)]


def test_category_option_for_rows_without_one() -> None:
    result = read(csv_bytes(["题目,答案", "对吗？,对"]), category="安全")
    [category] = result.bank.categories
    assert category.name == {"zh": "安全"}
    assert result.questions[0].category == category.id


def test_default_category() -> None:
    result = read(csv_bytes(["题目,答案", "对吗？,对"]))
    assert [c.id for c in result.bank.categories] == ["uncategorized"]


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (["题目,选项A,选项B,答案", "问？,a,b,"], 2, m.NO_ANSWER),
        (["题目,选项A,选项B,答案", "问？,a,b,C"], 2, m.ANSWER_NOT_OPTION),
        (["题型,题目,选项A,选项B,答案", "单选,问？,a,b,AB"], 2, m.SINGLE_ANSWER_COUNT),
        (["题目,选项A,选项B,答案", "问？,a,b,?"], 2, m.BAD_ANSWER_VALUE),
        (["题目,选项A,选项C,答案", "问？,a,c,A"], 2, m.OPTION_GAP),
        (["题目,选项A,答案", "问？,a,A"], 2, m.OPTION_COUNT),
        (["题目,选项A,选项B,答案", ",a,b,A"], 2, m.EMPTY_TEXT),
        (["题型,题目,答案", "填图,问？,A"], 2, m.BAD_KIND),
        (["题目,答案,难度", "问？,对,5"], 2, m.BAD_DIFFICULTY),
        (["题型,题目,答案", "判断,问？,也许"], 2, m.TRUEFALSE_ANSWER),
        (["题目,答案", "问？,也许"], 2, m.BAD_ANSWER_VALUE),
        (["题目,答案,编号", "问？,对,第一题"], 2, m.BAD_SLUG),
        (["题目,答案,编号", "问？,对,a1", "再问？,错,a1"], 3, m.DUPLICATE_QUESTION),
        # (options 对/错 make a true/false question written with two options: issue 12)
        (["题型,题目,选项A,选项B,答案", "判断,问？,甲,乙,对"], 2, m.TRUEFALSE_OPTIONS),
        (["题目,选项A,选项B", "问？,a,b"], 1, m.MISSING_COLUMN),
        (["name,value", "a,b"], 1, m.NO_HEADER_ROW),
        (
            [
                "题目(中文),选项A(中文),选项B(中文),题目(蒙古文),选项A(蒙古文),选项B(蒙古文),"
                "选项C(蒙古文),答案",
                "问？,a,b,x,y,z,c,A",
            ],
            2,
            m.OPTIONS_DIFFER,
        ),
        (["题目,题干,答案", "问？,问？,对"], 1, m.DUPLICATE_COLUMN),
    ],
)
def test_problems_have_lines(lines: list[str], line: int, message: str) -> None:
    result = read(csv_bytes(lines))
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [(line, message)]


def test_unknown_columns_are_warned_about() -> None:
    result = read(csv_bytes(["序号x,题目,答案", "1,问？,对"]))
    assert result.ok
    assert [(w.line, w.message) for w in result.warnings] == [(1, m.UNKNOWN_COLUMN)]


def test_same_question_twice_in_a_file_is_noted() -> None:
    result = read(csv_bytes(["题目,答案", "问？,对", "问？,错"]))
    assert len(result.questions) == 2
    assert [(w.line, w.message, w.params) for w in result.warnings] == [
        (3, m.DUPLICATE_IN_FILE, {"first": 2})
    ]
