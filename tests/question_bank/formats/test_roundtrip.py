"""import(export(bank)) gives the same bank, for every format that can be written.

YAML and XLSX carry everything. GIFT and Moodle XML carry one language per question (the
export language, or the question's first language when it lacks that one) and one name
per category, and no bank id or title (the importer supplies them): for those, the bank
is compared with what the format can carry (``one_language``). XML 1.0 and XLSX cells
cannot hold C0 control characters, so their banks are drawn without them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from question_bank import Bank, Category
from question_bank.formats import FORMATS, read_bank, write_bank
from question_bank.formats.gift import export_language
from tests.factories import sample_bank
from tests.question_bank.formats.strategies import banks


def one_language(bank: Bank, language: str) -> Bank:
    """What GIFT and Moodle XML keep of a bank exported in ``language``."""
    questions = []
    for question in bank.questions:
        kept = export_language(question.languages, language)
        questions.append(replace(question, versions={kept: question.versions[kept]}))
    categories = []
    for category in bank.categories:
        kept = export_language(list(category.name), language)
        categories.append(Category(category.id, {kept: category.name[kept]}))
    return replace(bank, categories=tuple(categories), questions=tuple(questions))


def round_trip(bank: Bank, fmt: str, language: str = "zh") -> Bank:
    data = write_bank(bank, fmt, language=language)
    result = read_bank(
        data, f"bank{FORMATS[fmt].suffix}", "auto", bank_id=bank.id, bank_title=bank.title
    )
    assert result.format == fmt
    assert result.problems == [], [str(problem) for problem in result.problems]
    assert result.unsupported == []
    assert result.bank is not None
    return result.bank


def expected(bank: Bank, fmt: str, language: str = "zh") -> Bank:
    return bank if FORMATS[fmt].languages == "all" else one_language(bank, language)


@settings(deadline=None, max_examples=150)
@given(banks(media=True, points=True))
def test_yaml_round_trip(bank: Bank) -> None:
    assert round_trip(bank, "yaml") == bank


def _no_arrow(text: str) -> bool:
    return "->" not in text  # GIFT reads a short answer holding "->" as a matching pair


@settings(deadline=None, max_examples=150)
@given(banks(max_blanks=1, text_filter=_no_arrow))
def test_gift_round_trip(bank: Bank) -> None:
    assert round_trip(bank, "gift") == one_language(bank, "zh")
    assert round_trip(bank, "gift", "mn") == one_language(bank, "mn")


@settings(deadline=None, max_examples=150)
@given(banks(xml_safe=True, max_blanks=1))
def test_moodle_xml_round_trip(bank: Bank) -> None:
    assert round_trip(bank, "moodle-xml") == one_language(bank, "zh")
    assert round_trip(bank, "moodle-xml", "mn") == one_language(bank, "mn")


@settings(deadline=None, max_examples=60)
@given(banks(xml_safe=True, points=True))
def test_xlsx_round_trip(bank: Bank) -> None:
    assert round_trip(bank, "xlsx") == bank


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "gift", "moodle-xml"])
@pytest.mark.parametrize("language", ["zh", "mn"])
def test_sample_bank_round_trips(fmt: str, language: str) -> None:
    bank = sample_bank(2)
    assert round_trip(bank, fmt, language) == expected(bank, fmt, language)


@pytest.mark.parametrize("header_language", ["zh", "mn", "en"])
def test_xlsx_round_trips_with_headers_in_each_language(header_language: str) -> None:
    bank = sample_bank(1)
    data = write_bank(bank, "xlsx", header_language=header_language)
    assert read_bank(data, "bank.xlsx").bank == bank
