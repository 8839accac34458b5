"""``dump_bank`` writes what ``parse_bank`` reads back, for any valid bank."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Question,
    Version,
    dump_bank,
    load_bank,
    normalize,
    parse_bank,
)

DATA = Path(__file__).parent / "data"

# Characters that trip naive text handling: Mongolian letters, FVS1-4, MVS, NNBSP,
# ZWJ/ZWNJ, YAML indicators, quotes, line breaks and Unicode line separators.
TRICKY = list(
    "ᠠᠣᠤᠥᠦᠲᠳᠭᠬ\u180b\u180c\u180d\u180e\u180f\u202f\u200c\u200d"
    "#:-?[]{},&*!|>'\"%@`\n\t \u2028\u0085\u00a0\ufeff中文《》：，"
)
characters = st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY))
texts = st.text(characters, min_size=1, max_size=24).map(normalize).filter(bool)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def language_maps(draw: st.DrawFn) -> dict[str, str]:
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
    return {language: draw(texts) for language in LANGUAGES if language in languages}


@st.composite
def questions(draw: st.DrawFn, question_id: str, category_ids: list[str]) -> Question:
    kind = draw(st.sampled_from(Kind))
    if kind is Kind.TRUEFALSE:
        option_keys = TRUE_FALSE_KEYS
        answer: tuple[str, ...] = (draw(st.sampled_from(TRUE_FALSE_KEYS)),)
    else:
        option_keys = OPTION_KEYS[: draw(st.integers(2, len(OPTION_KEYS)))]
        if kind is Kind.SINGLE:
            answer = (draw(st.sampled_from(option_keys)),)
        else:
            chosen = draw(st.sets(st.sampled_from(option_keys), min_size=1))
            answer = tuple(key for key in option_keys if key in chosen)
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
    versions = {}
    for language in LANGUAGES:
        if language not in languages:
            continue
        if kind is Kind.TRUEFALSE:
            options = dict(TRUE_FALSE_LABELS[language])
        else:
            options = {key: draw(texts) for key in option_keys}
        versions[language] = Version(
            text=draw(texts),
            options=options,
            explanation=draw(st.none() | texts),
            reviewed=draw(st.booleans()),
        )
    return Question(
        id=question_id,
        kind=kind,
        category=draw(st.sampled_from(category_ids)),
        difficulty=draw(st.integers(1, 3)),
        answer=answer,
        option_keys=option_keys,
        source=draw(texts),
        versions=versions,
        tags=tuple(draw(st.lists(texts, max_size=3, unique=True))),
    )


@st.composite
def banks(draw: st.DrawFn) -> Bank:
    category_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    question_ids = draw(st.lists(slugs, max_size=4, unique=True))
    return Bank(
        id=draw(slugs),
        title=draw(language_maps()),
        categories=tuple(Category(cid, draw(language_maps())) for cid in category_ids),
        questions=tuple(draw(questions(qid, category_ids)) for qid in question_ids),
    )


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
