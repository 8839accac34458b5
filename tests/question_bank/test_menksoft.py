"""Menksoft private-use Mongolian is converted to Unicode Mongolian (issue 12, item 6).

The pairs are the word tests of the CC0 converter suragch/mongol_code (test/
menkuni_words_test.dart and menkuni_general_test.dart; see NOTICE), with one
adjustment: the Menksoft suffix space (U+E263) becomes NNBSP (U+202F), the suffix
connector of GB/T 25914-2023 and of this platform's texts.
"""

from __future__ import annotations

import pytest

from question_bank import Kind
from question_bank import messages as m
from question_bank.formats import read_bank
from question_bank.menksoft import has_menksoft, to_unicode

WORDS = {
    "bichig": ("\ue2c1\ue27f\ue317\ue27e\ue2e8", "\u182a\u1822\u1834\u1822\u182d"),
    "egchi": ("\ue271\ue2f0\ue317\ue273", "\u1821\u182d\u1834\u1821"),
    "mongge": ("\ue2f2\ue29c\ue2bd\ue2eb\ue275", "\u182e\u1825\u1829\u182d\u1821"),
    "mongol": ("\ue2f2\ue289\ue2bc\ue2ec\ue289\ue2f9", "\u182e\u1823\u1829\u182d\u1823\u182f"),
    "ilbigchi": (
        "\ue27a\ue2fb\ue2c5\ue27f\ue2f0\ue317\ue27b",
        "\u1822\u182f\u182a\u1822\u182d\u1834\u1822",
    ),
    "sigsiglequ": (
        "\ue2fd\ue27e\ue2eb\ue301\ue27e\ue2eb\ue2fc\ue276\ue2dd\ue2a7",
        "\u1830\u1822\u182d\u1830\u1822\u182d\u182f\u1821\u182c\u1826",
    ),
    "greg": ("\ue2e3\ue327\ue2b0\ue2e8", "\u182d\u1837\u1827\u182d"),
    "kart": ("\ue333\ue26d\ue326\ue30a", "\u183a\u1820\u1837\u1832"),
    "chingalaqu": (
        "\ue315\ue27e\ue2bc\ue2ea\ue26c\ue2fa\ue26c\ue2dc\ue28d",
        "\u1834\u1822\u1829\u182d\u1820\u182f\u1820\u182c\u1824",
    ),
    "baigulqu": (
        "\ue2c1\ue26d\ue321\ue27e\ue2ec\ue291\ue2fa\ue2dc\ue28d",
        "\u182a\u1820\u1822\u182d\u1824\u182f\u182c\u1824",
    ),
    "qoina": ("\ue2d2\ue289\ue321\ue27e\ue2b6\ue26a", "\u182c\u1823\u1822\u1828\u180e\u1820"),
    "naija": ("\ue2b1\ue26c\ue281\ue31d\ue268", "\u1828\u1820\u1822\u1835\u1820"),
    "naija-ya": ("\ue2b1\ue26c\ue321\ue27e\ue31d\ue268", "\u1828\u1820\u1822\u1835\u1820"),
    "bayina": ("\ue2c1\ue26d\ue321\ue27e\ue2b6\ue26a", "\u182a\u1820\u1822\u1828\u180e\u1820"),
    "baiina": ("\ue2c1\ue26d\ue27e\ue27e\ue2b6\ue26a", "\u182a\u1820\u1822\u1828\u180e\u1820"),
    "saihan": (
        "\ue2fd\ue26c\ue321\ue27e\ue2d8\ue26c\ue2b5",
        "\u1830\u1820\u1822\u182c\u1820\u1828",
    ),
    "neigemlig": (
        "\ue2b1\ue276\ue321\ue27e\ue2eb\ue277\ue2f5\ue2fa\ue27e\ue2e8",
        "\u1828\u1821\u1822\u182d\u1821\u182e\u182f\u1822\u182d",
    ),
    "uiledburi du": (
        "\ue2a2\ue27e\ue2fa\ue276\ue314\ue2c6\ue2ac\ue327\ue27b\ue263\ue310\ue2a3",
        "\u1826\u1822\u182f\u1821\u1833\u182a\u1826\u1837\u1822\u202f\u1833\u1826",
    ),
    "lhagba luga": (
        "\ue34b\ue26c\ue2ee\ue2c5\ue26b\ue263\ue2f8\ue291\ue2e9\ue26a",
        "\u1840\u1820\u182d\u182a\u1820\u202f\u182f\u1824\u182d\u180e\u1820",
    ),
    "egesig inu": (
        "\ue271\ue2eb\ue277\ue301\ue27e\ue2e8\ue263\ue27a\ue2b9\ue2a3",
        "\u1821\u182d\u1821\u1830\u1822\u182d\u202f\u1822\u1828\u1826",
    ),
    "tsement taigan": (
        "\ue33f\ue2b0\ue2f4\ue2b0\ue2ba\ue30a\ue263\ue308\ue26c\ue321\ue27e\ue2ea\ue26c\ue2b5",
        "\u183c\u1827\u182e\u1827\u1828\u1832\u202f\u1832\u1820\u1822\u182d\u1820\u1828",
    ),
}


@pytest.mark.parametrize("name", sorted(WORDS))
def test_word_pairs_of_the_reference_converter(name: str) -> None:
    menksoft, unicode = WORDS[name]
    assert has_menksoft(menksoft)
    assert to_unicode(menksoft) == unicode


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890",
        "!@#$%^&*()-=_+`~;:'\" ,./<>?",
        "中文",
        "\U0001f604\U0001f590\U0001f3fc",
        "ᠮᠤᠩᠭᠤᠯ",  # Unicode Mongolian stays as it is
    ],
)
def test_text_without_menksoft_is_unchanged(text: str) -> None:
    assert not has_menksoft(text)
    assert to_unicode(text) == text


def test_menksoft_digits_and_punctuation() -> None:
    assert to_unicode("\ue245\ue246\ue237") == "\u1811\u1812\u1803"


def test_an_imported_sheet_in_menksoft_is_converted_and_counted() -> None:
    mongol, mongge = WORDS["mongol"][0], WORDS["mongge"][0]
    csv = f"题目,选项A,选项B,答案,分类\n{mongol}?,{mongge},{mongol},A,{mongge}\n".encode()
    result = read_bank(csv, "menksoft.csv")
    assert result.problems == []
    [question] = result.questions
    version = question.versions["mn"]  # Mongolian script once converted
    assert version.text == WORDS["mongol"][1] + "?"
    assert version.options == {"A": WORDS["mongge"][1], "B": WORDS["mongol"][1]}
    assert question.kind is Kind.SINGLE
    assert result.converted == 4  # text, two options, the category
    assert result.warnings[0].message == m.MENKSOFT_CONVERTED
    assert result.warnings[0].params == {"count": 4}
    [category] = result.bank.categories
    assert category.name == {"mn": WORDS["mongge"][1]}
