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
    Media,
    Question,
    Version,
    normalize,
)
from question_bank.menksoft import MENKSOFT_END, MENKSOFT_START

# Characters that trip naive handling: Mongolian letters and their controls (FVS, MVS,
# NNBSP, ZWJ/ZWNJ), GIFT's control characters and escapes, XML and HTML specials, YAML
# indicators, CSV separators, spreadsheet formula starters, line breaks and separators.
TRICKY = list(
    "ᠠᠣᠤᠥᠦᠲᠳᠭᠬ\u180b\u180c\u180d\u180e\u180f\u202f\u200c\u200d"
    "~=#{}:\\[]%/$<>&;'\"@`!|*?,-+\n\t \u2028\u0085\u00a0\ufeff中文《》：，、"
)
# XML 1.0 and XLSX cells cannot hold most C0 control characters (nor U+FFFE/U+FFFF).
_NOT_IN_XML = {*map(chr, range(0x20)), "\ufffe", "\uffff"} - {"\t", "\n", "\r"}


def _not_menksoft(ch: str) -> bool:
    """Menksoft's private-use code points are converted to Unicode on import, by design
    (tests/question_bank/formats/test_mongolian.py), so a round trip cannot keep them."""
    return not MENKSOFT_START <= ord(ch) <= MENKSOFT_END


def texts(*, xml_safe: bool = False) -> st.SearchStrategy[str]:
    characters = st.one_of(
        st.characters(codec="utf-8").filter(_not_menksoft), st.sampled_from(TRICKY)
    )
    if xml_safe:
        characters = characters.filter(lambda ch: ch not in _NOT_IN_XML)
    return st.text(characters, min_size=1, max_size=24).map(normalize).filter(bool)


slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def language_maps(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, str]:
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
    return {language: draw(text) for language in LANGUAGES if language in languages}


def _png() -> bytes:
    """A valid 1x1 PNG (built here, so the bytes are right)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# A 1x1 PNG and a 1x1 GIF: pictures a bank may carry (checked by their bytes).
PNG = _png()
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def pictures(
    text: st.SearchStrategy[str], min_size: int = 0
) -> st.SearchStrategy[tuple[Media, ...]]:
    one = st.builds(
        lambda data, alt: Media(
            data=data, mime="image/png" if data == PNG else "image/gif", alt=alt
        ),
        st.sampled_from([PNG, GIF]),
        st.just("") | text,
    )
    return st.lists(one, min_size=min_size, max_size=2).map(tuple)


@st.composite
def questions(
    draw: st.DrawFn,
    question_id: str,
    category_ids: list[str],
    text: st.SearchStrategy[str],
    *,
    max_blanks: int = 3,
    media: bool = False,
    points: bool = False,
) -> Question:
    """Any valid question. ``max_blanks``: of fill-in questions (0: none drawn; GIFT and
    Moodle XML carry one); ``media``, ``points``: draw them (formats that carry them)."""
    kinds = [kind for kind in Kind if kind is not Kind.FILL or max_blanks]
    kind = draw(st.sampled_from(kinds))
    if kind is Kind.FILL:
        count = draw(st.integers(1, max_blanks))
        languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
        versions = {
            language: Version(
                text=draw(text),
                options={},
                explanation=draw(st.none() | text),
                reviewed=draw(st.booleans()),
                blanks=tuple(
                    tuple(draw(st.lists(text, min_size=1, max_size=3, unique=True)))
                    for _ in range(count)
                ),
            )
            for language in LANGUAGES
            if language in languages
        }
        return Question(
            id=question_id,
            kind=kind,
            category=draw(st.sampled_from(category_ids)),
            difficulty=draw(st.integers(1, 3)),
            answer=(),
            option_keys=(),
            source=draw(text),
            versions=versions,
            tags=tuple(draw(st.lists(text, max_size=3, unique=True))),
            points=draw(st.none() | st.integers(1, 20).map(float)) if points else None,
            media=draw(pictures(text)) if media else (),
        )
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
        points=draw(st.none() | st.sampled_from([1.0, 2.0, 2.5, 10.0])) if points else None,
        media=draw(pictures(text)) if media else (),
        option_media=(
            {key: draw(pictures(text, 1)) for key in draw(st.sets(st.sampled_from(option_keys)))}
            if media and kind is not Kind.TRUEFALSE
            else {}
        ),
    )


@st.composite
def banks(
    draw: st.DrawFn,
    *,
    xml_safe: bool = False,
    max_blanks: int = 3,
    media: bool = False,
    points: bool = False,
    text_filter: object = None,
) -> Bank:
    text = texts(xml_safe=xml_safe)
    if callable(text_filter):
        text = text.filter(text_filter)
    category_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    question_ids = draw(st.lists(slugs, max_size=4, unique=True))
    settings = {"max_blanks": max_blanks, "media": media, "points": points}
    return Bank(
        id=draw(slugs),
        title=draw(language_maps(text)),
        categories=tuple(Category(cid, draw(language_maps(text))) for cid in category_ids),
        questions=tuple(
            draw(questions(qid, category_ids, text, **settings)) for qid in question_ids
        ),
    )
