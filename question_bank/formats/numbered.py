"""Numbered questions in plain text or in a Word document (the "文本导入" layout).

What most Chinese exam systems (问卷星, 考试星, ...) call 智能识别: a question line starting
``1.``, ``1、``, ``1．`` or ``（1）``, its options ``A.``/``A、``/``A．``/``A)`` one per line or
several on a line, then ``答案：B`` (also ``答案:B``, ``【答案】B``, ``正确答案：AC``,
``ANSWER: B``, any colon, full-width letters), and optionally ``解析：``/``【解析】``,
``难度：``, ``分类：``/``知识点：``, ``题型：``, ``分值：``. Blank lines are optional; text
above the first question (a title) is ignored; a heading line such as ``一、单选题`` sets
the kind of the questions under it, as does ``【多选题】`` at the start of a question.
True/false questions have no options (``答案：正确``/``错误``/``对``/``错``/``√``/``×``) or the
two options 正确/错误; a question without options whose answer is no true/false word is a
fill-in question (blanks separated by ``|``, accepted answers of a blank by ``/``).

Plain text may be UTF-8 (with or without a BOM), UTF-16 with a BOM or GBK/GB18030. A Word
document (.docx) is read as the same lines, one per paragraph (and per line break); its
pictures come along with the question or option whose paragraph holds them. Locations
are line numbers (paragraph numbers in a .docx).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from question_bank import messages as m
from question_bank.formats import answers as words
from question_bank.formats.base import (
    Collector,
    Failed,
    ImportResult,
    ReadOptions,
    decode_spreadsheet_text,
    script_language,
)
from question_bank.formats.drafts import Assembler, Categories, Draft, DraftMedia, DraftVersion
from question_bank.model import Kind
from question_bank.text import editor_lines

_QUESTION = re.compile(
    r"\s*(?:第\s*(\d{1,4})\s*题\s*[.、．:：]?|(\d{1,4})\s*[.、．:：](?!\d)|[（(]\s*(\d{1,4})\s*[)）])\s*(.*)"
)
_OPTION_START = re.compile(r"(?:(?<=\s)|^)([A-Ha-hＡ-Ｈ])\s*[.、．)）:：]\s*")
_FIELD = re.compile(
    r"\s*[【\[]?\s*(正确答案|参考答案|标准答案|答案解析|试题解析|答案|解析|难度|分类|知识点|题型|分值|"
    r"answer|explanation|difficulty|category|type|points)\s*[】\]]?\s*[:：]?\s*(.*)",
    re.IGNORECASE,
)
_FIELD_NAMES = {
    "正确答案": "answer",
    "参考答案": "answer",
    "标准答案": "answer",
    "答案": "answer",
    "answer": "answer",
    "答案解析": "explanation",
    "试题解析": "explanation",
    "解析": "explanation",
    "explanation": "explanation",
    "难度": "difficulty",
    "difficulty": "difficulty",
    "分类": "category",
    "知识点": "category",
    "category": "category",
    "题型": "kind",
    "type": "kind",
    "分值": "points",
    "points": "points",
}
_KIND_TAG = re.compile(r"\s*[【\[［(（]\s*([^】\]］)）]{1,12}?)\s*[】\]］)）]\s*(.*)")
_HEADING = re.compile(
    r"\s*(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分)?\s*(.{1,12}?)\s*(?:[(（].*[)）])?\s*[:：]?\s*"
)

# A line and what it holds: its number, its text and the pictures anchored in it.
Line = tuple[int, str, list[DraftMedia]]


@dataclass
class _Question:
    where: int
    text: list[str]
    kind: Kind | str | None
    options: dict[str, str] = field(default_factory=dict)
    option_lines: dict[str, int] = field(default_factory=dict)
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    media: list[DraftMedia] = field(default_factory=list)
    option_media: dict[str, list[DraftMedia]] = field(default_factory=dict)
    last: str = "text"  # where a continuation line goes: text, an option key, a field


def _field(line: str) -> tuple[str, str] | None:
    match = _FIELD.fullmatch(line)
    if not match:
        return None
    name = _FIELD_NAMES[match.group(1).lower()]
    rest = match.group(2)
    # "答案" alone is a field; "答案是什么" (a question text) is not: a field has a colon,
    # brackets, or a value that is short.
    raw = line.strip()
    marked = "：" in raw[:12] or ":" in raw[:12] or raw.startswith(("【", "["))
    if not marked:
        return None
    return name, rest.strip()


def _options_in(line: str) -> list[tuple[str, str]] | None:
    """``A.北京 B.上海`` → [(A, 北京), (B, 上海)] when the line starts with an option."""
    starts = list(_OPTION_START.finditer(line.strip()))
    if not starts or starts[0].start() != 0:
        return None
    text = line.strip()
    found = []
    for number, match in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        key = words.width(match.group(1)).upper()
        found.append((key, text[match.end() : end].strip()))
    keys = [key for key, _ in found]
    # Several options on one line must run in order (A B C), or it is one option's text.
    if len(found) > 1 and keys != sorted(keys):
        return [(found[0][0], text[starts[0].end() :].strip())]
    return found


class NumberedReader:
    def __init__(self, collector: Collector, categories: Categories, options: ReadOptions):
        self.collector = collector
        self.categories = categories
        self.options = options

    def read(self, lines: list[Line]) -> list[Draft]:
        questions: list[_Question] = []
        current: _Question | None = None
        section_kind: Kind | str | None = None
        for number, raw, media in lines:
            line = raw.strip()
            if not line and not media:
                continue
            start = _QUESTION.fullmatch(line) if line else None
            if start and not (current and current.last != "text" and _field(line)):
                text = start.group(4).strip()
                kind = section_kind
                tagged = _KIND_TAG.fullmatch(text)
                if tagged and words.kind_of(tagged.group(1)) is not None:
                    kind, text = words.kind_of(tagged.group(1)), tagged.group(2).strip()
                current = _Question(number, [text] if text else [], kind, media=list(media))
                questions.append(current)
                continue
            if current is None or current.last in ("answer", "explanation", "category"):
                heading = self._heading(line)
                if heading is not None:
                    section_kind = heading
                    current = None
                    continue
            if current is None:
                continue  # a title above the first question
            found = _field(line) if line else None
            if found is not None:
                name, value = found
                current.fields[name] = (value, number)
                current.last = name
                if name == "kind" and words.kind_of(value) is not None:
                    current.kind = words.kind_of(value)
                continue
            options = _options_in(line) if line and current.last != "explanation" else None
            if options:
                for key, value in options:
                    current.options[key] = value
                    current.option_lines[key] = number
                current.last = options[-1][0]
                if media:
                    current.option_media.setdefault(current.last, []).extend(media)
                continue
            self._continue(current, line, media)
        return [draft for q in questions if (draft := self._draft(q)) is not None]

    @staticmethod
    def _heading(line: str) -> Kind | str | None:
        """The kind a section heading names (``一、单选题``, ``多选题（每题2分）``)."""
        match = _HEADING.fullmatch(line)
        if not match:
            return None
        kind = words.kind_of(match.group(1))
        return kind

    @staticmethod
    def _continue(question: _Question, line: str, media: list[DraftMedia]) -> None:
        target = question.last
        if target == "text":
            if line:
                question.text.append(line)
            question.media.extend(media)
        elif target in question.options:
            if line:
                question.options[target] += "\n" + line
            question.option_media.setdefault(target, []).extend(media)
        elif target in question.fields:
            value, where = question.fields[target]
            question.fields[target] = ((value + "\n" + line).strip(), where)
            question.media.extend(media)

    def _draft(self, q: _Question) -> Draft | None:
        text = "\n".join(q.text).strip()
        language = script_language(text, self.options.language)
        answer_value, answer_where = q.fields.get("answer", ("", q.where))
        kind = q.kind
        if isinstance(kind, str) and kind.startswith("!"):
            self.collector.skip(q.where, kind[1:], text[:60] or None)
            return None
        if kind is None:
            kind = words.infer_kind(answer_value, bool(q.options), text)
            if kind == words.CHOICE and not q.options:
                kind = Kind.FILL
        version = DraftVersion(
            text=text,
            options=dict(q.options),
            explanation=q.fields.get("explanation", ("", 0))[0] or None,
            cells={
                **q.option_lines,
                "text": q.where,
                "options": min(q.option_lines.values(), default=q.where),
            },
        )
        if kind is Kind.FILL:
            version.blanks = words.blanks_of(answer_value)
        options = {language: version.options or {}}
        kind, answer, wrong = words.read_answer(kind, answer_value, options)
        if wrong is not None:
            self.collector.error(answer_where, wrong, value=answer_value)
            return None
        version.options = options[language]
        return Draft(
            where=q.where,
            kind=kind,
            versions={language: version},
            answer=answer,
            title=text[:60] or None,
            category=q.fields.get("category", ("", 0))[0] or None,
            difficulty=words.difficulty_of(q.fields.get("difficulty", ("", 0))[0]),
            cells={name: where for name, (_, where) in q.fields.items()},
            points=words.points_of(q.fields.get("points", ("", 0))[0]),
            media=q.media,
            option_media=q.option_media,
        )


def read_lines(
    lines: list[Line], fmt: str, filename: str, options: ReadOptions, *, encoding: str | None = None
) -> ImportResult:
    collector = Collector(filename)
    categories = Categories(options.known_categories)
    assembler = Assembler(collector, categories, options)
    drafts = NumberedReader(collector, categories, options).read(lines)
    return assembler.build(fmt, drafts, encoding=encoding)


def read_text(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    try:
        text, encoding = decode_spreadsheet_text(data)
    except Failed as failed:
        collector = Collector(filename)
        collector.error(failed.where, failed.message, **failed.params)
        return Assembler(collector, Categories(), options).build("text", [])
    lines: list[Line] = [
        (number, line, []) for number, line in enumerate(editor_lines(text), start=1)
    ]
    return read_lines(lines, "text", filename, options, encoding=encoding)


# -- Word documents -----------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xml(data: bytes) -> ET.Element:
    from defusedxml.ElementTree import fromstring

    return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def docx_lines(data: bytes, options: ReadOptions) -> list[Line]:
    """The paragraphs of a .docx (tables included), each line numbered, with pictures."""
    from question_bank.formats.xlsx import check_zip

    check_zip(data, options, damaged=m.DOCX_DAMAGED)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = _xml(archive.read("word/document.xml"))
            targets: dict[str, str] = {}
            if "word/_rels/document.xml.rels" in archive.namelist():
                for rel in _xml(archive.read("word/_rels/document.xml.rels")):
                    if rel.get("TargetMode") != "External":
                        targets[rel.get("Id", "")] = rel.get("Target", "")
                    else:
                        targets[rel.get("Id", "")] = "external:" + rel.get("Target", "")
            names = set(archive.namelist())

            def picture(rel_id: str, alt: str, number: int) -> DraftMedia | None:
                target = targets.get(rel_id)
                if not target:
                    return None
                if target.startswith("external:"):
                    return DraftMedia(number, ref=target[len("external:") :], alt=alt)
                path = target.lstrip("/") if target.startswith("/") else "word/" + target
                path = "/".join(p for p in path.split("/") if p not in ("", "."))
                if path not in names:
                    return None
                return DraftMedia(
                    number, data=archive.read(path), ref=path.rsplit("/", 1)[-1], alt=alt
                )

            lines: list[Line] = []
            for number, paragraph in enumerate(body.iter(_W + "p"), start=1):
                parts: list[str] = []
                media: list[DraftMedia] = []
                for node in paragraph.iter():
                    if node.tag == _W + "t" and node.text:
                        parts.append(node.text)
                    elif node.tag == _W + "tab":
                        parts.append("\t")
                    elif node.tag in (_W + "br", _W + "cr"):
                        parts.append("\n")
                    elif node.tag == _WP + "docPr":
                        alt = node.get("descr") or node.get("title") or ""
                        media.append(DraftMedia(number, alt=alt))  # bytes come with the blip
                    elif node.tag == _A + "blip":
                        found = picture(
                            node.get(_R + "embed") or node.get(_R + "link") or "", "", number
                        )
                        if found is not None:
                            if media and media[-1].data is None and not media[-1].ref:
                                found.alt = media[-1].alt
                                media[-1] = found
                            else:
                                media.append(found)
                    elif node.tag == _V + "imagedata":
                        found = picture(node.get(_R + "id") or "", node.get("title") or "", number)
                        if found is not None:
                            media.append(found)
                media = [item for item in media if item.data is not None or item.ref]
                text = "".join(parts)
                pieces = text.split("\n") or [""]
                for index, piece in enumerate(pieces):
                    lines.append((number, piece, media if index == len(pieces) - 1 else []))
            return lines
    except Failed:
        raise
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError, ValueError) as error:
        raise Failed(
            None, m.DOCX_DAMAGED, detail=str(error)[:200] or type(error).__name__
        ) from None
    except Exception as error:  # defusedxml refusals and anything else inside a bad file
        raise Failed(None, m.DOCX_DAMAGED, detail=type(error).__name__) from None


def read_docx(data: bytes, filename: str, options: ReadOptions) -> ImportResult:
    try:
        lines = docx_lines(data, options)
    except Failed as failed:
        collector = Collector(filename)
        collector.error(failed.where, failed.message, **failed.params)
        return Assembler(collector, Categories(), options).build("docx", [])
    return read_lines(lines, "docx", filename, options)


# -- writing (the template) ---------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def write_docx_lines(lines: list[str]) -> bytes:
    """A minimal Word document with one paragraph per line (what the template is)."""
    from xml.sax.saxutils import escape

    from question_bank.formats.base import without_control_characters

    runs = (escape(without_control_characters(line)) for line in lines)
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{run}</w:t></w:r></w:p>' for run in runs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


TEMPLATE_LINES = {
    "zh": [
        "科学素质题库（示例：把下面的题目换成你的题目）",
        "一、单选题",
        "1. 接种疫苗的主要作用是什么？",
        "A. 治疗已经发生的感染",
        "B. 使身体产生针对特定病原体的免疫力",
        "C. 补充营养",
        "D. 代替抗生素",
        "答案：B",
        "解析：疫苗刺激免疫系统产生记忆。",
        "难度：易",
        "分类：生命与健康",
        "",
        "二、多选题",
        "2. 下列哪些属于人体必需的营养素？",
        "A. 蛋白质  B. 塑料  C. 维生素",
        "答案：AC",
        "",
        "三、判断题",
        "3. 地球绕太阳公转一周约需一年。",
        "答案：正确",
        "",
        "四、填空题",
        "4. 水的化学式是____。",
        "答案：H2O/H₂O",
    ],
}


def docx_template(language: str = "zh") -> bytes:
    """A Word document in the numbered layout with one example of each kind."""
    return write_docx_lines(TEMPLATE_LINES.get(language, TEMPLATE_LINES["zh"]))


def text_template(language: str = "zh") -> bytes:
    """The same example as plain UTF-8 text."""
    return ("\n".join(TEMPLATE_LINES.get(language, TEMPLATE_LINES["zh"])) + "\n").encode("utf-8")
