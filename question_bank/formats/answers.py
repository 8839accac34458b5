"""The words organizers write for kinds, answers and difficulties, in every spelling.

Shared by the spreadsheet readers (CSV, XLSX, XLS) and the numbered-text readers (plain
text, Word): ``选择题``, ``不定项``, ``judge``; ``ABD``, ``A,B,D``, ``A、B、D``, ``A B D``,
full-width ``ＡＢ`` and ``，``; 对/错, √/×, T/F, 正确/错误; or the text of the right option.
Only a reader's vocabulary: the rules (which keys exist, how many answers a kind has)
are the assembler's (``question_bank.formats.drafts``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from question_bank import rules
from question_bank.formats import mongolian as mg
from question_bank.model import OPTION_KEYS, Kind
from question_bank.text import fold_key

CHOICE = "choice"
"""A kind word meaning "single or multiple, by the number of right answers" (选择题)."""

KIND_VALUES = {
    Kind.SINGLE: {"zh": "单选", "mn": mg.SINGLE, "en": "single"},
    Kind.MULTIPLE: {"zh": "多选", "mn": mg.MULTIPLE, "en": "multiple"},
    Kind.TRUEFALSE: {"zh": "判断", "mn": mg.TRUEFALSE, "en": "truefalse"},
    Kind.FILL: {"zh": "填空", "mn": mg.FILL, "en": "fill"},
}
KIND_ALIASES: dict[Kind | str, tuple[str, ...]] = {
    Kind.SINGLE: (
        "单选题",
        "单项选择",
        "单项选择题",
        "单",
        "single choice",
        "multichoice",
        "radio",
    ),
    Kind.MULTIPLE: (
        "多选题",
        "多项选择",
        "多项选择题",
        "多",
        "multi",
        "multiple choice",
        "不定项",
        "不定项选择",
        "不定项选择题",
        "checkbox",
    ),
    Kind.TRUEFALSE: (
        "判断题",
        "是非题",
        "对错题",
        "true/false",
        "true-false",
        "tf",
        "judge",
        "judgement",
        "judgment",
    ),
    Kind.FILL: ("填空题", "填充题", "short answer", "shortanswer", "fill-in", "fill in", "blank"),
    CHOICE: ("选择", "选择题", "choice"),
}
# Kinds organizers have in their sheets that the platform does not run (Moodle's names).
UNSUPPORTED_KINDS = {
    "essay": ("简答", "简答题", "问答", "问答题", "论述题", "主观题", "essay"),
    "matching": ("连线", "连线题", "匹配", "匹配题", "matching", "match"),
    "numerical": ("计算", "计算题", "数值", "numerical"),
}
TRUE_WORDS = ("t", "true", "正确", "对", "√", "✓", "✔", "是", "y", "yes", "ok", "right", "1")
FALSE_WORDS = ("f", "false", "错误", "错", "×", "✗", "✕", "x", "否", "n", "no", "wrong", "0")
DIFFICULTY_WORDS = {
    1: ("易", "简单", "容易", "较易", "低", "easy", mg.EASY),
    2: ("中", "中等", "一般", "适中", "medium", mg.MEDIUM),
    3: ("难", "困难", "较难", "高", "hard", "difficult", mg.HARD),
}

KIND_BY_NAME: dict[str, Kind | str] = {
    fold_key(name): kind
    for kind in (*Kind, CHOICE)
    for name in (
        *(KIND_VALUES[kind].values() if isinstance(kind, Kind) else ()),
        *KIND_ALIASES[kind],
        str(kind),
    )
}
UNSUPPORTED_BY_NAME = {
    fold_key(name): kind for kind, names in UNSUPPORTED_KINDS.items() for name in names
}
TF_BY_NAME = {
    **{fold_key(word): "T" for word in (*TRUE_WORDS, mg.TRUE)},
    **{fold_key(word): "F" for word in (*FALSE_WORDS, mg.FALSE)},
}
DIFFICULTY_BY_NAME = {
    fold_key(word): level for level, words in DIFFICULTY_WORDS.items() for word in words
}
_KEY_SEPARATORS = re.compile(r"[\s,，、;；/|·.。]+")
_BLANK_SEPARATORS = re.compile(r"\s*[|｜;；]\s*")
_ALTERNATIVE_SEPARATORS = re.compile(r"\s*[/／]\s*")


def width(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII (ＡＢ，Ｃ → AB,C), for reading
    keys and words only: stored text keeps what was written."""
    return unicodedata.normalize("NFKC", text)


def kind_of(value: str) -> Kind | str | None:
    """The kind a cell or a line names: a ``Kind``, ``CHOICE``, an unsupported kind's
    name (``essay``, ...) prefixed with ``!``, or None when the word is unknown."""
    folded = fold_key(width(value))
    for candidate in (folded, folded.replace(" ", "")):
        if candidate in KIND_BY_NAME:
            return KIND_BY_NAME[candidate]
        if candidate in UNSUPPORTED_BY_NAME:
            return "!" + UNSUPPORTED_BY_NAME[candidate]
    return None


def truefalse_of(value: str) -> str | None:
    """``T`` or ``F`` for a true/false word in any spelling, else None."""
    return TF_BY_NAME.get(fold_key(width(value)).strip("。.!！"))


def difficulty_of(value: str) -> int | str | None:
    """1-3 for a digit or a word (易/中/难, easy/medium/hard); else the text as written."""
    if not value:
        return None
    plain = width(value).strip()
    if plain in {str(level) for level in rules.DIFFICULTIES}:
        return int(plain)
    return DIFFICULTY_BY_NAME.get(fold_key(plain), value)


def points_of(value: str) -> float | str | None:
    """A number (full-width digits, a trailing 分 allowed: ``２分``); else the text as
    written, for the assembler to name in its message. None: no points given."""
    if not value:
        return None
    try:
        return float(width(value).strip().rstrip("分 "))
    except ValueError:
        return value


def option_keys_of(value: str, options: Mapping[str, str] | None = None) -> tuple[str, ...] | None:
    """The option keys an answer names: ``ABD``, ``A,B,D``, ``A、B、D``, ``A B D``,
    full-width letters, or the text of one option (or of several, separated). None when
    it is none of these."""
    plain = width(value).strip()
    parts = [part for part in _KEY_SEPARATORS.split(plain.upper()) if part]
    if parts and all(part.isascii() and part.isalpha() for part in parts):
        letters = "".join(parts)
        if all(letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for letter in letters):
            return tuple(letters)
    if options:
        by_text = {fold_key(width(text)): key for key, text in options.items() if text}
        whole = by_text.get(fold_key(plain))
        if whole is not None:
            return (whole,)
        pieces = [p for p in re.split(r"\s*[,，、;；|]\s*", plain) if p]
        keys = [by_text.get(fold_key(piece)) for piece in pieces]
        if pieces and all(keys):
            return tuple(key for key in OPTION_KEYS if key in keys)
    return None


BLANK_MARK = re.compile(r"_{2,}|＿{2,}|[（(]\s*[)）]|【\s*】")
"""How a question's text shows a blank: ``____``, ``（ ）``, ``( )``, ``【 】``."""


def infer_kind(answer: str, has_options: bool, text: str = "") -> Kind | str:
    """The kind of a question that names none: true/false without options and with a
    true/false answer (or none); fill-in without options when the text shows a blank
    (``____``, ``（ ）``); else single or multiple by the answer's keys (``CHOICE``)."""
    if not has_options:
        if not answer or truefalse_of(answer) is not None:
            return Kind.TRUEFALSE
        if BLANK_MARK.search(text):
            return Kind.FILL
    return CHOICE


def choice_kind(keys: tuple[str, ...]) -> Kind:
    """选择题 / choice: single with one right key, multiple with several."""
    return Kind.MULTIPLE if len(set(keys)) > 1 else Kind.SINGLE


def blanks_of(value: str) -> tuple[tuple[str, ...], ...]:
    """Fill-in answers: blanks separated by ``|``, ``｜``, ``;`` or ``；``, the accepted
    answers of one blank by ``/`` or ``／`` (``氧气/O2|二氧化碳``); or, as an export writes
    answers that hold those characters, a JSON list of lists (``[["a/b"], ["c"]]``)."""
    if value.startswith("[["):
        import json

        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, list) and all(
            isinstance(blank, list) and all(isinstance(a, str) for a in blank) for blank in parsed
        ):
            return tuple(tuple(blank) for blank in parsed)
    blanks = []
    for blank in _BLANK_SEPARATORS.split(value.strip()):
        answers = tuple(a for a in _ALTERNATIVE_SEPARATORS.split(blank) if a.strip())
        if answers:
            blanks.append(answers)
    return tuple(blanks)


def truefalse_from_options(options: Mapping[str, str]) -> dict[str, str] | None:
    """For a 判断题 written as two options (A 正确 / B 错误): key → T/F, else None."""
    if len(options) != 2:
        return None
    meaning = {key: truefalse_of(text) for key, text in options.items()}
    if set(meaning.values()) == {"T", "F"}:
        return {key: value for key, value in meaning.items() if value is not None}
    return None


def read_answer(
    kind: Kind | str, value: str, options: dict[str, dict[str, str]]
) -> tuple[Kind | str, tuple[str, ...] | None, str | None]:
    """The kind and answer keys a question's answer cell or line gives, or the msgid of
    what is wrong with it. ``options``: each language's options; a true/false question
    written with two options 正确/错误 loses them here (they become T and F).

    Returns (kind, answer, None), answer None when not given; or (kind, None, msgid).
    Fill-in answers are not read here (see ``blanks_of``); their answer is ``()``.
    """
    from question_bank import messages as m

    if kind is Kind.FILL:
        return kind, (), None
    if kind is Kind.TRUEFALSE:
        meaning = None
        for language, given in options.items():
            found = truefalse_from_options(given) if given else None
            if found is not None:
                meaning = found
                options[language] = {}
        if not value:
            return kind, None, None
        keys = option_keys_of(value) if meaning else None
        if meaning and keys and len(keys) == 1 and keys[0] in meaning:
            return kind, (meaning[keys[0]],), None
        key = truefalse_of(value)
        return (kind, (key,), None) if key else (kind, None, m.TRUEFALSE_ANSWER)
    if kind in (Kind.SINGLE, Kind.MULTIPLE, CHOICE) and value:
        first = next((given for given in options.values() if given), {})
        keys = option_keys_of(value, first)
        if keys is None:
            return kind, None, m.BAD_ANSWER_VALUE
        return (choice_kind(keys) if kind == CHOICE else kind), keys, None
    return (Kind.SINGLE if kind == CHOICE else kind), None, None
