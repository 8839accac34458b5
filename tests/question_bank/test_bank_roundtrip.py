"""``dump_bank`` writes what ``parse_bank`` reads back, for any valid bank."""

from pathlib import Path

from hypothesis import given, settings

from question_bank import (
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Question,
    Version,
    dump_bank,
    load_bank,
    parse_bank,
)
from tests.question_bank.formats.strategies import banks  # the one "any bank" strategy

DATA = Path(__file__).parent / "data"


@settings(deadline=None, max_examples=200)
@given(banks())
def test_parse_of_dump_is_the_same_bank(bank: Bank) -> None:
    text = dump_bank(bank)
    assert parse_bank(text) == bank
    assert dump_bank(parse_bank(text)) == text


def test_hand_made_bank_round_trips() -> None:
    bank = Bank(
        id="hand-made",
        title={"zh": "手工题库", "mn": "ᠭᠠᠷ ᠤᠨ"},
        categories=(Category("001", {"zh": "数字编号的类别"}),),
        questions=(
            Question(
                id="yes",  # would read as a boolean if written bare
                kind=Kind.MULTIPLE,
                category="001",
                difficulty=3,
                answer=("B", "C"),
                option_keys=("A", "B", "C"),
                source="# not a comment: {really}",
                versions={
                    "zh": Version(
                        "第一行\n第二行", {"A": "null", "B": "1.0", "C": "- 列表?"}, None
                    ),
                    "mn": Version(
                        "ᠮᠣᠩᠭᠣᠯ\u202fᠤᠨ ᠰᠠᠷ\u180eᠠ",
                        {"A": "ᠠ\u180b", "B": "ᠪ", "C": "ᠴ"},
                        "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ",
                        reviewed=False,
                    ),
                },
                tags=("a, b", "true"),
            ),
            Question(
                id="tf",
                kind=Kind.TRUEFALSE,
                category="001",
                difficulty=1,
                answer=("F",),
                option_keys=TRUE_FALSE_KEYS,
                source="s",
                versions={"zh": Version("对吗？", dict(TRUE_FALSE_LABELS["zh"]), "不对。")},
            ),
        ),
    )
    text = dump_bank(bank)

    assert parse_bank(text) == bank
    assert "reviewed: false" in text
    assert "answer: false" in text


def test_good_fixture_round_trips() -> None:
    bank = load_bank(DATA / "good.yaml")
    assert parse_bank(dump_bank(bank)) == bank


def test_unusual_line_breaks_from_code_survive_a_dump_as_line_breaks() -> None:
    bank = parse_bank(dump_bank(load_bank(DATA / "good.yaml")))
    question = bank.questions[0]
    version = question.versions["zh"]
    odd = Version("一\u2028二\x85三\r\n四", version.options, version.explanation)
    changed = Bank(
        bank.id,
        bank.title,
        bank.categories,
        (Question(**{**vars(question), "versions": {"zh": odd}}),),
    )

    assert parse_bank(dump_bank(changed)).questions[0].versions["zh"].text == "一\n二\n三\n四"
