"""Spreadsheet rows (CSV or an XLSX sheet) to draft questions, and the header names.

One row is one question. Columns are found by their header, in English, Chinese or
Mongolian (``题目``, ``选项A``, ``答案``, ...); a language in brackets after a header says
which language the column holds: ``题目(中文)``, ``题目(蒙古文)``, ``text (mn)``. Text
columns without a language hold the language of their text (Mongolian script: ``mn``,
otherwise the import's language). See docs/question-bank-format.md.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from question_bank import messages as m
from question_bank.formats import answers as words
from question_bank.formats import mongolian as mg
from question_bank.formats.answers import FALSE_WORDS, TRUE_WORDS
from question_bank.formats.base import Collector, Location, ReadOptions, script_language
from question_bank.formats.drafts import Assembler, Categories, Draft, DraftMedia, DraftVersion
from question_bank.model import LANGUAGES, OPTION_KEYS, Kind
from question_bank.text import fold_key, normalize

Cell = tuple[Any, Location]
Row = Sequence[Cell]

HEADER_LANGUAGES = ("zh", "mn", "en")

# Field -> header written in each header language (the first name the reader accepts).
HEADERS: dict[str, dict[str, str]] = {
    "id": {"zh": "编号", "mn": mg.NUMBER, "en": "id"},
    "kind": {"zh": "题型", "mn": mg.KIND, "en": "kind"},
    "category": {"zh": "分类", "mn": mg.CATEGORY, "en": "category"},
    "difficulty": {"zh": "难度", "mn": mg.DIFFICULTY, "en": "difficulty"},
    "answer": {"zh": "答案", "mn": mg.ANSWER, "en": "answer"},
    "source": {"zh": "出处", "mn": mg.SOURCE, "en": "source"},
    "tags": {"zh": "标签", "mn": mg.TAGS, "en": "tags"},
    "text": {"zh": "题目", "mn": mg.QUESTION, "en": "text"},
    "option": {"zh": "选项", "mn": mg.OPTION + " ", "en": "option "},
    "explanation": {"zh": "解析", "mn": mg.EXPLANATION, "en": "explanation"},
    "reviewed": {"zh": "已审校", "mn": mg.REVIEWED, "en": "reviewed"},
    "name": {"zh": "名称", "mn": mg.NAME, "en": "name"},
    "points": {"zh": "分值", "mn": mg.POINTS, "en": "points"},
    "picture": {"zh": "图片", "mn": mg.PICTURE, "en": "picture"},
}
# Further names the reader accepts.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("题号", "序号", "no", "number"),
    "kind": ("type", "类型", "题目类型", "question type"),
    "category": (
        "类别",
        "题目分类",
        "分类编号",
        "知识点",
        "知识标签",
        "学科",
        "科目",
        "科目名称",
        "章节",
        "subject",
        "topic",
    ),
    "difficulty": ("难易度", "难易程度", "难度等级", "level"),
    "answer": ("正确答案", "标准答案", "参考答案", "correct", "key"),
    "source": ("来源", "出处/来源", "reference"),
    "tags": ("tag", "关键词", "keywords", "年级", "grade"),
    "text": ("question", "题干", "试题", "问题", "题目内容", "stem"),
    "option": ("选项 ", "option", "choice ", "choice"),
    "explanation": ("答案解析", "解释", "说明", "feedback", "general feedback"),
    "reviewed": ("审校", "是否审校", "已审核"),
    "name": ("title", "名字", "分类名称", "题库名称"),
    "points": ("分数", "得分", "score", "mark", "marks", mg.OLD_POINTS),
    "picture": (
        "图片url",
        "图片地址",
        "图片文件",
        "图片名",
        "图片名称",
        "题目图片",
        "插图",
        "image",
        "picture url",
        "image url",
    ),
}
# Columns of which a sheet may have several (学科 and 知识点): the category is the first
# non-empty one in this order, tags gather them all.
CATEGORY_ORDER = tuple(
    fold_key(name)
    for name in ("分类", "category", "类别", "题目分类", "分类编号", "知识点", "知识标签", "章节")
)
MULTI_FIELDS = frozenset({"category", "tags"})
QUESTION_FIELDS = frozenset(HEADERS) - {"name"}
LANGUAGE_SUFFIX = {
    "zh": {"zh": "中文", "mn": "蒙古文"},
    "mn": {"zh": mg.CHINESE, "mn": mg.MONGOLIAN},
    "en": {"zh": "zh", "mn": "mn"},
}
LANGUAGE_NAMES = {
    "zh": ("zh", "中文", "汉语", "汉文", "汉", "中", "chinese", mg.CHINESE),
    "mn": ("mn", "蒙古文", "蒙文", "蒙古语", "蒙", "mongolian", mg.MONGOLIAN),
}
LANGUAGE_FIELDS = frozenset({"text", "option", "explanation", "reviewed", "name"})

REVIEWED_WORDS = {"zh": ("是", "否"), "mn": (mg.YES, mg.NO), "en": ("true", "false")}
_TRUE_BOOLS = {*TRUE_WORDS, "已审校", "已审核", mg.YES, mg.OLD_YES, mg.TRUE}
# Header names of a column that may hold row numbers (1..n) rather than ids.
ROW_NUMBER_HEADERS = frozenset(fold_key(n) for n in ("序号", "题号", "编号", "no", "number", "id"))
_FALSE_BOOLS = {*FALSE_WORDS, "未审校", "未审核", mg.NO, mg.FALSE}


def _folded(values: Iterable[str]) -> set[str]:
    return {fold_key(value) for value in values}


_FIELD_BY_NAME: dict[str, str] = {}
for _field, _names in HEADERS.items():
    if _field == "option":
        continue
    for _name in (*_names.values(), *ALIASES[_field]):
        _FIELD_BY_NAME.setdefault(fold_key(_name), _field)
_OPTION_PREFIXES = sorted(
    {fold_key(n) for n in (*HEADERS["option"].values(), *ALIASES["option"])} | {""},
    key=len,
    reverse=True,
)
_LANGUAGE_BY_NAME = {fold_key(n): lang for lang, names in LANGUAGE_NAMES.items() for n in names}
_BRACKETED = re.compile(r"(.*?)\s*[\(（\[【]\s*([^\)）\]】]+?)\s*[\)）\]】]")
_SUFFIXED = re.compile(r"(.*?)[\s_\-]+(zh|mn)", re.IGNORECASE)
_TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")
_PICTURE_SEPARATORS = re.compile(r"[\n;；|]+")


def header_text(
    field: str, header_language: str, language: str | None = None, key: str = ""
) -> str:
    """The header the writer uses for a column, e.g. ``选项B(蒙古文)``."""
    base = HEADERS[field][header_language] + key
    if language is None:
        return base.strip()
    return f"{base.strip()}({LANGUAGE_SUFFIX[header_language][language]})"


@dataclass(frozen=True)
class Column:
    index: int
    field: str
    language: str | None  # None: the language of the row's text
    key: str = ""  # option key
    header: str = ""
    where: Location = None


def parse_header(value: str) -> tuple[str, str | None, str] | None:
    """(field, language or None, option key) for a header cell, None if not a known one."""
    text = normalize(value)
    language: str | None = None
    for pattern in (_BRACKETED, _SUFFIXED):
        match = pattern.fullmatch(text)
        if match and fold_key(match.group(2)) in _LANGUAGE_BY_NAME:
            text, language = match.group(1), _LANGUAGE_BY_NAME[fold_key(match.group(2))]
            break
    folded = fold_key(text)
    field = _FIELD_BY_NAME.get(folded)
    if field is not None:
        return field, language, ""
    compact = folded.replace(" ", "")
    for prefix in _OPTION_PREFIXES:
        bare = prefix.replace(" ", "")
        if compact.startswith(bare) and len(compact) == len(bare) + 1:
            key = compact[-1].upper()
            if key in OPTION_KEYS:
                return "option", language, key
    return None


def cell_text(value: Any) -> str:
    """A cell's value as text: numbers without a spurious ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


class TableReader:
    """Reads the question rows of one table; categories and drafts go to shared state."""

    def __init__(
        self,
        collector: Collector,
        categories: Categories,
        options: ReadOptions,
    ) -> None:
        self.collector = collector
        self.categories = categories
        self.options = options

    # -- headers -----------------------------------------------------------------------

    def header(
        self, rows: list[Row], wanted: frozenset[str], need: str, *, check: bool = True
    ) -> tuple[int, list[Column]] | None:
        """The first row (of the first 20) naming a ``need`` column, and its columns."""
        for number, row in enumerate(rows[:20]):
            columns = []
            for index, (value, where) in enumerate(row):
                parsed = parse_header(cell_text(value)) if cell_text(value).strip() else None
                if parsed is not None and parsed[0] in wanted:
                    columns.append(Column(index, *parsed, header=cell_text(value), where=where))
            if any(column.field == need for column in columns):
                if check:
                    self._check_columns(row, columns)
                return number, columns
        return None

    def has_question_header(self, rows: list[Row]) -> bool:
        """Whether a sheet has a header row naming the question text and the answer."""
        found = self.header(rows, QUESTION_FIELDS, "text", check=False)
        return found is not None and any(column.field == "answer" for column in found[1])

    def has_header(self, rows: list[Row], need: str) -> bool:
        return self.header(rows, frozenset({"id", "name"}), need, check=False) is not None

    def _check_columns(self, row: Row, columns: list[Column]) -> None:
        known = {column.index for column in columns}
        for index, (value, where) in enumerate(row):
            if index not in known and cell_text(value).strip():
                self.collector.warn(where, m.UNKNOWN_COLUMN, column=normalize(cell_text(value)))
        first: dict[tuple[str, str | None, str], Column] = {}
        for column in columns:
            if column.field in MULTI_FIELDS:
                continue
            identity = (column.field, column.language, column.key)
            if identity in first:
                self.collector.error(
                    column.where,
                    m.DUPLICATE_COLUMN,
                    column=normalize(column.header),
                    first=first[identity].where,
                )
            else:
                first[identity] = column

    # -- question rows -----------------------------------------------------------------

    def questions(self, rows: list[Row], where_missing: Location) -> list[Draft]:
        found = self.header(rows, QUESTION_FIELDS, "text")
        if found is None:
            self.collector.error(where_missing, m.NO_HEADER_ROW)
            return []
        header_row, columns = found
        if not any(column.field == "answer" for column in columns):
            self.collector.error(
                rows[header_row][0][1] if rows[header_row] else where_missing,
                m.MISSING_COLUMN,
                column=HEADERS["answer"]["zh"] + " (answer)",
            )
            return []
        if self.collector.problems:
            return []
        drafts = []
        for row in rows[header_row + 1 :]:
            if not any(cell_text(value).strip() for value, _ in row):
                continue
            draft = self.question(row, columns)
            if draft is not None:
                drafts.append(draft)
        id_column = next((c for c in columns if c.field == "id"), None)
        if id_column is not None and fold_key(normalize(id_column.header)) in ROW_NUMBER_HEADERS:
            numbers = [draft.id for draft in drafts if draft.id]
            if numbers and numbers == [str(n) for n in range(1, len(numbers) + 1)]:
                # A row number (序号 1..n) is no identity: a second file numbered 1..n
                # must not replace the first one's questions.
                for draft in drafts:
                    draft.id = None
        return drafts

    def question(self, row: Row, columns: list[Column]) -> Draft | None:
        def cell(column: Column) -> tuple[str, Location]:
            if column.index < len(row):
                value, where = row[column.index]
                return normalize(cell_text(value)), where
            return "", row[0][1] if row else None

        row_where = row[0][1]
        fields: dict[str, tuple[str, Location]] = {}
        several: dict[str, list[tuple[str, Location, str]]] = {}
        groups: dict[str | None, dict[str, tuple[str, Location]]] = {}
        language_answers: dict[str, tuple[str, Location]] = {}
        for column in columns:
            value, where = cell(column)
            if column.field == "answer" and column.language is not None:
                language_answers[column.language] = (value, where)
            elif column.field in LANGUAGE_FIELDS:
                name = column.key or column.field
                groups.setdefault(column.language, {})[name] = (value, where)
            elif column.field in MULTI_FIELDS:
                several.setdefault(column.field, []).append((value, where, column.header))
            else:
                fields[column.field] = (value, where)
        if "answer" not in fields and language_answers:
            fields["answer"] = next(iter(language_answers.values()))
        cells = {name: where for name, (_, where) in fields.items()}
        category, category_where = self._category(several.get("category", []), row_where)
        cells["category"] = category_where

        versions = self._versions(groups, row_where)
        title = next((v.text for v in versions.values() if v.text), None)
        options = next((v.options for v in versions.values() if v.options), None) or {}

        kind_value = fields.get("kind", ("", row_where))[0]
        answer_value, answer_where = fields.get("answer", ("", row_where))
        kind: Kind | str | None
        if kind_value:
            kind = words.kind_of(kind_value)
            if isinstance(kind, str) and kind.startswith("!"):
                self.collector.skip(row_where, kind[1:], title)
                return None
            if kind is None:
                kind = kind_value  # reported by the assembler, with the accepted kinds
        else:
            kind = words.infer_kind(answer_value, bool(options), title or "")

        if kind is Kind.FILL:
            for language, version in versions.items():
                value = language_answers.get(language, (answer_value, answer_where))[0]
                version.blanks = words.blanks_of(value)
        options_by_language = {lang: v.options or {} for lang, v in versions.items()}
        kind, answer, wrong = words.read_answer(kind, answer_value, options_by_language)
        if wrong is not None:
            self.collector.error(answer_where, wrong, value=answer_value)
            return None
        for language, version in versions.items():
            version.options = options_by_language[language]

        id_value = fields.get("id", ("", row_where))[0]
        tags: list[str] = []
        for value, _, _ in several.get("tags", []):
            tags.extend(self._tags(value))
        pictures = fields.get("picture", ("", row_where))
        return Draft(
            where=row_where,
            kind=kind,
            versions=versions,
            answer=answer,
            title=None,
            id=id_value.lower() or None,
            strict_id=True,
            category=category or None,
            difficulty=words.difficulty_of(fields.get("difficulty", ("", row_where))[0]),
            source=fields.get("source", ("", row_where))[0] or None,
            tags=tuple(tags),
            cells=cells,
            points=words.points_of(fields.get("points", ("", row_where))[0]),
            media=[
                DraftMedia(pictures[1], ref=ref.strip())
                for ref in _PICTURE_SEPARATORS.split(pictures[0])
                if ref.strip()
            ],
        )

    def _category(
        self, values: list[tuple[str, Location, str]], row_where: Location
    ) -> tuple[str, Location]:
        """The category of a row with several category-like columns (学科, 知识点, ...)."""

        def rank(item: tuple[str, Location, str]) -> int:
            folded = fold_key(normalize(item[2]))
            return CATEGORY_ORDER.index(folded) if folded in CATEGORY_ORDER else len(CATEGORY_ORDER)

        for value, where, _ in sorted(values, key=rank):
            if value:
                return value, where
        return "", row_where

    def _versions(
        self, groups: dict[str | None, dict[str, tuple[str, Location]]], row_where: Location
    ) -> dict[str, DraftVersion]:
        versions: dict[str, DraftVersion] = {}
        for language, group in sorted(groups.items(), key=lambda item: item[0] is None):
            if not any(value for name, (value, _) in group.items() if name != "reviewed"):
                continue
            text, text_where = group.get("text", ("", row_where))
            if language is None:
                language = script_language(text, self.options.language)
                if language in versions:
                    self.collector.error(
                        text_where, m.DUPLICATE_COLUMN, column=HEADERS["text"]["zh"], first=""
                    )
                    continue
            reviewed = True
            if "reviewed" in group and group["reviewed"][0]:
                value, where = group["reviewed"]
                parsed = self._bool(value)
                if parsed is None:
                    self.collector.error(
                        where, m.BAD_BOOL_VALUE, column=HEADERS["reviewed"]["zh"], value=value
                    )
                else:
                    reviewed = parsed
            options = {key: group[key][0] for key in OPTION_KEYS if group.get(key, ("",))[0]}
            cells = {name: where for name, (_, where) in group.items()}
            option_cells = [group[key][1] for key in OPTION_KEYS if key in group]
            cells["options"] = option_cells[0] if option_cells else text_where
            versions[language] = DraftVersion(
                text=text or None,
                options=options,
                explanation=group.get("explanation", ("",))[0] or None,
                reviewed=reviewed,
                cells=cells,
            )
        if not versions:
            first_text = next(
                (group["text"][1] for group in groups.values() if "text" in group), row_where
            )
            self.collector.error(first_text, m.EMPTY_TEXT, key=HEADERS["text"]["zh"])
        return versions

    @staticmethod
    def _tags(value: str) -> tuple[str, ...]:
        if not value:
            return ()
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, list) and all(isinstance(tag, str) for tag in parsed):
                return tuple(parsed)
        return tuple(tag.strip() for tag in _TAG_SEPARATORS.split(value) if tag.strip())

    @staticmethod
    def _bool(value: str) -> bool | None:
        folded = fold_key(value)
        if folded in _folded(_TRUE_BOOLS):
            return True
        if folded in _folded(_FALSE_BOOLS):
            return False
        return None

    # -- categories and bank sheets ----------------------------------------------------

    def category_rows(self, rows: list[Row], assembler: Assembler) -> None:
        found = self.header(rows, frozenset({"id", "name"}), "name")
        if found is None:
            return
        header_row, columns = found
        for row in rows[header_row + 1 :]:
            values = self._plain(row, columns)
            if not any(value for value, _ in values.values()):
                continue
            names = {
                lang: value
                for (field, lang), (value, _) in values.items()
                if field == "name" and value
            }
            category_id, id_where = values.get(("id", None), ("", row[0][1]))
            assembler.declare_category(category_id.lower() or None, self._named(names), id_where)

    def bank_rows(
        self, rows: list[Row], assembler: Assembler
    ) -> tuple[str | None, dict[str, str] | None]:
        found = self.header(rows, frozenset({"id", "name"}), "id")
        if found is None:
            return None, None
        header_row, columns = found
        for row in rows[header_row + 1 :]:
            values = self._plain(row, columns)
            bank_id, where = values.get(("id", None), ("", row[0][1]))
            if not bank_id:
                continue
            if assembler.bank_id(bank_id.lower(), where) is None:
                return None, None
            bank_id = bank_id.lower()
            names = {
                lang: value
                for (field, lang), (value, _) in values.items()
                if field == "name" and value
            }
            return bank_id, self._named(names) or None
        return None, None

    def _plain(
        self, row: Row, columns: list[Column]
    ) -> dict[tuple[str, str | None], tuple[str, Location]]:
        values: dict[tuple[str, str | None], tuple[str, Location]] = {}
        for column in columns:
            if column.index < len(row):
                value, where = row[column.index]
                values[(column.field, column.language)] = (normalize(cell_text(value)), where)
        return values

    def _named(self, names: dict[str | None, str]) -> dict[str, str]:
        """Names by language; a name without a language gets the language of its script."""
        resolved: dict[str, str] = {}
        for language, name in sorted(names.items(), key=lambda item: item[0] is None):
            language = language or script_language(name, self.options.language)
            resolved.setdefault(language, name)
        return {lang: resolved[lang] for lang in LANGUAGES if lang in resolved}
