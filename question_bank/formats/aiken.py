"""Aiken (https://docs.moodle.org/en/Aiken_format): single-choice questions in plain text.

Each question is one line of text, then its options as ``A) text`` or ``A. text`` (the
space after the label may be missing), then ``ANSWER: B``. Blank lines between questions
are allowed. As in Moodle: an option or ANSWER line with no question before it is an
error, and so is a new question that starts before the last one had its ANSWER line;
each error names its line. Option text is kept as written (Moodle escapes ``< > &``
because it stores HTML; this bank stores plain text).
"""

from __future__ import annotations

import re

from question_bank import messages as m
from question_bank.formats.base import (
    Collector,
    Failed,
    ImportResult,
    ReadOptions,
    decode_text,
    script_language,
)
from question_bank.formats.drafts import Assembler, Categories, Draft, DraftVersion
from question_bank.model import Kind
from question_bank.text import editor_lines

_CHOICE = re.compile(r"([A-Z])[.)][ \t]*(.*)")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)


def read_aiken(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    try:
        text, encoding = decode_text(data)
    except Failed as failed:
        collector.error(failed.where, failed.message, **failed.params)
        return assembler.build("aiken", [])

    drafts: list[Draft] = []
    current: Draft | None = None
    choices: dict[str, str] = {}
    choice_lines: dict[str, int] = {}
    broken = False

    def start(line: str, number: int) -> Draft:
        nonlocal choices, choice_lines, broken
        choices, choice_lines, broken = {}, {}, False
        language = script_language(line, options.language)
        return Draft(
            where=number,
            kind=Kind.SINGLE,
            versions={language: DraftVersion(text=line)},
            answer=None,
            title=line,
        )

    last = 0
    for number, raw in enumerate(editor_lines(text), start=1):
        line = raw.strip()
        if not line:
            continue
        last = number
        answer = _ANSWER.fullmatch(line)
        choice = None if answer else _CHOICE.fullmatch(line)
        if current is None:
            if answer:
                collector.error(number, m.AIKEN_ANSWER_OUTSIDE)
            elif choice:
                collector.error(number, m.AIKEN_CHOICE_OUTSIDE)
            else:
                current = start(line, number)
            continue
        if choice:
            key, value = choice.group(1), choice.group(2)
            if key in choices:
                collector.error(number, m.DUPLICATE_KEY, key=key, first=choice_lines[key])
                broken = True
            choices[key] = value
            choice_lines.setdefault(key, number)
            continue
        if answer:
            version = next(iter(current.versions.values()))
            version.options = dict(choices)
            version.cells = {key: line_no for key, line_no in choice_lines.items()}
            version.cells["options"] = number
            current.cells["answer"] = number
            value = answer.group(1).strip().upper()
            if broken:
                pass  # already reported
            elif not re.fullmatch(r"[A-Z]", value):
                collector.error(number, m.BAD_ANSWER_VALUE, value=answer.group(1).strip())
            else:
                current.answer = (value,)
                drafts.append(current)
            current = None
            continue
        collector.error(number, m.AIKEN_UNFINISHED, first=current.where)
        current = start(line, number)
    if current is not None:
        collector.error(last, m.AIKEN_NO_ANSWER_AT_END, first=current.where)
    return assembler.build("aiken", drafts, encoding=encoding)
