"""The YAML bank format, ``quiz-bank/1`` (docs/question-bank-format.md).

The reader walks PyYAML's node tree (nodes know their line, and duplicate keys are still
visible there) and understands only the structure: which keys a mapping may and must
have, which values are lists, mappings or single values, YAML's booleans and numbers.
Every question becomes a ``Draft`` with the line of each field and goes through the same
``Assembler`` as every other format, in its ``strict`` setting (categories must be
declared, a tag twice is an error). ``parse_bank`` raises one ``BankError`` listing every
problem with its line; ``parse_bank(dump_bank(bank)) == bank`` for every valid bank.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank import messages as m
from question_bank import rules
from question_bank.errors import BankError
from question_bank.formats.base import Collector, ImportResult, Location, ReadOptions
from question_bank.formats.drafts import Assembler, Categories, Draft, DraftMedia, DraftVersion
from question_bank.formats.yaml_nodes import (
    FLOAT_TAG,
    INT_TAG,
    bool_value,
    compose,
    decode_utf8,
    is_null,
    line_of,
)
from question_bank.formats.yaml_writer import dump_bank
from question_bank.model import LANGUAGES, Bank, Kind
from question_bank.text import normalize

__all__ = ["dump_bank", "load_bank", "parse_bank", "read_yaml"]

_TOP_KEYS = ("format", "bank", "categories", "questions")
_BANK_KEYS = ("id", "title")
_CATEGORY_KEYS = ("id", "name")
_QUESTION_KEYS = ("id", "kind", "category", "difficulty", "answer", "source")
_QUESTION_OPTIONAL = (
    "tags",
    "points",
    "pictures",
    "option_pictures",
    "reserved",
    "benchmark",
    "part",
)
_VERSION_OPTIONAL = ("options", "explanation", "reviewed")
# A fill-in question has no answer key and no options: each language lists its blanks.
_FILL_KEYS = tuple(key for key in _QUESTION_KEYS if key != "answer")
_FILL_VERSION_OPTIONAL = ("blanks", "explanation", "reviewed")
_PICTURE_KEYS = ("data", "url", "alt")
# Keys that look like a language code get "unknown language" rather than "unknown key".
_LANGUAGE_LIKE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]+)*")
_ALLOWED_LANGUAGES = ", ".join(LANGUAGES)


def parse_bank(text: str, filename: str = "<string>") -> Bank:
    """Read a bank from YAML text; raise ``BankError`` listing every problem found."""
    result = YamlReader(filename).read(compose(text, filename))
    return result.raise_for_problems()


def load_bank(path: str | os.PathLike[str]) -> Bank:
    """Read a bank file (UTF-8); the problems name the file as it was given."""
    filename = os.fspath(path)
    return parse_bank(decode_utf8(Path(path).read_bytes(), filename), filename)


def read_yaml(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    """``read_bank``'s reader: the bank with the warnings every format gets."""
    try:
        root = compose(decode_utf8(data, filename), filename)
    except BankError as error:
        return ImportResult(format="yaml", filename=filename, problems=list(error.problems))
    result = YamlReader(filename, options).read(root)
    result.encoding = "utf-8"
    return result


class YamlReader:
    """Reads one file's node tree into drafts; ``read(root)`` assembles them."""

    def __init__(self, filename: str, options: ReadOptions | None = None) -> None:
        self.filename = filename
        self.collector = Collector(filename)
        self.options = options or ReadOptions()
        self.assembler = Assembler(self.collector, Categories(), self.options, strict=True)

    def report(self, node: Node, message: str, **params: Any) -> None:
        self.collector.error(line_of(node), message, **params)

    # -- the file ---------------------------------------------------------------------

    def read(self, root: Node) -> ImportResult:
        if not isinstance(root, MappingNode):
            self.report(root, m.TOP_NOT_MAPPING)
            return self.assembler.build("yaml", [])
        top = self.fields(root, "file", _TOP_KEYS)
        assert top is not None  # root is a mapping
        if "format" in top:
            self.format(top["format"])
        bank_id, title = self.bank_header(top.get("bank"))
        self.categories(top.get("categories"))
        drafts = [
            draft
            for number, item in enumerate(self.sequence(top.get("questions"), "questions") or [])
            if (draft := self.question(item, f"questions #{number + 1}")) is not None
        ]
        result = self.assembler.build("yaml", drafts, bank_id=bank_id, bank_title=title)
        if result.problems or bank_id is None or title is None:  # (missing: reported)
            result.bank = None
        return result

    def format(self, node: Node) -> None:
        value = self.text(node, "format")
        if value is not None and value != rules.FORMAT:
            self.report(node, m.BAD_FORMAT, value=value, expected=rules.FORMAT)

    def bank_header(self, node: Node | None) -> tuple[str | None, dict[str, str] | None]:
        if node is None:
            return None, None
        found = self.fields(node, "bank", _BANK_KEYS)
        if found is None:
            return None, None
        bank_id = self.text(found.get("id"), "id")
        if bank_id is not None:
            bank_id = self.assembler.bank_id(bank_id, line_of(found["id"]))
        return bank_id, self.language_map(found.get("title"), "title")

    def categories(self, node: Node | None) -> None:
        for number, item in enumerate(self.sequence(node, "categories") or [], start=1):
            found = self.fields(item, f"categories #{number}", _CATEGORY_KEYS)
            if found is None:
                continue
            category_id = self.text(found.get("id"), "id")
            names = self.language_map(found.get("name"), "name")
            if category_id is not None:
                self.assembler.declare_category(category_id, names, line_of(found["id"]))

    # -- one question -----------------------------------------------------------------

    def question(self, node: Node, key: str) -> Draft | None:
        fill = _peek(node, "kind") == Kind.FILL.value
        required = _FILL_KEYS if fill else _QUESTION_KEYS
        found = self.fields(node, key, required, _QUESTION_OPTIONAL, languages=True)
        if found is None:
            return None
        broken: set[str] = {name for name in required if name not in found}
        cells: dict[str, Location] = {name: line_of(value) for name, value in found.items()}

        values: dict[str, str | None] = {}
        for name in ("id", "kind", "category"):
            values[name] = self.text(found.get(name), name)
            if values[name] is None:
                broken.add(name)
        source = None
        if "source" in found:
            source = self.text(found["source"], "source", required=False)
            source = "" if source is None else source
        kind = values["kind"]
        difficulty = self.difficulty(found.get("difficulty"))
        if difficulty is None:
            broken.add("difficulty")
        tags: list[str] = []
        items = self.sequence(found.get("tags"), "tags")
        if items is None and "tags" in found:
            broken.add("tags")
        for number, item in enumerate(items or []):
            tag = self.text(item, "tags", required=False)
            if tag is None and not isinstance(item, ScalarNode):
                broken.add("tags")
            tags.append(tag or "")
            cells[f"tags#{number}"] = line_of(item)

        languages = [language for language in LANGUAGES if language in found]
        versions: dict[str, DraftVersion] = {}
        for language in languages:
            version = self.version(found[language], language, kind)
            if version is None:
                broken.add("versions")
            else:
                versions[language] = version
        answer = () if fill else self.answer(found.get("answer"), kind)
        if answer is None:
            broken.add("answer")
        reserved = self.flag(found.get("reserved"), "reserved", default=False)
        if reserved is None:
            broken.add("reserved")
        literacy: dict[str, str | None] = {}
        for name in ("benchmark", "part"):
            literacy[name] = None
            if name in found:
                literacy[name] = self.text(found[name], name, required=False)
                cells[name] = line_of(found[name])
        media = self.pictures(found.get("pictures"))
        option_media: dict[str, list[DraftMedia]] = {}
        option_pictures = found.get("option_pictures")
        if option_pictures is not None:
            for key_node, value_node in self.pairs(option_pictures, "option_pictures") or []:
                option_media[key_node.value] = self.pictures(value_node)
        return Draft(
            where=line_of(node),
            kind=kind,
            versions=versions,
            answer=answer,
            id=values["id"],
            strict_id=True,
            category=values["category"],
            difficulty=difficulty,
            source=source,
            tags=tuple(tags),
            cells=cells,
            broken=broken,
            points=self.points(found.get("points")),
            media=media,
            option_media=option_media,
            extra={"reserved": True} if reserved else {},
            label=key,
            benchmark=literacy["benchmark"],
            literacy_part=literacy["part"],
        )

    def points(self, node: Node | None) -> float | str | None:
        """A YAML number as a float; anything else as written (the assembler names it)."""
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
            try:
                return float(node.value)
            except ValueError:  # .inf, .nan: YAML's spellings, not Python's
                return str(node.value)
        return str(node.value) if isinstance(node, ScalarNode) else "…"

    def pictures(self, node: Node | None) -> list[DraftMedia]:
        """``[{data: <base64>, alt: ...}, {url: https://..., alt: ...}]``."""
        found: list[DraftMedia] = []
        for number, item in enumerate(self.sequence(node, "pictures") or [], start=1):
            fields = self.fields(item, f"pictures #{number}", (), _PICTURE_KEYS)
            if fields is None:
                continue
            alt = self.text(fields.get("alt"), "alt", required=False) or ""
            url = self.text(fields.get("url"), "url", required=False)
            data_node = fields.get("data")
            if data_node is not None and isinstance(data_node, ScalarNode):
                try:
                    data = base64.b64decode("".join(data_node.value.split()), validate=True)
                except ValueError:
                    self.report(data_node, m.MEDIA_TYPE, name=f"pictures #{number}")
                    continue
                found.append(DraftMedia(line_of(item), data=data, ref=f"#{number}", alt=alt))
            elif url:
                found.append(DraftMedia(line_of(item), ref=url, alt=alt))
            else:
                self.report(item, m.MISSING_KEY, key="data")
        return found

    def version(self, node: Node, language: str, kind: str | None) -> DraftVersion | None:
        """One language block as written (the assembler checks its content)."""
        fill = kind == Kind.FILL.value
        found = self.fields(
            node, language, ("text",), _FILL_VERSION_OPTIONAL if fill else _VERSION_OPTIONAL
        )
        if found is None:
            return None
        cells: dict[str, Location] = {name: line_of(value) for name, value in found.items()}
        cells["version"] = line_of(node)
        if "text" not in found:
            return None  # reported as missing
        text = self.text(found["text"], "text", required=False)
        if text is None and not isinstance(found["text"], ScalarNode):
            return None  # reported: not a single value
        explanation = self.text(found.get("explanation"), "explanation", required=False)
        reviewed = self.flag(found.get("reviewed"), "reviewed", default=True)
        options: dict[str, str] | None = None
        if "options" in found:
            pairs = self.pairs(found["options"], "options")
            if pairs is None:
                return None
            options = {}
            for key_node, value_node in pairs:
                value = self.text(value_node, key_node.value, required=False)
                if value is None and not isinstance(value_node, ScalarNode):
                    return None
                options[key_node.value] = value or ""
                cells[key_node.value] = line_of(key_node)
        if reviewed is None:
            return None
        blanks: list[tuple[str, ...]] = []
        for item in self.sequence(found.get("blanks"), "blanks") or []:
            if isinstance(item, ScalarNode):  # ``~`` is an empty blank, as in a list
                blanks.append((self.text(item, "blanks", required=False) or "",))
            else:
                answers = self.sequence(item, "blanks") or []
                blanks.append(tuple(self.text(a, "blanks", required=False) or "" for a in answers))
        if fill:
            options = {}
        return DraftVersion(
            text=text or "",
            options=options,
            explanation=explanation,
            reviewed=reviewed,
            cells=cells,
            blanks=tuple(blanks),
        )

    def answer(self, node: Node | None, kind: str | None) -> tuple[str, ...] | None:
        """``B`` or ``[A, C]`` as keys (``answer:`` is none); YAML's true/false as T/F."""
        if node is None or kind is None:
            return None
        if kind == Kind.TRUEFALSE.value:
            # YAML's own words for true and false (true/false/yes/no/on/off) are the
            # answer of a true/false question; anything else, even T, is not.
            value = bool_value(node)
            if value is None:
                shown = node.value if isinstance(node, ScalarNode) else "…"
                self.report(node, m.TRUEFALSE_ANSWER, value=shown)
                return None
            return ("T",) if value else ("F",)
        if is_null(node):
            return ()
        if isinstance(node, ScalarNode):
            return (normalize(node.value),)
        if isinstance(node, SequenceNode) and all(
            isinstance(item, ScalarNode) and not is_null(item) for item in node.value
        ):
            return tuple(normalize(item.value) for item in node.value)
        self.report(node, m.BAD_ANSWER)
        return None

    # -- single values ----------------------------------------------------------------

    def text(
        self,
        node: Node | None,
        key: str,
        *,
        required: bool = True,
    ) -> str | None:
        """Normalized text of a scalar (numbers and dates are kept as written)."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, m.NOT_SCALAR, key=key)
            return None
        value = "" if is_null(node) else normalize(node.value)
        if not value:
            if required:
                self.report(node, m.EMPTY_TEXT, key=key)
            return None
        return value

    def difficulty(self, node: Node | None) -> int | str | None:
        """An int as YAML reads it; any other scalar as written (reported as a difficulty)."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, m.NOT_SCALAR, key="difficulty")
            return None
        if node.tag == INT_TAG and node.value in {str(level) for level in rules.DIFFICULTIES}:
            return int(node.value)
        return node.value  # as written: the assembler names it in its message

    def flag(self, node: Node | None, key: str, *, default: bool) -> bool | None:
        if node is None:
            return default
        value = bool_value(node)
        if value is None:
            shown = node.value if isinstance(node, ScalarNode) else "…"
            self.report(node, m.NOT_BOOL, key=key, value=shown)
        return value

    def language_map(self, node: Node | None, key: str) -> dict[str, str] | None:
        """``{zh: ..., mn: ...}``: at least one language, each with non-empty text."""
        if node is None:
            return None
        found = self.fields(node, key, (), languages=True)
        if found is None:
            return None
        if not found:
            self.report(node, m.NO_LANGUAGE, key=key, allowed=_ALLOWED_LANGUAGES)
            return None
        texts = {
            language: self.text(found[language], language)
            for language in LANGUAGES
            if language in found
        }
        if any(text is None for text in texts.values()):
            return None
        return {language: text for language, text in texts.items() if text is not None}

    # -- structure --------------------------------------------------------------------

    def sequence(self, node: Node | None, key: str) -> list[Node] | None:
        """Items of a list; ``key:`` with nothing after it is an empty list."""
        if node is None:
            return None
        if is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.report(node, m.NOT_LIST, key=key)
            return None
        return list(node.value)

    def pairs(self, node: Node, key: str) -> list[tuple[ScalarNode, Node]] | None:
        """Key and value nodes of a mapping, reporting non-name keys and duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(node, m.NOT_MAPPING, key=key)
            return None
        pairs: list[tuple[ScalarNode, Node]] = []
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, m.KEY_NOT_NAME)
                continue
            name = key_node.value
            if name in first_line:
                self.report(key_node, m.DUPLICATE_KEY, key=name, first=first_line[name])
                continue
            first_line[name] = line_of(key_node)
            pairs.append((key_node, value_node))
        return pairs

    def fields(
        self,
        node: Node,
        key: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        *,
        languages: bool = False,
    ) -> dict[str, Node] | None:
        """Value nodes by name of a mapping with known keys; unknown and missing keys reported.

        With ``languages``, the keys ``zh`` and ``mn`` are allowed too, and a key that
        looks like another language code is reported as an unknown language.
        """
        pairs = self.pairs(node, key)
        if pairs is None:
            return None
        allowed = (*required, *optional, *(LANGUAGES if languages else ()))
        found: dict[str, Node] = {}
        for key_node, value_node in pairs:
            name = key_node.value
            if name in allowed:
                found[name] = value_node
            elif languages and _LANGUAGE_LIKE.fullmatch(name):
                self.report(key_node, m.UNKNOWN_LANGUAGE, code=name, allowed=_ALLOWED_LANGUAGES)
            else:
                self.report(key_node, m.UNKNOWN_KEY, key=name, allowed=", ".join(allowed))
        for name in required:
            if name not in found:
                self.report(node, m.MISSING_KEY, key=name)
        return found


def _peek(node: Node, key: str) -> str | None:
    """The plain value of ``key`` in a mapping node, before the mapping is checked."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value_node.value if isinstance(value_node, ScalarNode) else None
    return None
