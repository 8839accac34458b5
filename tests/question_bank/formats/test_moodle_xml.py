"""Moodle XML: what is read, HTML to text, and files that must be refused."""

from __future__ import annotations

import pytest

from question_bank import Kind
from question_bank import messages as m
from question_bank.formats import ImportResult, read_bank, write_bank
from tests.factories import sample_bank


def xml(body: str) -> ImportResult:
    data = f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n'.encode()
    return read_bank(data, "bank.xml")


def multichoice(answers: str, single: str = "true", text: str = "<p>Q?</p>") -> str:
    return f"""<question type="multichoice">
<name><text>N</text></name>
<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>
<generalfeedback format="html"><text>&lt;b&gt;Because&lt;/b&gt; &amp; so</text></generalfeedback>
<single>{single}</single>
{answers}
</question>"""


def answer(fraction: str, text: str, fmt: str = "html") -> str:
    return f'<answer fraction="{fraction}" format="{fmt}"><text>{text}</text></answer>'


def test_single_choice_html_and_cdata_become_text() -> None:
    result = xml(
        multichoice(
            answer("0", "&lt;p&gt;x &amp;lt; y&lt;/p&gt;")
            + answer("100", "<![CDATA[<p>a<br>b</p>]]>")
            + answer("0", "x &lt; y", "plain_text")
        )
    )
    [question] = result.questions
    version = question.versions["zh"]
    assert version.text == "Q?"
    assert version.options == {"A": "x < y", "B": "a\nb", "C": "x < y"}
    assert version.explanation == "Because & so"
    assert question.kind is Kind.SINGLE and question.answer == ("B",)
    assert question.source == "bank.xml: N"


def test_scripts_and_styles_are_dropped() -> None:
    text = "<style>p{color:red}</style><p>Safe<script>alert(1)</script> text</p>"
    result = xml(multichoice(answer("100", "a") + answer("0", "b"), text=text))
    assert result.questions[0].versions["zh"].text == "Safe text"


def test_multiple_by_single_false() -> None:
    result = xml(
        multichoice(answer("50", "a") + answer("-100", "b") + answer("50", "c"), single="false")
    )
    [question] = result.questions
    assert question.kind is Kind.MULTIPLE and question.answer == ("A", "C")


def test_truefalse_and_category() -> None:
    result = xml(
        """<question type="category"><category><text>$course$/top/化学</text></category>
<idnumber>chem</idnumber></question>
<question type="truefalse"><name><text>T1</text></name>
<questiontext format="moodle_auto_format"><text>水是化合物。</text></questiontext>
<answer fraction="0"><text>true</text></answer>
<answer fraction="100"><text>false</text></answer>
<idnumber>chem-001</idnumber><tags><tag><text>水</text></tag></tags>
</question>"""
    )
    [question] = result.questions
    assert (question.id, question.kind, question.answer) == ("chem-001", Kind.TRUEFALSE, ("F",))
    assert question.category == "chem" and result.bank.categories[0].name == {"zh": "化学"}
    assert question.tags == ("水",)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (multichoice(answer("0", "a") + answer("0", "b")), 3, m.NO_CORRECT_OPTION),
        (multichoice(answer("100", "a") + answer("100", "b")), 3, m.SEVERAL_FULLY_CORRECT),
        (multichoice(answer("100", "a")), 3, m.OPTION_COUNT),
        (multichoice(answer("100", "a") + answer("0", "")), 3, m.EMPTY_OPTION),
        (multichoice(answer("abc", "a") + answer("0", "b")), 8, m.BAD_NUMBER),
        (multichoice(answer("100", "a") + answer("20.5", "b")), 8, m.BAD_WEIGHT),
        (
            multichoice(answer("0", "a") + answer("0", "b"), single="false"),
            3,
            m.NO_CORRECT_OPTION,
        ),
    ],
)
def test_problems_have_lines(body: str, line: int, message: str) -> None:
    result = xml(body)
    assert result.bank is None
    assert [(p.line, p.message) for p in result.problems] == [(line, message)]


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol9 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
]>
<quiz><question type="truefalse"><questiontext><text>&lol9;</text></questiontext>
</question></quiz>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><questiontext><text>&secret;</text></questiontext>
</question></quiz>
"""


@pytest.mark.parametrize("data", [ENTITY_BOMB, XXE], ids=["entity-bomb", "external-entity"])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    result = read_bank(data, "bomb.xml")
    assert result.format == "moodle-xml" or result.bank is None
    [problem] = result.problems
    assert (problem.line, problem.message) == (2, m.XML_FORBIDDEN)


def test_syntax_error_has_its_line() -> None:
    result = read_bank(b"<?xml version='1.0'?>\n<quiz>\n<question>\n</quiz>\n", "bad.xml")
    [problem] = result.problems
    assert (problem.line, problem.message) == (4, m.XML_SYNTAX)


def test_other_root_is_refused() -> None:
    result = read_bank(b"<?xml version='1.0'?>\n<html></html>", "page.xml")
    assert [(p.message, p.params) for p in result.problems] == [(m.XML_NOT_QUIZ, {"tag": "html"})]


def test_export_is_moodle_xml() -> None:
    text = write_bank(sample_bank(1), "moodle-xml").decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert '<question type="category">' in text
    assert "<text>$course$/top/life-health</text>" in text
    assert '<answer format="plain_text" fraction="50">' in text
    assert '<answer format="plain_text" fraction="-50">' in text
    assert "<single>false</single>" in text and "<single>true</single>" in text
