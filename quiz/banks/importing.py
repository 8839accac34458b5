"""Bank files in and out, for the CLI and (later) the organizer's upload page.

An import is all or nothing: the file is parsed and validated completely before anything
is written, and any error leaves the stored banks untouched. Questions already stored
(the same text and options in a language, compared by ``fold_key``) are skipped and
reported, unless they carry the stored question's id (then they update it). Questions of
kinds the platform does not run are skipped and named. The library gets bytes and a
display name; only the CLI opens a path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from flask_babel import get_locale, gettext
from sqlalchemy import select

from question_bank import Category, Problem, Question, human_size
from question_bank import messages as m
from question_bank.formats import (
    MAX_FILE_BYTES,
    ImportResult,
    Note,
    drop_duplicates,
    duplicate_key,
    read_bank,
    slug_for,
)
from question_bank.rules import slug_issue
from quiz.banks.models import BankCategory, QuestionBank
from quiz.banks.models import Question as QuestionRow
from quiz.banks.pictures import PictureError, normalise
from quiz.banks.services import import_bank
from quiz.clock import now
from quiz.extensions import db


def get_locale_code() -> str | None:
    locale = get_locale()
    return locale.language if locale is not None else None


def _problem(problem: Problem) -> dict[str, Any]:
    return {"line": problem.line, "message": problem.formatted(gettext)}


def _note(note: Note, **extra: Any) -> dict[str, Any]:
    body = {"line": note.line, "message": note.formatted(gettext)}
    if note.title is not None:
        body["title"] = note.title
    body.update(extra)
    return body


def _fallback_bank(bank_slug: str | None, filename: str) -> tuple[str, dict[str, str]]:
    """The bank for formats that name none: ``--bank``, else the only bank, else one named
    after the file."""
    rows = list(db.session.scalars(select(QuestionBank).order_by(QuestionBank.id)))
    if bank_slug is None and len(rows) == 1:
        bank_slug = rows[0].slug
    if bank_slug is None:
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        candidate = slug_for(stem)
        bank_slug = candidate if slug_issue("id", candidate) is None else "imported"
    row = next((r for r in rows if r.slug == bank_slug), None)
    if row is not None:
        return bank_slug, _title(row)
    stem = filename.rsplit(".", 1)[0] or bank_slug
    return bank_slug, {"zh": stem}


def _title(row: QuestionBank) -> dict[str, str]:
    return {k: v for k, v in (("zh", row.title_zh), ("mn", row.title_mn)) if v}


def _stored_categories(bank_slug: str) -> tuple[Category, ...]:
    """The bank's stored categories, so a file naming one by id or name uses it."""
    row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if row is None:
        return ()
    rows = db.session.scalars(
        select(BankCategory).where(BankCategory.bank_id == row.id).order_by(BankCategory.slug)
    )
    return tuple(
        Category(
            c.slug,
            {k: v for k, v in (("zh", c.name_zh), ("mn", c.name_mn)) if v} or {"zh": c.slug},
        )
        for c in rows
    )


def _stored_questions(bank_slug: str) -> tuple[dict[str, str], set[str]]:
    """Duplicate keys of every stored question (-> ``bank/id``), and the target bank's ids."""
    index: dict[str, str] = {}
    ids: set[str] = set()
    slugs = dict(db.session.execute(select(QuestionBank.id, QuestionBank.slug)).all())
    for row in db.session.scalars(select(QuestionRow).order_by(QuestionRow.id)):
        slug = slugs.get(row.bank_id, "?")
        if slug == bank_slug:
            ids.add(row.external_id)
        for text in row.texts:
            key = duplicate_key(text.language, text.text, (text.options or {}).values())
            index.setdefault(key, f"{slug}/{row.external_id}")
    return index, ids


GENERATED_ID = re.compile(r"q-[0-9a-f]{10}(?:-\d+)?")


def question_title(result: ImportResult, question: Question) -> str:
    """What a report calls a question: the name the file gave it, or the id the file
    gave it, else its text (never a generated hash id), cut to 80 characters."""
    if question.id in result.titles:
        return result.titles[question.id]
    if not GENERATED_ID.fullmatch(question.id):
        return question.id
    text = next((v.text for v in question.versions.values() if v.text), question.id)
    line = text.split("\n", 1)[0]
    return line if len(line) <= 80 else line[:79] + "…"


def category_name(result: ImportResult, category_id: str, language: str | None = None) -> str:
    """A category's name (in the reader's language when it has one), never its id."""
    for category in result.bank.categories if result.bank is not None else ():
        if category.id == category_id:
            names = category.name
            return names.get(language or "", "") or next(iter(names.values()), category_id)
    return category_id


def report_of(
    result: ImportResult, duplicates: list[Note], changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The contract's JSON report; ``unsupported``, ``duplicates``, ``warnings`` and
    ``changes`` (stored questions the file would change) are added only when not empty."""
    report: dict[str, Any] = {
        "imported": 0,
        "skipped": len(result.unsupported) + len(duplicates),
        "errors": [_problem(problem) for problem in result.problems],
        "questions": [],
    }
    if not result.problems and result.bank is not None:
        report["imported"] = len(result.questions)
        report["questions"] = [
            {
                "title": question_title(result, question),
                "kind": str(question.kind),
                "languages": list(question.languages),
                "options": len(question.option_keys),
                "correct": list(question.answer),
            }
            for question in result.questions
        ]
    if changes:
        report["changes"] = changes
    if result.unsupported:
        report["unsupported"] = [_note(n, kind=n.kind) for n in result.unsupported]
    if duplicates:
        report["duplicates"] = [_note(n) for n in duplicates]
    if result.warnings:
        report["warnings"] = [_note(n) for n in result.warnings]
    return report


@dataclass
class Checked:
    """A file read and checked against the stored banks, nothing written yet.

    ``result`` holds the questions that would be stored (duplicates of stored questions
    already dropped), ``duplicates`` the skip notes, ``updates`` the ids of the target
    bank's stored questions that the file would update, ``report`` the contract's report
    (messages in the current language).
    """

    result: ImportResult
    duplicates: list[Note]
    updates: set[str]
    report: dict[str, Any]
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.report["errors"] and self.result.bank is not None


def check_data(
    data: bytes,
    filename: str,
    *,
    fmt: str = "auto",
    category: str | None = None,
    bank_slug: str | None = None,
    language: str = "zh",
    bank_title: dict[str, str] | None = None,
) -> Checked:
    """Read ``data`` and find what an import would do, writing nothing.

    ``bank_title`` names a bank that does not exist yet (the console's "new bank");
    a stored bank keeps its own title.
    """
    fallback_slug, fallback_title = _fallback_bank(bank_slug, filename)
    result = read_bank(
        data,
        filename,
        fmt,
        bank_id=fallback_slug,
        bank_title=fallback_title,
        category=category,
        known_categories=_stored_categories(fallback_slug),
        language=language,
    )
    if result.bank is not None and bank_slug is not None and result.bank.id != bank_slug:
        row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
        title = _title(row) if row is not None else (bank_title or result.bank.title)
        result.bank = replace(result.bank, id=bank_slug, title=title)
    elif result.bank is not None and bank_title:
        row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == result.bank.id))
        if row is None:
            result.bank = replace(result.bank, title=bank_title)
    duplicates: list[Note] = []
    updates: set[str] = set()
    changes: list[dict[str, Any]] = []
    if result.bank is not None and not result.problems:
        _check_pictures(result)
        index, ids = _stored_questions(result.bank.id)
        duplicates = drop_duplicates(result, index, ids)
        updates = {q.id for q in result.questions if q.id in ids}
        changes = _changes(result, updates)
        if not result.questions:
            result.problems.append(Problem(result.filename, None, m.NOTHING_TO_IMPORT, {}))
    return Checked(result, duplicates, updates, report_of(result, duplicates, changes), changes)


def _check_pictures(result: ImportResult) -> None:
    """Pictures are decoded here, at the preview, so one that only looks like a picture
    is an error with its place in the file rather than a broken quiz page later. (Also
    what the server does not store yet: a question's own points.)"""
    for question in result.questions:
        where = result.location(question)
        for media in question.all_media:
            if media.data is None:
                continue
            try:
                normalise(media.data, media.name)
            except PictureError as error:
                result.problems.append(
                    Problem(result.filename, where, error.message, error.params)  # type: ignore[arg-type]
                )
    with_points = sum(1 for question in result.questions if question.points is not None)
    if with_points:
        result.warnings.append(Note(None, m.POINTS_NOT_STORED, {"count": with_points}))


def _changes(result: ImportResult, updates: set[str]) -> list[dict[str, Any]]:
    """Stored questions whose text, options or answer key the file would change."""
    if not updates or result.bank is None:
        return []
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == result.bank.id))
    if bank is None:
        return []
    stored = {
        row.external_id: row
        for row in db.session.scalars(
            select(QuestionRow).where(
                QuestionRow.bank_id == bank.id, QuestionRow.external_id.in_(updates)
            )
        )
    }
    changes = []
    for question in result.questions:
        row = stored.get(question.id)
        if row is None:
            continue
        fields: list[str] = []
        compare: list[dict[str, str]] = []
        differs = partial(_differs, fields, compare)
        differs(
            "answer",
            f"{row.kind}: {', '.join(row.answer)}",
            f"{question.kind}: {', '.join(question.answer)}",
        )
        texts = {text.language: text for text in row.texts}
        for language, text in texts.items():
            if language not in question.versions:
                fields.append(f"text ({language}) removed")
                compare.append({"field": f"text ({language})", "before": text.text, "after": ""})
        for language, version in question.versions.items():
            text = texts.get(language)
            if text is None:
                continue
            differs(f"text ({language})", text.text, version.text)
            differs(
                f"options ({language})",
                _options_line(text.options or {}),
                _options_line(version.options),
            )
            differs(
                f"accepted answers ({language})",
                _blanks_line(text.blanks or []),
                _blanks_line(version.blanks),
            )
        if fields:
            changes.append(
                {
                    "line": result.location(question),
                    "id": question.id,
                    "title": question_title(result, question),
                    "fields": fields,
                    "compare": compare,
                    "message": gettext(m.STORED_QUESTION_CHANGES) % {"fields": ", ".join(fields)},
                }
            )
    return changes


def _differs(
    fields: list[str], compare: list[dict[str, str]], field: str, before: str, after: str
) -> None:
    if before != after:
        fields.append(field)
        compare.append({"field": field, "before": before, "after": after})


def _blanks_line(blanks: Any) -> str:
    return " | ".join(" / ".join(accepted) for accepted in blanks)


def _options_line(options: dict[str, str]) -> str:
    return " / ".join(f"{key}. {text}" for key, text in options.items())


def import_data(
    data: bytes,
    filename: str,
    *,
    fmt: str = "auto",
    category: str | None = None,
    dry_run: bool = False,
    bank_slug: str | None = None,
    language: str = "zh",
    accept_changes: bool = False,
) -> dict[str, Any]:
    """Check and (unless ``dry_run``) store a bank given as bytes; return the report.

    A file that would change stored questions (their text, options or key) is refused,
    with the changes listed, unless ``accept_changes``.

    ``filename`` is only displayed (and the default source of questions); it is never
    used as a path.
    """
    checked = check_data(
        data, filename, fmt=fmt, category=category, bank_slug=bank_slug, language=language
    )
    if checked.changes and not accept_changes:
        # Never replace a stored question silently: the organizer says so explicitly.
        checked.report["errors"].append(
            {
                "line": None,
                "message": gettext(m.CHANGES_NEED_CONFIRMATION)
                % {"count": len(checked.changes), "option": "--accept-changes"},
            }
        )
    elif checked.ok and not dry_run:
        import_bank(checked.result.bank, now())  # type: ignore[arg-type]
    return checked.report


def import_file(
    path: str,
    *,
    fmt: str = "auto",
    category: str | None = None,
    dry_run: bool = False,
    bank_slug: str | None = None,
    language: str = "zh",
    accept_changes: bool = False,
) -> dict[str, Any]:
    """``import_data`` for a file on disk (the CLI); its size is checked before reading."""
    source = Path(path)
    try:
        size = os.path.getsize(source)
        if size > MAX_FILE_BYTES:
            problem = Problem(
                source.name,
                None,
                m.FILE_TOO_LARGE,
                {"size": human_size(size), "limit": human_size(MAX_FILE_BYTES)},
            )
            return report_of(ImportResult(fmt, source.name, problems=[problem]), [])
        data = source.read_bytes()
    except OSError as exc:
        return {
            "imported": 0,
            "skipped": 0,
            "errors": [
                {
                    "line": None,
                    "message": gettext(
                        "Cannot read the file: %(reason)s", reason=exc.strerror or str(exc)
                    ),
                }
            ],
            "questions": [],
        }
    return import_data(
        data,
        source.name,
        fmt=fmt,
        category=category,
        dry_run=dry_run,
        bank_slug=bank_slug,
        language=language,
        accept_changes=accept_changes,
    )


def export_file(
    path: str,
    *,
    fmt: str = "yaml",
    bank_slug: str | None = None,
    language: str = "zh",
    header_language: str = "zh",
) -> int:
    """Write a stored bank to ``path``; returns the number of questions written."""
    from quiz.banks.exporting import export_bytes

    data, count = export_bytes(
        fmt, bank_slug=bank_slug, language=language, header_language=header_language
    )
    Path(path).write_bytes(data)
    return count
