"""GIFT, Moodle's text format for questions (https://docs.moodle.org/en/GIFT_format).

Reading follows Moodle's reader: blank lines separate questions; ``//`` lines are
comments; ``$CATEGORY:`` switches the category; ``::name::`` names a question; an
optional ``[html]``/``[moodle]``/``[plain]``/``[markdown]`` sets the text format; the
answers sit between ``{`` and ``}`` (text after the ``}`` makes a "missing word" question,
the braces becoming ``_____``); ``####`` starts the general feedback (our explanation);
``\\~ \\= \\# \\{ \\} \\: \\\\`` escape, ``\\n`` is a line break. The answer block decides
the kind: ``~``/``=`` answers make a multiple-choice question (single when an answer is
marked ``=``, several answers with a positive ``%weight%`` make a multiple-answer one),
``T``/``F``/``TRUE``/``FALSE`` a true/false one. Essay (``{}``), numerical (``{#...}``),
matching (``=a -> b``), short answer and description (no braces) questions are named as
unsupported and skipped.

Comments carry metadata, as Moodle's ``[id:...]`` and ``[tag:...]``; this format adds
``[difficulty:2]``, ``[source:...]``, ``[lang:mn]`` and ``[reviewed:false]`` (Moodle
ignores them), so an exported bank reads back the same. GIFT holds one language per
question: an export writes one of the question's languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from question_bank import messages as m
from question_bank import rules
from question_bank.formats.base import (
    Collector,
    Failed,
    ImportResult,
    Location,
    ReadOptions,
    decode_text,
    script_language,
)
from question_bank.formats.drafts import (
    Assembler,
    Categories,
    Draft,
    DraftVersion,
    apply_weights,
    list_keys,
    moodle_category_name,
)
from question_bank.formats.html_text import html_to_text, looks_like_html
from question_bank.model import LANGUAGES, Bank, Kind, Question
from question_bank.text import editor_lines

_ESCAPABLE = "\\~=#{}:n"
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d{1,3}(?:\.\d*)?)%")
_TRUEFALSE = re.compile(r"(T|TRUE|F|FALSE)\s*(#.*)?", re.IGNORECASE | re.DOTALL)
_TOKEN = re.compile(r"\[(id|tag|difficulty|source|lang|reviewed):((?:\\.|[^\]\\])*)\]")

# Moodle's grades (fractions); a weight must be one of them or its negative.
MOODLE_GRADES = (
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
    0.0,
)


def is_moodle_grade(fraction: float) -> bool:
    return any(abs(abs(fraction) - grade) < 0.00001 for grade in MOODLE_GRADES)


# -- escapes ------------------------------------------------------------------------


class _Escapes:
    """Escaped characters swapped for private-use placeholders that the text lacks."""

    def __init__(self, text: str) -> None:
        free = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
        self.placeholder = {ch: next(free) for ch in _ESCAPABLE}
        self.original = {v: ("\n" if k == "n" else k) for k, v in self.placeholder.items()}

    def hide(self, text: str) -> str:
        return _ESCAPE.sub(lambda match: self.placeholder[match.group(1)], text)

    def restore(self, text: str) -> str:
        return "".join(self.original.get(ch, ch) for ch in text)


def escape(text: str) -> str:
    """GIFT-escape text for writing on one line."""
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _escape_token(value: str) -> str:
    return value.replace("\\", "\\\\").replace("]", "\\]").replace("\n", "\\n")


def _unescape_token(value: str) -> str:
    return re.sub(r"\\(.)", lambda mt: "\n" if mt.group(1) == "n" else mt.group(1), value)


# -- reading ------------------------------------------------------------------------


@dataclass
class _Block:
    start: int  # line of the first non-comment line
    lines: list[str] = field(default_factory=list)
    tokens: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        """The first ``[name:...]`` token's value, None when the block has none."""
        values = self.tokens.get(name)
        return values[0] if values else None


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(editor_lines(text), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = _Block(start=number)
            blocks.append(current)
        if line.startswith("//"):
            for name, value in _TOKEN.findall(line):
                current.tokens.setdefault(name, []).append(_unescape_token(value).strip())
            if not current.lines:
                current.start = number + 1
            continue
        if not current.lines:
            current.start = number
        current.lines.append(line)
    return [block for block in blocks if block.lines]


class GiftReader:
    def __init__(self, collector: Collector, categories: Categories, options: ReadOptions):
        self.collector = collector
        self.categories = categories
        self.options = options
        self.category: str | None = None

    def read(self, text: str) -> list[Draft]:
        drafts = []
        for block in _blocks(text):
            draft = self.block(block)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _language(self, block: _Block, text: str) -> str:
        for value in block.tokens.get("lang", []):
            if value in LANGUAGES:
                return value
        return script_language(text, self.options.language)

    def block(self, block: _Block) -> Draft | None:
        where = block.start
        raw = "\n".join(block.lines)
        if raw.startswith("$CATEGORY:"):
            escapes = _Escapes(raw)
            path = escapes.restore(escapes.hide(raw[len("$CATEGORY:") :].strip()))
            name = moodle_category_name(path)
            ids = [v for v in block.tokens.get("id", []) if not rules.slug_issue("id", v)]
            self.category = self.categories.declare(
                name, self._language(block, name), ids[0] if ids else None
            )
            return None
        escapes = _Escapes(raw)
        text = escapes.hide(raw)
        title = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                self.collector.error(where, m.GIFT_NAME_UNCLOSED)
                return None
            title = escapes.restore(text[2:end]).strip() or None
            text = text[end + 2 :].strip()
        text_format, text = self._format(text, "moodle")
        start, end = text.find("{"), text.find("}")
        if start < 0 and end < 0:
            self.collector.skip(where, "description", title or self._plain(escapes, text)[:60])
            return None
        if start < 0 or end < start:
            self.collector.error(where, m.GIFT_BRACES)
            return None
        answers = text[start + 1 : end]
        after = text[end + 1 :]
        question_text = text[:start] if not after.strip() else text[:start] + "_____" + after
        explanation = None
        if "####" in answers:
            answers, general = (
                answers[: answers.rfind("####")],
                answers[answers.rfind("####") + 4 :],
            )
            general_format, general = self._format(general, text_format)
            explanation = self._text(escapes, general, general_format, where) or None
        answers = answers.strip()
        plain_text = self._text(escapes, question_text, text_format, where)
        name = title or plain_text[:60]
        kind_name = self._kind(answers)
        if kind_name not in {"multichoice", "truefalse", "shortanswer"}:
            self.collector.skip(where, kind_name, name)
            return None
        language = self._language(block, plain_text)
        version = DraftVersion(
            text=plain_text,
            explanation=explanation,
            reviewed=(block.tokens.get("reviewed", ["true"])[0].lower() != "false"),
        )
        draft = Draft(
            where=where,
            kind=None,
            versions={language: version},
            answer=None,
            title=title,
            id=block.first("id"),
            category=self.category,
            difficulty=_difficulty(block),
            source=block.first("source") or None,
            tags=tuple(block.tokens.get("tag", [])),
        )
        if kind_name == "shortanswer":
            return self._fill(draft, version, escapes, answers, text_format)
        if kind_name == "truefalse":
            match = _TRUEFALSE.fullmatch(answers)
            assert match is not None
            draft.kind = Kind.TRUEFALSE
            draft.answer = ("T",) if match.group(1).upper().startswith("T") else ("F",)
            return draft
        return self._multichoice(draft, version, escapes, answers, text_format)

    def _multichoice(
        self,
        draft: Draft,
        version: DraftVersion,
        escapes: _Escapes,
        answers: str,
        text_format: str,
    ) -> Draft | None:
        where = draft.where
        parts = answers.replace("=", "~=").split("~")
        if not parts[0].strip():
            parts = parts[1:]
        texts: list[str] = []
        weights: list[float] = []
        marked = False
        for part in parts:
            part = part.strip()
            if part.startswith("="):
                marked = True
                weight, part = 1.0, part[1:]
            else:
                match = _WEIGHT.match(part)
                weight = 0.0
                if match:
                    weight = float(match.group(1)) / 100
                    part = part[match.end() :]
                    if not is_moodle_grade(weight):
                        self.collector.error(where, m.BAD_WEIGHT, weight=match.group(1))
                        return None
            part = part.split("#", 1)[0]
            answer_format, part = self._format(part, text_format)
            texts.append(self._text(escapes, part, answer_format, where))
            weights.append(weight)
        keys = list_keys(len(texts))
        version.options = dict(zip(keys, texts, strict=False))
        if not apply_weights(draft, keys, weights, marked, self.collector, where):
            return None
        return draft

    def _fill(
        self,
        draft: Draft,
        version: DraftVersion,
        escapes: _Escapes,
        answers: str,
        text_format: str,
    ) -> Draft:
        """Short answer ``{=a =b}``: one blank, ``a`` and ``b`` accepted (answers with a
        partial ``%50%`` weight are not kept, and that is reported)."""
        accepted = []
        partial = False
        for part in answers.split("=")[1:]:
            part = part.split("#", 1)[0].strip()
            match = _WEIGHT.match(part)
            if match:
                part = part[match.end() :]
                if float(match.group(1)) < 100:
                    partial = True
                    continue
            answer_format, part = self._format(part, text_format)
            text = self._text(escapes, part, answer_format, draft.where)
            if text:
                accepted.append(text)
        if partial:
            self.collector.warn(draft.where, m.WEIGHTS_SIMPLIFIED)
        draft.kind = Kind.FILL
        draft.answer = ()
        version.blanks = (tuple(accepted),)
        return draft

    @staticmethod
    def _kind(answers: str) -> str:
        if not answers:
            return "essay"
        if answers.startswith("#"):
            return "numerical"
        if "~" in answers:
            return "multichoice"
        pairs = [part for part in answers.split("=")[1:] if part.strip()]
        if pairs and all("->" in part for part in pairs):
            return "matching"
        if _TRUEFALSE.fullmatch(answers):
            return "truefalse"
        return "shortanswer"

    @staticmethod
    def _format(text: str, default: str) -> tuple[str, str]:
        match = _FORMAT.match(text)
        if match:
            return match.group(1).lower(), text[match.end() :]
        return default, text

    def _plain(self, escapes: _Escapes, text: str) -> str:
        return escapes.restore(text).strip()

    def _text(self, escapes: _Escapes, text: str, text_format: str, where: Location) -> str:
        text = escapes.restore(text).strip()
        if text_format == "html" or (text_format == "moodle" and looks_like_html(text)):
            text, media = html_to_text(text)
            if media:
                self.collector.warn(where, m.MEDIA_DROPPED)
        return text


def read_gift(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    try:
        text, encoding = decode_text(data)
    except Failed as failed:
        collector.error(failed.where, failed.message, **failed.params)
        return assembler.build("gift", [])
    drafts = GiftReader(collector, categories, options).read(text)
    return assembler.build("gift", drafts, encoding=encoding)


# -- writing ------------------------------------------------------------------------


def export_language(languages: tuple[str, ...] | list[str], wanted: str) -> str:
    """The language a one-language format writes: ``wanted`` if present, else the first."""
    return wanted if wanted in languages else languages[0]


def _answer_text(text: str) -> str:
    text = escape(text)
    if _FORMAT.match(text):
        text = "[plain]" + text
    return text


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _question(question: Question, language: str) -> list[str]:
    language = export_language(question.languages, language)
    version = question.versions[language]
    tokens = [f"[id:{question.id}]"]
    tokens += [f"[tag:{_escape_token(tag)}]" for tag in question.tags]
    tokens += [
        f"[difficulty:{question.difficulty}]",
        f"[source:{_escape_token(question.source)}]",
        f"[lang:{language}]",
    ]
    if not version.reviewed:
        tokens.append("[reviewed:false]")
    lines = [f"// question: {question.id}", "// " + " ".join(tokens)]
    head = f"::{question.id}::[plain]{escape(version.text)}"
    explanation = f"####{escape(version.explanation)}" if version.explanation else ""
    if question.kind is Kind.TRUEFALSE:
        value = "TRUE" if question.answer == ("T",) else "FALSE"
        lines.append(f"{head}{{{value}{explanation}}}")
        return lines
    if question.kind is Kind.FILL:
        if len(version.blanks) != 1:
            return [f"// {question.id}: a fill-in question with several blanks: not in GIFT"]
        accepted = " ".join(
            "=" + ("%100%" + escape(answer) if answer.startswith("%") else _answer_text(answer))
            for answer in version.blanks[0]
        )
        lines.append(f"{head}{{{accepted}{explanation}}}")
        return lines
    lines.append(head + "{")
    share = _percent(100 / len(question.answer))
    for key in question.option_keys:
        text = version.options[key]
        right = key in question.answer
        if question.kind is Kind.SINGLE:
            if right:
                marker = "=" + (_answer_text(text) if not text.startswith("%") else escape(text))
            else:
                marker = ("~%0%" if text.startswith("%") else "~") + _answer_text(text)
        else:
            weight = share if right else f"-{share}"
            marker = f"~%{weight}%" + _answer_text(text)
        lines.append("\t" + marker)
    if explanation:
        lines.append("\t" + explanation)
    lines.append("}")
    return lines


def write_gift(bank: Bank, language: str = "zh") -> bytes:
    """The bank as GIFT: a ``$CATEGORY`` block per category, then the questions with a
    category switch wherever the category changes. One language per question."""
    lines = [f"// bank: {bank.id}", ""]
    names = {category.id: category for category in bank.categories}

    def category_block(category_id: str) -> list[str]:
        category = names[category_id]
        name_language = export_language(list(category.name), language)
        name = category.name[name_language].replace("\\", "\\\\").replace("\n", "\\n")
        return [
            f"// [id:{category.id}] [lang:{name_language}]",
            f"$CATEGORY: $course$/top/{name}",
            "",
        ]

    for category in bank.categories:
        lines += category_block(category.id)
    current = bank.categories[-1].id if bank.categories else None
    for question in bank.questions:
        if question.category != current and question.category in names:
            lines += category_block(question.category)
            current = question.category
        lines += _question(question, language)
        lines.append("")
    return "\n".join(lines).encode("utf-8")


_DIFFICULTY_DIGITS = {str(level) for level in rules.DIFFICULTIES}


def _difficulty(block: _Block) -> int | str | None:
    """``[difficulty:2]`` as a number; anything else as written (the assembler names it)."""
    value = block.first("difficulty")
    if value is None:
        return None
    return int(value) if value in _DIFFICULTY_DIGITS else value
