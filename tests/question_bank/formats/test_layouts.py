"""The layouts organizers keep (issue 12, items 1-5), read by the library."""

from __future__ import annotations

import pytest

from question_bank import Kind, fill_results
from question_bank import messages as m
from question_bank.formats import detect_format, read_bank
from question_bank.formats.templates import TEMPLATE_FORMATS, template
from tests.question_bank.formats.layouts import (
    GIF,
    PNG,
    SHEETS,
    numbered_csv,
    numbered_docx,
    numbered_text,
    sheets_xls,
    sheets_xlsx,
    zip_with_pictures,
)

NUMBERED_KINDS = [
    Kind.SINGLE,
    Kind.SINGLE,
    Kind.MULTIPLE,
    Kind.TRUEFALSE,
    Kind.TRUEFALSE,
    Kind.FILL,
]
NUMBERED_ANSWERS = [("B",), ("B",), ("A", "C"), ("F",), ("F",), ()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_numbered_text_in_every_encoding(encoding: str) -> None:
    result = read_bank(numbered_text(encoding), "题库.txt")
    assert result.format == "text" and result.problems == []
    assert [q.kind for q in result.questions] == NUMBERED_KINDS
    assert [q.answer for q in result.questions] == NUMBERED_ANSWERS
    first = result.questions[0]
    assert first.versions["zh"].text == "下面哪种能源属于可再生能源？"
    assert first.versions["zh"].options == {"A": "煤炭", "B": "太阳能", "C": "石油", "D": "天然气"}
    assert first.versions["zh"].explanation == "太阳能取之不尽。"
    assert first.difficulty == 1
    assert result.bank.categories[0].name == {"zh": "能源与环境"}
    assert result.questions[-1].versions["zh"].blanks == (("氧气", "O2"),)


def test_numbered_text_is_told_apart_from_aiken_and_gift_by_content() -> None:
    data = numbered_text()
    for name in ("题库.txt", "bank", "questions.aiken"):
        assert read_bank(data, name).format in {"text", "aiken"}
    assert detect_format(data, "x.txt") == "text"
    assert detect_format(data, "") == "text"
    assert detect_format(b"Q?\nA) a\nB) b\nANSWER: A\n", "x.txt") == "aiken"
    assert detect_format(b"::a::Q?{T}\n", "x.txt") == "gift"


def test_word_document_with_pictures() -> None:
    result = read_bank(numbered_docx(), "题库.docx")
    assert result.format == "docx" and result.problems == []
    assert [q.kind for q in result.questions] == NUMBERED_KINDS
    first, second = result.questions[:2]
    [picture] = first.media
    assert (picture.mime, picture.data, picture.alt) == ("image/png", PNG, "太阳能电池板")
    assert "太阳能电池板" not in first.versions["zh"].text  # alt text stays the picture's
    assert second.versions["zh"].options == {"A": "心脏", "B": "皮肤", "C": "肝脏"}
    assert [m.data for m in second.option_media["C"]] == [GIF]


def test_a_word_document_with_an_svg_is_refused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    from tests.question_bank.formats import layouts

    data = layouts.numbered_docx()
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("word/media/") and body.startswith(b"\x89PNG"):
                body = svg
            dst.writestr(info, body)
    result = read_bank(out.getvalue(), "svg.docx")
    assert [p.message for p in result.problems] == [m.MEDIA_SVG]
    assert result.bank is None


@pytest.mark.parametrize(("name", "data"), [("题库.xlsx", sheets_xlsx), ("题库.xls", sheets_xls)])
def test_one_sheet_per_kind_every_sheet_read(name: str, data) -> None:
    sheets = {title: rows for title, rows in SHEETS.items()}
    sheets["单选题"] = [[*row[:-1], ""] for row in sheets["单选题"]]  # no picture here
    sheets["备注"] = sheets.pop("说明")
    result = read_bank(data(sheets), name)
    assert result.problems == [], [str(p) for p in result.problems]
    kinds = [q.kind for q in result.questions]
    assert kinds == [
        Kind.SINGLE,
        Kind.SINGLE,
        Kind.MULTIPLE,
        Kind.MULTIPLE,
        Kind.TRUEFALSE,
        Kind.TRUEFALSE,
        Kind.FILL,
    ]
    assert [q.answer for q in result.questions][:6] == [
        ("B",),
        ("B",),
        ("A", "C"),
        ("A", "C"),
        ("F",),
        ("T",),
    ]
    # 知识点 wins over 学科 for the category; 学科 alone when 知识点 is empty.
    names = {c.id: c.name["zh"] for c in result.bank.categories}
    assert [names[q.category] for q in result.questions] == [
        "物质",
        "天文",
        "物质",
        "生物",
        "生物",
        "物理",
        "地理",
    ]
    assert [q.points for q in result.questions] == [2, 2, 3, 3, 1, 1, 1]
    assert [q.difficulty for q in result.questions] == [1, 1, 2, 3, 1, 1, 1]
    # 序号 1..n on every sheet is no id: no clash, ids from the text.
    assert len({q.id for q in result.questions}) == 7
    assert [(w.line, w.message) for w in result.warnings] == [("备注!A1", m.SHEET_SKIPPED)]


def test_a_questions_sheet_named_like_the_bank_sheet_is_read() -> None:
    result = read_bank(sheets_xlsx({"题库": SHEETS["判断题"]}), "题库.xlsx")
    assert result.problems == [] and len(result.questions) == 2


def test_zip_of_a_sheet_and_its_pictures() -> None:
    result = read_bank(zip_with_pictures(), "upload.zip")
    assert result.format == "zip" and result.problems == []
    sun = next(q for q in result.questions if q.media)
    assert sun.versions["zh"].text == "下列哪个是恒星？" and sun.media[0].data == PNG
    missing = read_bank(zip_with_pictures({}), "upload.zip")
    assert [(p.line, p.message) for p in missing.problems] == [("单选题!N3", m.MEDIA_MISSING)]
    wrong = read_bank(zip_with_pictures({"sun.png": b"not a picture"}), "upload.zip")
    assert [p.message for p in wrong.problems] == [m.MEDIA_TYPE]
    big = read_bank(zip_with_pictures({"sun.png": PNG + b"\0" * (2 * 1024 * 1024)}), "u.zip")
    assert [p.message for p in big.problems] == [m.MEDIA_TOO_LARGE]


def test_a_picture_address_is_named_not_fetched() -> None:
    data = "题目,选项A,选项B,答案,图片URL\n看图选择,甲,乙,A,https://example.org/x.png\n"
    result = read_bank(data.encode(), "u.csv")
    assert result.problems == []
    [picture] = result.questions[0].media
    assert picture.url == "https://example.org/x.png" and picture.data is None
    assert [w.message for w in result.warnings] == [m.MEDIA_NOT_FETCHED]


@pytest.mark.parametrize(
    ("kind", "answer", "options", "expected_kind", "expected"),
    [
        ("单选", "Ｂ", "甲,乙,丙", Kind.SINGLE, ("B",)),
        ("选择题", "B", "甲,乙,丙", Kind.SINGLE, ("B",)),
        ("选择题", "A、C", "甲,乙,丙", Kind.MULTIPLE, ("A", "C")),
        ("不定项选择题", "C", "甲,乙,丙", Kind.MULTIPLE, ("C",)),
        ("choice", "ABC", "甲,乙,丙", Kind.MULTIPLE, ("A", "B", "C")),
        ("多选", "A B C", "甲,乙,丙", Kind.MULTIPLE, ("A", "B", "C")),
        ("多选", "Ａ，Ｃ", "甲,乙,丙", Kind.MULTIPLE, ("A", "C")),
        ("多选", "A,B,C", "甲,乙,丙", Kind.MULTIPLE, ("A", "B", "C")),
        ("单选", "丙", "甲,乙,丙", Kind.SINGLE, ("C",)),
        ("判断", "√", ",,", Kind.TRUEFALSE, ("T",)),
        ("judge", "×", ",,", Kind.TRUEFALSE, ("F",)),
        ("判断题", "T", ",,", Kind.TRUEFALSE, ("T",)),
        ("truefalse", "错误", ",,", Kind.TRUEFALSE, ("F",)),
        ("判断", "B", "正确,错误,", Kind.TRUEFALSE, ("F",)),
        ("", "对", ",,", Kind.TRUEFALSE, ("T",)),
    ],
)
def test_kinds_and_answers_in_every_spelling(kind, answer, options, expected_kind, expected):
    data = f'题型,题目,选项A,选项B,选项C,答案\n{kind},问题？,{options},"{answer}"\n'
    result = read_bank(data.encode(), "u.csv")
    assert result.problems == [], [str(p) for p in result.problems]
    [question] = result.questions
    assert (question.kind, question.answer) == (expected_kind, expected)


def test_a_bad_kind_names_the_accepted_ones() -> None:
    result = read_bank("题型,题目,答案\n连连看,问？,A\n".encode(), "u.csv")
    [problem] = result.problems
    assert problem.message == m.BAD_KIND and "fill" in problem.formatted()


def test_two_files_numbered_1_to_n_get_different_ids() -> None:
    first = read_bank(numbered_csv(1, ["甲题？", "乙题？"]), "a.csv")
    second = read_bank(numbered_csv(1, ["丙题？", "丁题？"]), "b.csv")
    ids = [q.id for q in first.questions + second.questions]
    assert len(set(ids)) == 4 and not any(i in {"1", "2"} for i in ids)


def test_real_ids_in_an_id_column_are_kept() -> None:
    data = "编号,题目,选项A,选项B,答案\nq-7,甲题？,a,b,A\nq-9,乙题？,a,b,B\n".encode()
    assert [q.id for q in read_bank(data, "a.csv").questions] == ["q-7", "q-9"]


def test_fill_in_answers_are_compared_after_normalisation() -> None:
    data = "题型,题目,答案\n填空,____和____是氢的同位素,氘/重氢|氚\n".encode()
    [question] = read_bank(data, "u.csv").questions
    assert question.versions["zh"].blanks == (("氘", "重氢"), ("氚",))
    assert question.fill_results("zh", ["重氢。", " 氚 "]) == (True, True)
    assert fill_results((("H2O",),), ["Ｈ２Ｏ"], "zh") == (True,)
    assert fill_results((("h2o",),), ["H2O!"], "zh") == (True,)
    assert fill_results((("H2O",),), ["CO2"], "zh") == (False,)
    assert fill_results((("H2O",),), [""], "zh") == (False,)


def test_mongolian_fill_keys_keep_nnbsp_and_the_stored_text() -> None:
    from question_bank import fill_key

    word = "\u182e\u1823\u1829\u182d\u1823\u182f\u202f\u1824\u1828"  # mongγol-un
    assert fill_key(word, "mn") == word  # NFKC would have made U+202F a space
    assert fill_key(word.replace("\u202f", " "), "mn") != fill_key(word, "mn")
    assert fill_key("\u182e\u180b\u1823", "mn") == fill_key("\u182e\u1823", "mn")  # FVS


@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
@pytest.mark.parametrize("language", ["zh", "mn", "en"])
def test_templates_read_back_as_their_examples(fmt: str, language: str) -> None:
    result = read_bank(template(fmt, language), "template" + {"text": ".txt"}.get(fmt, "." + fmt))
    assert result.problems == [] and result.warnings == []
    kinds = [q.kind for q in result.questions]
    assert kinds[:3] == [Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE]
    assert fmt == "xlsx" or kinds[3] is Kind.FILL


def test_gift_and_aiken_saved_as_gbk_are_read() -> None:
    gift = read_bank("::a::地球是圆的吗？{T}\n".encode("gbk"), "a.gift")
    assert gift.problems == [] and gift.encoding == "gb18030"
    aiken = read_bank("地球是？\nA. 圆的\nB. 方的\nANSWER: A\n".encode("gbk"), "a.aiken.txt")
    assert aiken.problems == [] and aiken.questions[0].versions["zh"].options["A"] == "圆的"


def test_moodle_xml_carries_pictures_with_their_alt_text() -> None:
    from question_bank import Bank, Category, Media, Question, Version
    from question_bank.formats import write_bank

    bank = Bank(
        "b",
        {"zh": "题库"},
        (Category("c", {"zh": "电学"}),),
        (
            Question(
                "q",
                Kind.SINGLE,
                "c",
                1,
                ("A",),
                ("A", "B"),
                "书",
                {"zh": Version("看图：哪个是电阻？", {"A": "甲", "B": "乙"}, None)},
                media=(Media(data=PNG, mime="image/png", alt="电路图"),),
                option_media={"B": (Media(data=GIF, mime="image/gif", alt="乙图"),)},
            ),
        ),
    )
    data = write_bank(bank, "moodle-xml")
    assert b"@@PLUGINFILE@@" in data and b'encoding="base64"' in data
    result = read_bank(data, "b.xml", bank_id="b", bank_title={"zh": "题库"})
    assert result.problems == [] and result.bank == bank
    assert result.questions[0].versions["zh"].text == "看图：哪个是电阻？"  # no alt text in it


@pytest.mark.parametrize("fmt", ["text", "aiken", "gift"])
@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\x1e", "\x85", "\u2028"])
def test_problem_lines_count_only_the_line_breaks_an_editor_counts(fmt: str, separator: str):
    """A form feed, a record separator, NEL or U+2028 inside a line does not start a new
    one (``str.splitlines`` would say so, and the problem's line would be off)."""
    body = {
        "text": f"1. water{separator}boils\nA. yes\nB. no\nANSWER: C\n",
        "aiken": f"Water{separator}boils?\nA. yes\nB. no\nANSWER: C\n",
        "gift": f"::q1:: Water{separator}boils? {{\n=yes\n~no\n}}\n\n::q2:: x {{=a ~b\n",
    }[fmt]
    result = read_bank(body.encode("utf-8"), f"bank.{'txt' if fmt != 'gift' else 'gift'}", fmt)
    assert result.problems
    assert all(p.line in (4, 6) for p in result.problems if isinstance(p.line, int)), [
        (p.line, p.formatted()) for p in result.problems
    ]
