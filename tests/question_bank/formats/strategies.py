"""Hypothesis strategies for banks, with the characters a format can carry."""

from __future__ import annotations

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
    normalize,
)

# Characters that trip naive handling: Mongolian letters and their controls (FVS, MVS,
# NNBSP, ZWJ/ZWNJ), GIFT's control characters and escapes, XML and HTML specials, YAML
# indicators, CSV separators, spreadsheet formula starters, line breaks and separators.
TRICKY = list(
    "ᠠᠣᠤᠥᠦᠲᠳᠭᠬ\u180b\u180c\u180d\u180e\u180f\u202f\u200c\u200d"
    "~=#{}:\\[]%/$<>&;'\"@`!|*?,-+\n\t \u2028\u0085\u00a0\ufeff中文《》：，、"
)
# XML 1.0 and XLSX cells cannot hold most C0 control characters (nor U+FFFE/U+FFFF).
_NOT_IN_XML = {*map(chr, range(0x20)), "\ufffe", "\uffff"} - {"\t", "\n", "\r"}


def texts(*, xml_safe: bool = False) -> st.SearchStrategy[str]:
    characters = st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY))
    if xml_safe:
        characters = characters.filter(lambda ch: ch not in _NOT_IN_XML)
    return st.text(characters, min_size=1, max_size=24).map(normalize).filter(bool)


slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def language_maps(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, str]:
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
    return {language: draw(text) for language in LANGUAGES if language in languages}


@st.composite
def questions(
    draw: st.DrawFn, question_id: str, category_ids: list[str], text: st.SearchStrategy[str]
) -> Question:
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
            options = {key: draw(text) for key in option_keys}
        versions[language] = Version(
            text=draw(text),
            options=options,
            explanation=draw(st.none() | text),
            reviewed=draw(st.booleans()),
        )
    return Question(
        id=question_id,
        kind=kind,
        category=draw(st.sampled_from(category_ids)),
        difficulty=draw(st.integers(1, 3)),
        answer=answer,
        option_keys=option_keys,
        source=draw(text),
        versions=versions,
        tags=tuple(draw(st.lists(text, max_size=3, unique=True))),
    )


@st.composite
def banks(draw: st.DrawFn, *, xml_safe: bool = False) -> Bank:
    text = texts(xml_safe=xml_safe)
    category_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    question_ids = draw(st.lists(slugs, max_size=4, unique=True))
    return Bank(
        id=draw(slugs),
        title=draw(language_maps(text)),
        categories=tuple(Category(cid, draw(language_maps(text))) for cid in category_ids),
        questions=tuple(draw(questions(qid, category_ids, text)) for qid in question_ids),
    )
