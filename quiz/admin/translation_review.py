"""The Mongolian review sheet: every Mongolian string out to XLSX, the reviewed sheet back.

A native reviewer works in a spreadsheet, not in a ``.po`` file or YAML: ``quiz i18n
export-review`` (or the download on ``/admin/translations``) writes one row per
Mongolian string with its English and Chinese context, the reviewer corrects the
Mongolian and answers "yes" in the *reviewed* column, and ``quiz i18n import-review``
(or the upload) writes the sheet back:

- the interface catalog (``mn_Mong_CN/LC_MESSAGES/messages.po``): the text and, per
  reviewed entry, the ``machine-drafted, awaiting review`` comment removed; the ``.mo``
  file is compiled again (a running server reads it when it restarts);
- the bundled bank (``question_bank/banks/science-literacy.yaml``): the bank title, the
  category names and each question's Mongolian block, whose ``reviewed`` flag is set
  when every row of the question is marked reviewed;
- the regions (the ``regions`` table, through the admin console's own service, audited
  and kept across upgrades).

Every row carries a fingerprint of the Mongolian text at export. A row whose entry
changed since (someone else edited it) is a *conflict*: it is named and never applied;
the other rows are applied only when the caller asks for it (``--skip-conflicts``).
A sheet with any error (unknown key, placeholders changed, no Mongolian script, a bad
reviewed value) is refused whole, each error with its file and row. Nothing is written
before every row has been checked.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

import question_bank
from question_bank.formats import spreadsheet
from question_bank.formats.spreadsheet import Sheet
from question_bank.mongolian_check import check
from quiz.extensions import db
from quiz.regions.models import Region
from quiz.regions.services import bundled_regions

DRAFT_COMMENT = "machine-drafted, awaiting review"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
BANK_FILE = Path(question_bank.__file__).parent / "banks" / "science-literacy.yaml"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")
MONGOLIAN = re.compile(r"[\u1820-\u1878]")

# The sheet's columns, in order. The key and fingerprint columns are the machine's.
HEADERS = (
    "key",
    "source",
    "English",
    "中文",
    "Mongolian (as exported)",
    "Mongolian (corrected)",
    "reviewed (yes/no)",
    "status",
    "note",
    "checker",
    "fingerprint",
)
YES = {"yes", "y", "true", "1", "是", "✓", "x"}
NO = {"no", "n", "false", "0", "否", ""}


@dataclass(frozen=True)
class Sources:
    """The files the sheet reads and writes (tests point them at copies)."""

    catalog_mn: Path = TRANSLATIONS / "mn_Mong_CN" / "LC_MESSAGES" / "messages.po"
    catalog_zh: Path = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    bank: Path = BANK_FILE


@dataclass
class Entry:
    key: str
    source: str  # catalog, bank, region
    english: str
    chinese: str
    mongolian: str
    reviewed: bool | None  # None: the entry has no review mark of its own
    note: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.mongolian, self.reviewed)


@dataclass
class Problem:
    row: int
    key: str
    message: Any


@dataclass
class ImportReport:
    filename: str
    errors: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    changed: int = 0
    reviewed: int = 0
    applied: bool = False


def fingerprint(text: str, reviewed: bool | None) -> str:
    raw = f"{text}\x00{reviewed}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


# -- reading every Mongolian string ------------------------------------------------------


def _read_catalog(path: Path) -> Any:
    return read_po(io.BytesIO(path.read_bytes()))


def catalog_entries(sources: Sources) -> list[Entry]:
    chinese = {m.id: m.string for m in _read_catalog(sources.catalog_zh) if m.id}
    entries = []
    for message in _read_catalog(sources.catalog_mn):
        if not message.id or isinstance(message.id, list | tuple):
            continue
        entries.append(
            Entry(
                key=f"catalog:{message.id}",
                source="catalog",
                english=message.id,
                chinese=chinese.get(message.id, ""),
                mongolian=message.string or "",
                reviewed=DRAFT_COMMENT not in message.user_comments,
                note=" ".join(c for c in message.user_comments if c != DRAFT_COMMENT),
            )
        )
    return entries


def _bank_data(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def bank_entries(sources: Sources) -> list[Entry]:
    data = _bank_data(sources.bank)
    bank_id = data["bank"]["id"]
    title = data["bank"]["title"]
    entries = [
        Entry(f"bank:{bank_id}:title", "bank", "bank title", title.get("zh", ""), title["mn"], None)
    ]
    for category in data.get("categories", []):
        name = category["name"]
        entries.append(
            Entry(
                f"bank:{bank_id}:category:{category['id']}",
                "bank",
                f"category {category['id']}",
                name.get("zh", ""),
                name.get("mn", ""),
                None,
            )
        )
    for question in data.get("questions", []):
        mn, zh = question.get("mn"), question.get("zh") or {}
        if not mn:
            continue
        reviewed = bool(mn.get("reviewed", False))
        base = f"bank:{bank_id}:question:{question['id']}"
        fields = [("text", zh.get("text", ""), mn.get("text", ""))]
        fields += [
            (f"option:{k}", (zh.get("options") or {}).get(k, ""), v)
            for k, v in (mn.get("options") or {}).items()
        ]
        if "explanation" in mn:
            fields.append(("explanation", zh.get("explanation", ""), mn["explanation"]))
        for name, chinese, text in fields:
            entries.append(
                Entry(f"{base}:{name}", "bank", f"{question['id']} {name}", chinese, text, reviewed)
            )
    return entries


def region_entries() -> list[Entry]:
    """The regions as stored (console edits included); the note names the bundled source."""
    bundled = bundled_regions()
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    return [
        Entry(
            f"region:{r.code}",
            "region",
            r.code,
            r.name_zh,
            r.name_mn,
            r.mn_reviewed,
            bundled.get(r.code, {}).get("mn_source") or "",
        )
        for r in regions
    ]


def all_entries(sources: Sources) -> list[Entry]:
    return catalog_entries(sources) + bank_entries(sources) + region_entries()


def counts(sources: Sources) -> dict[str, dict[str, int]]:
    """Per source: entries reviewed and still drafted (entries without a mark left out)."""
    result: dict[str, dict[str, int]] = {}
    for entry in all_entries(sources):
        if entry.reviewed is None:
            continue
        slot = result.setdefault(entry.source, {"reviewed": 0, "drafted": 0})
        slot["reviewed" if entry.reviewed else "drafted"] += 1
    return result


# -- export ---------------------------------------------------------------------------------


def checker_notes(text: str) -> str:
    """What question_bank.mongolian_check says about a text, one line per finding."""
    return "\n".join(
        f"{f.code} ({'certain' if f.certain else 'review'}): {f.word or f.text}"
        + (f" -> {f.corrected}" if f.corrected else "")
        for f in check(text)
    )


def export_review(sources: Sources) -> bytes:
    """The review workbook: one row per Mongolian string (through the one spreadsheet
    writer, so no text is ever read as a formula)."""
    rows = (
        [
            entry.key,
            entry.source,
            entry.english,
            entry.chinese,
            entry.mongolian,
            "",
            "",
            {None: "", True: "reviewed", False: "machine-drafted"}[entry.reviewed],
            entry.note,
            checker_notes(entry.mongolian),
            entry.fingerprint,
        ]
        for entry in all_entries(sources)
    )
    widths = (18, 9, 50, 40, 50, 50, 12, 16, 30, 30)
    return spreadsheet.workbook([Sheet("Mongolian", HEADERS, rows, widths=widths, styled=True)])


# -- import ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_sheet(data: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        report.errors.append(Problem(0, "", _l("This is not an XLSX workbook.")))
        return []
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        report.errors.append(
            Problem(1, "", _l("Columns missing: %(names)s.", names=", ".join(missing)))
        )
        return []
    where = {h: header.index(h) for h in HEADERS}
    found = []
    for number, values in enumerate(rows, 2):
        cells = [_cell(v) for v in values]
        cells += [""] * (len(header) - len(cells))
        if not any(cells):
            continue
        found.append((number, {h: cells[i] for h, i in where.items()}))
    book.close()
    return found


@dataclass
class _Change:
    entry: Entry
    text: str
    reviewed: bool | None


def _check_text(entry: Entry, text: str) -> Any:
    if not text:
        return _l("The Mongolian text is empty.")
    if not MONGOLIAN.search(text):
        return _l("The Mongolian text has no Mongolian letters.")
    if entry.source == "catalog":
        want = set(PLACEHOLDER.findall(entry.english))
        if set(PLACEHOLDER.findall(text)) != want:
            return _l(
                "The placeholders must stay exactly as in the English text: %(names)s.",
                names=" ".join(sorted(want)) or "-",
            )
    return None


def _question_of(key: str) -> str:
    """``bank:<bank>:question:<id>`` of a question row's key."""
    return ":".join(key.split(":")[:4])


def plan_import(data: bytes, filename: str, sources: Sources) -> tuple[ImportReport, list[_Change]]:
    """Check every row of a reviewed sheet; what would change, the conflicts, the errors."""
    report = ImportReport(filename)
    rows = _read_sheet(data, report)
    current = {entry.key: entry for entry in all_entries(sources)}
    changes: list[_Change] = []
    seen: set[str] = set()
    marked: set[str] = set()  # keys answered "yes"
    for number, row in rows:
        key = row["key"]
        entry = current.get(key)
        if entry is None:
            report.errors.append(Problem(number, key, _l("Unknown key: the row is not ours.")))
            continue
        if key in seen:
            report.errors.append(Problem(number, key, _l("This key is in the sheet twice.")))
            continue
        seen.add(key)
        answer = row["reviewed (yes/no)"].casefold()
        if answer not in YES | NO:
            report.errors.append(
                Problem(number, key, _l("Write yes or no in the reviewed column."))
            )
            continue
        if answer in YES:
            marked.add(key)
        text = row["Mongolian (corrected)"] or row["Mongolian (as exported)"]
        # yes marks the entry reviewed, no takes the mark away, a blank keeps it
        reviewed = True if answer in YES else entry.reviewed if not answer else False
        if entry.reviewed is None:
            reviewed = None
        if text == entry.mongolian and reviewed == entry.reviewed:
            continue
        problem = _check_text(entry, text)
        if problem is not None:
            report.errors.append(Problem(number, key, problem))
            continue
        if row["fingerprint"] != entry.fingerprint:
            report.conflicts.append(
                Problem(number, key, _l("Changed since the export: export again and review it."))
            )
            continue
        changes.append(_Change(entry, text, reviewed))
    # A bank question has one mark for all its rows: reviewed when every row is marked.
    rows_of: dict[str, list[str]] = {}
    for key, entry in current.items():
        if entry.source == "bank" and entry.reviewed is not None:
            rows_of.setdefault(_question_of(key), []).append(key)
    kept = []
    for change in changes:
        entry = change.entry
        if entry.source == "bank" and entry.reviewed is not None:
            rows = rows_of[_question_of(entry.key)]
            change.reviewed = entry.reviewed or all(k in marked for k in rows)
            if change.text == entry.mongolian and change.reviewed == entry.reviewed:
                continue
        kept.append(change)
        report.changed += change.text != entry.mongolian
        report.reviewed += bool(change.reviewed and not entry.reviewed)
    return report, kept


def import_review(
    data: bytes,
    filename: str,
    sources: Sources,
    *,
    skip_conflicts: bool,
    actor: Any,
    now: datetime,
) -> ImportReport:
    """Apply a reviewed sheet (all or nothing, see the module docstring); the caller commits."""
    report, changes = plan_import(data, filename, sources)
    if report.errors or (report.conflicts and not skip_conflicts) or not changes:
        return report
    by_source: dict[str, list[_Change]] = {}
    for change in changes:
        by_source.setdefault(change.entry.source, []).append(change)
    # An installed package may be read-only: say so before anything is written.
    targets = {"catalog": [sources.catalog_mn, sources.catalog_mn.with_suffix(".mo")]}
    targets["bank"] = [sources.bank]
    for source, paths in targets.items():
        for path in paths if source in by_source else []:
            if not os.access(path if path.exists() else path.parent, os.W_OK):
                report.errors.append(
                    Problem(0, "", _l("This file cannot be written here: %(path)s", path=path))
                )
    if report.errors:
        return report
    _apply_regions(by_source.get("region", []), actor, now)
    if "catalog" in by_source:
        _apply_catalog(by_source["catalog"], sources.catalog_mn)
    if "bank" in by_source:
        _apply_bank(by_source["bank"], sources.bank)
    report.applied = True
    return report


def _apply_catalog(changes: Iterable[_Change], path: Path) -> None:
    catalog = _read_catalog(path)
    for change in changes:
        message = catalog[change.entry.english]
        message.string = change.text
        if change.reviewed and DRAFT_COMMENT in message.user_comments:
            message.user_comments.remove(DRAFT_COMMENT)
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    path.write_bytes(out.getvalue())
    mo = io.BytesIO()
    write_mo(mo, catalog)
    path.with_suffix(".mo").write_bytes(mo.getvalue())


def _apply_regions(changes: Iterable[_Change], actor: Any, now: datetime) -> None:
    from quiz.admin.services import update_region

    for change in changes:
        code = change.entry.key.split(":", 1)[1]
        update_region(
            code, name_mn=change.text, reviewed=bool(change.reviewed), actor=actor, now=now
        )


def _scalar(value: str) -> str:
    """A YAML scalar: plain when it reads back the same, else a JSON (YAML) string."""
    if value and yaml.safe_load(f"k: {value}") == {"k": value}:
        return value
    return json.dumps(value, ensure_ascii=False)


def _apply_bank(changes: list[_Change], path: Path) -> None:
    """Edit the YAML file line by line so its comments and layout stay as they are."""
    lines = path.read_text(encoding="utf-8").split("\n")
    data = _bank_data(path)

    def block_end(start: int, indent: int) -> int:
        end = start + 1
        while end < len(lines) and (
            not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
        ):
            end += 1
        return end

    def find(start: int, end: int, prefix: str) -> int:
        for index in range(start, end):
            if lines[index].startswith(prefix):
                return index
        raise LookupError(prefix)

    def set_line(index: int, prefix: str, value: str) -> None:
        lines[index] = f"{prefix}{_scalar(value)}"

    questions_at = find(0, len(lines), "questions:")
    reviewed_questions: dict[str, bool] = {}
    for change in changes:
        parts = change.entry.key.split(":")
        if parts[2] == "title":
            title = find(find(0, questions_at, "  title:"), questions_at, "    mn: ")
            set_line(title, "    mn: ", change.text)
            continue
        if parts[2] == "category":
            at = find(0, questions_at, f"- id: {parts[3]}")
            set_line(find(at, block_end(at, 0), "    mn: "), "    mn: ", change.text)
            continue
        qid, name = parts[3], parts[4]
        at = find(questions_at, len(lines), f"- id: {qid}")
        mn = find(at, block_end(at, 0), "  mn:")
        end = block_end(mn, 2)
        if name == "option":
            options = find(mn, end, "    options:")
            set_line(find(options, end, f"      {parts[5]}: "), f"      {parts[5]}: ", change.text)
        else:
            set_line(find(mn, end, f"    {name}: "), f"    {name}: ", change.text)
        reviewed_questions.setdefault(qid, True)
        reviewed_questions[qid] &= bool(change.reviewed)
    # A question's mark covers all its rows: reviewed when none of them is left unreviewed.
    for question in data["questions"]:
        qid = question["id"]
        if qid not in reviewed_questions or not reviewed_questions[qid]:
            continue
        at = find(questions_at, len(lines), f"- id: {qid}")
        mn = find(at, block_end(at, 0), "  mn:")
        end = block_end(mn, 2)
        lines[find(mn, end, "    reviewed: ")] = "    reviewed: true"
    text = "\n".join(lines)
    yaml.safe_load(text)  # still a YAML document
    path.write_text(text, encoding="utf-8")
