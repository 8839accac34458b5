"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format): read and write.

Reading takes ``multichoice`` (single or multiple answers by ``<single>``), ``truefalse``
and ``category`` questions (a category question sets the category of the questions after
it; ``$course$/A/B`` becomes the category ``A/B``). Every other type (cloze, essay,
matching, numerical, shortanswer, description, ...) is named as unsupported and skipped.
Answer fractions must be among Moodle's grades, as Moodle's own import requires. Texts in
HTML (``html``, and ``moodle_auto_format`` that holds tags) become plain text; CDATA is
read as text; ``<generalfeedback>`` is the explanation; ``<idnumber>`` the id when it is a
valid id.

The XML is parsed by defusedxml with DTDs (and so entity definitions and external
entities) refused: an "entity bomb" or an XXE file stops at its DOCTYPE. Problems name the
line of the element.

Writing gives what Moodle imports, plus a ``<quizbank>`` element per question with the
fields Moodle has no place for (difficulty, source, language, reviewed); Moodle ignores
it. One language per question, as in GIFT.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from question_bank import messages as m
from question_bank import rules
from question_bank.formats.base import (
    Collector,
    Failed,
    ImportResult,
    ReadOptions,
    script_language,
    without_control_characters,
)
from question_bank.formats.drafts import (
    Assembler,
    Categories,
    Draft,
    DraftMedia,
    DraftVersion,
    apply_weights,
    list_keys,
    moodle_category_name,
)
from question_bank.formats.gift import export_language, is_moodle_grade
from question_bank.formats.html_text import html_parts, looks_like_html
from question_bank.media import is_url
from question_bank.model import LANGUAGES, Bank, Kind, Media, Question

_KIND_NAMES = {
    "cloze": "cloze",
    "multianswer": "cloze",
    "match": "matching",
    "matching": "matching",
}


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that remembers the line where each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.expat.CurrentLineNumber if self.expat else 0
        return element


def parse_xml(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """The root element and element lines; ``Failed`` for syntax errors, DTDs, entities."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        raise Failed(parser.parser.CurrentLineNumber, m.XML_FORBIDDEN) from None
    except ET.ParseError as error:
        line = error.position[0] if error.position else None
        raise Failed(line, m.XML_SYNTAX, detail=str(error)) from None
    return root, builder.lines


class MoodleXmlReader:
    def __init__(
        self,
        collector: Collector,
        categories: Categories,
        options: ReadOptions,
        lines: dict[int, int],
    ) -> None:
        self.collector = collector
        self.categories = categories
        self.options = options
        self.lines = lines
        self.category: str | None = None

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def read(self, root: ET.Element) -> list[Draft]:
        if root.tag != "quiz":
            self.collector.error(self.line(root), m.XML_NOT_QUIZ, tag=root.tag)
            return []
        drafts = []
        for question in root.findall("question"):
            kind = question.get("type", "")
            if kind == "category":
                self._category(question)
            elif kind in {"multichoice", "truefalse", "shortanswer"}:
                draft = self._question(question, kind)
                if draft is not None:
                    drafts.append(draft)
            else:
                name = self._plain(question.findtext("name/text") or "", "moodle_auto_format")
                self.collector.skip(self.line(question), _KIND_NAMES.get(kind, kind), name)
        return drafts

    def _category(self, question: ET.Element) -> None:
        path = question.findtext("category/text") or ""
        name = moodle_category_name(path)
        if not name:
            return
        category_id = (question.findtext("idnumber") or "").strip()
        language = (question.findtext("quizbank/language") or "").strip()
        if language not in LANGUAGES:
            language = script_language(name, self.options.language)
        valid = category_id and rules.slug_issue("id", category_id) is None
        self.category = self.categories.declare(name, language, category_id if valid else None)

    def _plain(
        self,
        text: str,
        text_format: str,
        where: int | None = None,
        pictures: list[DraftMedia] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> str:
        if text_format == "html" or (text_format == "moodle_auto_format" and looks_like_html(text)):
            text, images, other = html_parts(text)
            if pictures is not None and where is not None:
                for source, alt in images:
                    name = unquote(source.split("@@PLUGINFILE@@/", 1)[-1]).rsplit("/", 1)[-1]
                    if source.startswith("@@PLUGINFILE@@") and name in (files or {}):
                        pictures.append(
                            DraftMedia(where, data=(files or {})[name], ref=name, alt=alt)
                        )
                    elif is_url(source):
                        pictures.append(DraftMedia(where, ref=source, alt=alt))
                    else:
                        self.collector.warn(where, m.MEDIA_DROPPED)
            if other and where is not None:
                self.collector.warn(where, m.MEDIA_DROPPED)
        return text.strip()

    def _formatted(
        self,
        element: ET.Element | None,
        where: int | None,
        default: str,
        pictures: list[DraftMedia] | None = None,
    ) -> str:
        """The plain text of a ``<questiontext>``-like element; its pictures (embedded
        ``<file encoding="base64">`` named by ``@@PLUGINFILE@@``, or addresses) go to
        ``pictures`` with their alt text, which stays out of the text."""
        if element is None:
            return ""
        files: dict[str, bytes] = {}
        for file in element.findall("file"):
            if (file.get("encoding") or "").lower() == "base64" and file.get("name"):
                try:
                    files[file.get("name", "")] = base64.b64decode(
                        "".join((file.text or "").split())
                    )
                except ValueError:
                    self.collector.error(where, m.MEDIA_TYPE, name=file.get("name", ""))
        text = element.findtext("text") or ""
        return self._plain(text, element.get("format", default), where, pictures, files)

    def _question(self, question: ET.Element, kind: str) -> Draft | None:
        where = self.line(question)
        title = self._plain(question.findtext("name/text") or "", "moodle_auto_format") or None
        pictures: list[DraftMedia] = []
        text = self._formatted(question.find("questiontext"), where, "html", pictures)
        explanation = self._formatted(question.find("generalfeedback"), where, "html") or None
        extra = question.find("quizbank")
        language = (extra.findtext("language") if extra is not None else None) or ""
        if language not in LANGUAGES:
            language = script_language(text, self.options.language)
        reviewed = (extra.findtext("reviewed") if extra is not None else None) or "true"
        version = DraftVersion(
            text=text, explanation=explanation, reviewed=reviewed.strip().lower() != "false"
        )
        draft = Draft(
            where=where,
            kind=None,
            versions={language: version},
            answer=None,
            title=title,
            id=(question.findtext("idnumber") or "").strip() or None,
            category=self.category,
            difficulty=_difficulty(extra),
            source=(extra.findtext("source") if extra is not None else None) or None,
            tags=tuple(
                (tag.findtext("text") or "").strip() for tag in question.findall("tags/tag")
            ),
            media=pictures,
        )
        answers = []
        option_pictures: list[list[DraftMedia]] = []
        for answer in question.findall("answer"):
            answer_where = self.line(answer)
            raw = answer.get("fraction", "0")
            try:
                fraction = float(raw) / 100
            except ValueError:
                self.collector.error(answer_where, m.BAD_NUMBER, key="fraction", value=raw)
                return None
            if not is_moodle_grade(fraction):
                self.collector.error(answer_where, m.BAD_WEIGHT, weight=raw)
                return None
            found: list[DraftMedia] = []
            answers.append((self._formatted(answer, where, "moodle_auto_format", found), fraction))
            option_pictures.append(found)
        if kind == "truefalse":
            return self._truefalse(draft, answers)
        if kind == "shortanswer":
            if any(0 < fraction < 0.99999 for _, fraction in answers):
                self.collector.warn(where, m.WEIGHTS_SIMPLIFIED)
            draft.kind, draft.answer = Kind.FILL, ()
            version.blanks = (tuple(text for text, fraction in answers if fraction >= 0.99999),)
            return draft
        keys = list_keys(len(answers))
        draft.option_media = {
            k: found for k, found in zip(keys, option_pictures, strict=False) if found
        }
        version.options = {key: text for key, (text, _) in zip(keys, answers, strict=False)}
        single = (question.findtext("single") or "true").strip().lower() in {"true", "1"}
        fractions = [fraction for _, fraction in answers]
        if not apply_weights(draft, keys, fractions, single, self.collector, where):
            return None
        return draft

    @staticmethod
    def _truefalse(draft: Draft, answers: list[tuple[str, float]]) -> Draft:
        draft.kind = Kind.TRUEFALSE
        by_text = {text.strip().lower(): fraction for text, fraction in answers}
        if "true" in by_text:
            right = by_text["true"] >= 0.99999
        elif "false" in by_text:
            right = by_text["false"] < 0.99999
        elif answers:
            right = answers[0][1] >= 0.99999
        else:
            draft.answer = None
            return draft
        draft.answer = ("T",) if right else ("F",)
        return draft


def read_moodle_xml(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    try:
        root, lines = parse_xml(data)
    except Failed as failed:
        collector.error(failed.where, failed.message, **failed.params)
        return assembler.build("moodle-xml", [])
    drafts = MoodleXmlReader(collector, categories, options, lines).read(root)
    return assembler.build("moodle-xml", drafts)


# -- writing ------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = without_control_characters(text)
    return element


def _text_element(parent: ET.Element, tag: str, text: str, text_format: str) -> ET.Element:
    element = _sub(parent, tag, format=text_format)
    _sub(element, "text", text)
    return element


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


_SUFFIX = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def _pictures_element(
    parent: ET.Element, tag: str, text: str, pictures: tuple[Media, ...]
) -> ET.Element:
    """A text with pictures, as Moodle writes it: HTML with ``<img src="@@PLUGINFILE@@/x">``
    and a ``<file encoding="base64">`` per picture (an address stays an address)."""
    from html import escape as html_escape

    html = "<p>" + html_escape(text).replace("\n", "<br>") + "</p>"
    element = _sub(parent, tag, format="html")
    files = []
    for number, media in enumerate(pictures, start=1):
        if media.data is not None:
            name = f"{number}-{(media.sha256 or '')[:12]}.{_SUFFIX.get(media.mime or '', 'bin')}"
            source = "@@PLUGINFILE@@/" + name
            files.append((name, media.data))
        else:
            source = media.url or ""
        html += f'<p><img src="{html_escape(source)}" alt="{html_escape(media.alt)}"></p>'
    _sub(element, "text", html)
    for name, data in files:
        file = _sub(element, "file", base64.b64encode(data).decode("ascii"), name=name)
        file.set("path", "/")
        file.set("encoding", "base64")
    return element


def _question(quiz: ET.Element, question: Question, language: str) -> None:
    language = export_language(question.languages, language)
    version = question.versions[language]
    if question.kind is Kind.FILL and len(version.blanks) != 1:
        quiz.append(ET.Comment(f" {question.id}: a fill-in question with several blanks "))
        return
    kind = {Kind.TRUEFALSE: "truefalse", Kind.FILL: "shortanswer"}.get(question.kind, "multichoice")
    # "--" may not appear inside an XML comment (ids like "a--b" are legal slugs).
    quiz.append(ET.Comment(f" question: {'- '.join(question.id.split('-'))} "))
    element = _sub(quiz, "question", type=kind)
    name = _sub(element, "name")
    _sub(name, "text", question.id)
    if question.media:
        _pictures_element(element, "questiontext", version.text, question.media)
    else:
        _text_element(element, "questiontext", version.text, "plain_text")
    _text_element(element, "generalfeedback", version.explanation or "", "plain_text")
    _sub(element, "defaultgrade", "1")
    _sub(element, "penalty", "1" if kind == "truefalse" else "0.3333333")
    _sub(element, "hidden", "0")
    _sub(element, "idnumber", question.id)
    if question.kind is Kind.FILL:
        _sub(element, "usecase", "0")
        for accepted in version.blanks[0]:
            answer = _text_element(element, "answer", accepted, "moodle_auto_format")
            answer.set("fraction", "100")
            _text_element(answer, "feedback", "", "html")
    elif question.kind is Kind.TRUEFALSE:
        right = question.answer == ("T",)
        for value, correct in (("true", right), ("false", not right)):
            answer = _text_element(element, "answer", value, "moodle_auto_format")
            answer.set("fraction", "100" if correct else "0")
            _text_element(answer, "feedback", "", "html")
    else:
        _sub(element, "single", "true" if question.kind is Kind.SINGLE else "false")
        _sub(element, "shuffleanswers", "true")
        _sub(element, "answernumbering", "ABCD")
        share = _percent(100 / len(question.answer))
        for key in question.option_keys:
            right = key in question.answer
            if question.kind is Kind.SINGLE:
                fraction = "100" if right else "0"
            else:
                fraction = share if right else f"-{share}"
            if key in question.option_media:
                answer = _pictures_element(
                    element, "answer", version.options[key], question.option_media[key]
                )
            else:
                answer = _text_element(element, "answer", version.options[key], "plain_text")
            answer.set("fraction", fraction)
            _text_element(answer, "feedback", "", "html")
    if question.tags:
        tags = _sub(element, "tags")
        for tag in question.tags:
            _sub(_sub(tags, "tag"), "text", tag)
    extra = _sub(element, "quizbank")
    _sub(extra, "difficulty", str(question.difficulty))
    _sub(extra, "source", question.source)
    _sub(extra, "language", language)
    _sub(extra, "reviewed", "true" if version.reviewed else "false")


def write_moodle_xml(bank: Bank, language: str = "zh") -> bytes:
    """The bank as Moodle XML: a category question per category, then the questions with
    a category question wherever the category changes. One language per question."""
    quiz = ET.Element("quiz")
    names = {category.id: category for category in bank.categories}

    def category_question(category_id: str) -> None:
        category = names[category_id]
        name_language = export_language(list(category.name), language)
        quiz.append(ET.Comment(" question: 0  "))
        element = _sub(quiz, "question", type="category")
        _sub(_sub(element, "category"), "text", f"$course$/top/{category.name[name_language]}")
        _text_element(element, "info", "", "moodle_auto_format")
        _sub(element, "idnumber", category.id)
        _sub(_sub(element, "quizbank"), "language", name_language)

    for category in bank.categories:
        category_question(category.id)
    current = bank.categories[-1].id if bank.categories else None
    for question in bank.questions:
        if question.category != current and question.category in names:
            category_question(question.category)
            current = question.category
        _question(quiz, question, language)
    ET.indent(quiz, space="  ")
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


_DIFFICULTY_DIGITS = {str(level) for level in rules.DIFFICULTIES}


def _difficulty(extra: ET.Element | None) -> int | str | None:
    """The platform's ``<difficulty>`` as a number; anything else as written (the
    assembler names it in its message)."""
    value = ((extra.findtext("difficulty") if extra is not None else None) or "").strip()
    if not value:
        return None
    return int(value) if value in _DIFFICULTY_DIGITS else value
