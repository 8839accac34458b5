"""Content rules of a bank that hold whatever file format it came from.

Each check returns ``Issue`` values (msgid, params) without a location: the caller knows
where the value sat in the file and turns an issue into a ``Problem`` there. Every file
format goes through one checker, ``question_bank.formats.drafts.Assembler``, which calls
these; the console's question editor calls them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from question_bank import messages as m
from question_bank.model import OPTION_KEYS, Kind

Issue = tuple[str, dict[str, Any]]

FORMAT = "quiz-bank/1"
MAX_ID_LENGTH = 64
MIN_OPTIONS = 2
DIFFICULTIES = (1, 2, 3)
MAX_POINTS = 1000
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
KIND_VALUES = frozenset(kind.value for kind in Kind)


def slug_issue(key: str, value: str) -> Issue | None:
    """Ids go into URLs, file names and Redis keys, hence the narrow alphabet."""
    if SLUG.fullmatch(value) and len(value) <= MAX_ID_LENGTH:
        return None
    return m.BAD_SLUG, {"key": key, "value": value, "max": MAX_ID_LENGTH}


def option_keys_issues(keys: Sequence[str]) -> list[Issue]:
    """2-8 keys forming A, B, C, ... without gaps.

    A key outside A-H is reported as such, and then nothing else is (a mistyped key
    would also make "A is missing" noise); but a run A, B, ... longer than H (what a
    list-based format such as GIFT gives a question with nine answers) is a count.
    """
    letters = "".join(keys)
    if "ABCDEFGHIJKLMNOPQRSTUVWXYZ".startswith(letters) and len(keys) > len(OPTION_KEYS):
        return [(m.OPTION_COUNT, {"count": len(keys)})]
    bad = [(m.BAD_OPTION_KEY, {"key": key}) for key in keys if key not in OPTION_KEYS]
    if bad:
        return bad
    valid = set(keys)
    issues: list[Issue] = []
    if not MIN_OPTIONS <= len(keys) <= len(OPTION_KEYS):
        issues.append((m.OPTION_COUNT, {"count": len(keys)}))
    if valid:
        last = max(OPTION_KEYS.index(key) for key in valid)
        missing = [key for key in OPTION_KEYS[:last] if key not in valid]
        if missing:
            issues.append((m.OPTION_GAP, {"missing": ", ".join(missing)}))
    return issues


def kind_issue(value: str) -> Issue | None:
    """A kind must be one of ``Kind``'s values (formats map their own words first)."""
    return None if value in KIND_VALUES else (m.BAD_KIND, {"value": value})


def difficulty_issue(value: object) -> Issue | None:
    """1, 2 or 3 as a number (a quoted ``'2'`` in YAML is text, hence an issue)."""
    if isinstance(value, int) and not isinstance(value, bool) and value in DIFFICULTIES:
        return None
    return m.BAD_DIFFICULTY, {"value": value}


def points_issue(value: object) -> Issue | None:
    """Above 0 and at most ``MAX_POINTS``, as a number: a file gives the text as written
    when it holds no number (a quoted ``'2'`` in YAML, ``two`` in a cell), named in the
    message; 0 or a negative number would make a question worth nothing or cost points."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value <= MAX_POINTS:
            return None
        return m.BAD_POINTS, {"value": f"{value:g}"}
    return m.BAD_POINTS, {"value": value}


def canonical_option_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """Option keys in A-H order, whatever order the file wrote them in."""
    return tuple(key for key in OPTION_KEYS if key in keys)


def answer_issues(kind: Kind, answer: Sequence[str], option_keys: Sequence[str]) -> list[Issue]:
    """Answer keys of a single or multiple question against its option keys."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for key in answer:
        if key in seen:
            issues.append((m.ANSWER_TWICE, {"key": key}))
        seen.add(key)
        if key not in option_keys:
            issues.append((m.ANSWER_NOT_OPTION, {"key": key, "keys": ", ".join(option_keys)}))
    if kind is Kind.SINGLE and len(seen) != 1:
        issues.append((m.SINGLE_ANSWER_COUNT, {"count": len(seen)}))
    if kind is Kind.MULTIPLE and not seen:
        issues.append((m.MULTIPLE_NO_ANSWER, {}))
    return issues


def canonical_answer(answer: Sequence[str], option_keys: Sequence[str]) -> tuple[str, ...]:
    """Answer keys in option order, so ``[C, A]`` and ``[A, C]`` are the same answer."""
    return tuple(key for key in option_keys if key in answer)


# -- options of a question already answered ---------------------------------------------
# Once a question has been drawn, people answered "the option under key B". Its option
# texts may then change only in form: moving texts between keys (a swap) or rewording
# one would score those who answered by another question than the one they saw. Typo
# fixes that change letters are refused too: in Chinese one character is a word (东方 →
# 西方 is one character and the opposite answer), so no edit distance is safe. Retire
# the question and import a corrected one instead.


def option_form(text: str) -> str:
    """What must stay the same in an answered option: the text after NFKC (full-width
    and sub/superscript forms folded: ``Ｈ₂Ｏ`` is ``H2O``), without spaces and format
    characters (Mongolian MVS, NNBSP, zero-width joiners) and without a sentence mark at
    the end (``。``, ``.``, ``；`` …). Case, digits, signs and every other mark count."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in folded if unicodedata.category(c) not in _FORM_ONLY)
    return kept.rstrip(_FINAL_MARKS)


_FORM_ONLY = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})
_FINAL_MARKS = ".。!！?？;；,，、᠃᠂"


def moved_options(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """Keys (of one language version) whose option text changed in more than form (see
    ``option_form``), a swap included: refused once the question was drawn. Keys only in
    one of the two are left to the option-set rule."""
    return sorted(
        key
        for key in set(old) & set(new)
        if old[key] != new[key] and option_form(old[key]) != option_form(new[key])
    )
