"""``Bank`` -> YAML text in the documented format, laid out the way people write it.

Short maps and lists stay inline (``{zh: ..., mn: ...}``, ``[A, C]``), multi-line text
becomes a literal block, list items are indented under their key, and nothing is wrapped,
so a dumped bank reads (and diffs) like a hand-written one.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml

from question_bank import rules
from question_bank.literacy import BENCHMARKS
from question_bank.model import LANGUAGES, TRUE_FALSE_KEYS, Bank, Kind, Media, Question


class _FlowMap(dict[str, Any]):
    """A mapping written on one line: ``{zh: ..., mn: ...}``."""


class _FlowList(list[Any]):
    """A list written on one line: ``[A, C]``."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that keeps short maps and lists inline and multi-line text literal."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them (and the docs show).
        super().increase_indent(flow, indentless=False)


_YAML_LINE_BREAKS = frozenset("\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    if _YAML_LINE_BREAKS.intersection(data):
        # Only double quotes escape these; PyYAML would write them raw in other styles,
        # and a reader would then fold them into spaces.
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowMap, _represent_flow_map)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def dump_bank(bank: Bank) -> str:
    """The bank as YAML in the documented format (what ``parse_bank`` reads back)."""
    document = {
        "format": rules.FORMAT,
        "bank": {"id": bank.id, "title": _languages(bank.title)},
        "categories": [
            {"id": category.id, "name": _languages(category.name)} for category in bank.categories
        ],
        "questions": [_question_document(question) for question in bank.questions],
    }
    return yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )


def _languages(texts: dict[str, str]) -> _FlowMap:
    return _FlowMap((language, texts[language]) for language in LANGUAGES if language in texts)


def _question_document(question: Question) -> dict[str, Any]:
    answer: Any
    if question.kind is Kind.TRUEFALSE:
        answer = question.answer == (TRUE_FALSE_KEYS[0],)
    elif question.kind is Kind.SINGLE:
        answer = question.answer[0]
    else:
        answer = _FlowList(question.answer)
    document: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind.value,
        "category": question.category,
        "difficulty": question.difficulty,
        "answer": answer,
        "source": question.source,
    }
    if question.kind is Kind.FILL:
        del document["answer"]
    if question.tags:
        document["tags"] = _FlowList(question.tags)
    if question.reserved:
        document["reserved"] = True
    if question.benchmark:
        document["benchmark"] = question.benchmark
        if question.literacy_part != BENCHMARKS[question.benchmark].part:
            document["part"] = question.literacy_part
    if question.points is not None:
        points = question.points
        document["points"] = int(points) if points.is_integer() else points
    if question.media:
        document["pictures"] = [_picture(media) for media in question.media]
    if question.option_media:
        document["option_pictures"] = {
            key: [_picture(media) for media in question.option_media[key]]
            for key in question.option_keys
            if key in question.option_media
        }
    for language in question.languages:
        version = question.versions[language]
        block: dict[str, Any] = {"text": version.text}
        if question.kind is Kind.FILL:
            block["blanks"] = [_FlowList(answers) for answers in version.blanks]
        elif question.kind is not Kind.TRUEFALSE:
            block["options"] = {key: version.options[key] for key in question.option_keys}
        if version.explanation is not None:
            block["explanation"] = version.explanation
        if not version.reviewed:
            block["reviewed"] = False
        document[language] = block
    return document


def _picture(media: Media) -> dict[str, Any]:
    """A picture as YAML: its bytes in base64 (or the address that was not fetched)."""
    document: dict[str, Any] = {}
    if media.data is not None:
        document["data"] = base64.b64encode(media.data).decode("ascii")
    else:
        document["url"] = media.url
    if media.alt:
        document["alt"] = media.alt
    return document
