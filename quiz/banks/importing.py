"""Bank files in and out, for the CLI and (later) the organizer's upload page.

An import is all or nothing: the file is parsed and validated completely before anything
is written, and any error leaves the stored banks untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext

import question_bank
from quiz.banks.services import import_bank
from quiz.clock import now

FORMATS_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml"}


def _detect(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    return FORMATS_BY_SUFFIX.get(path.suffix.lower(), "unknown")


def import_file(
    path: str, *, fmt: str = "auto", category: str | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Parse, validate and (unless ``dry_run``) store a bank file; return the report."""
    source = Path(path)
    report: dict[str, Any] = {"imported": 0, "skipped": 0, "errors": [], "questions": []}
    kind = _detect(source, fmt)
    if kind != "yaml":
        report["errors"].append(
            {
                "line": None,
                "message": gettext(
                    "The format %(format)s is not supported yet; use YAML.", format=kind
                ),
            }
        )
        return report
    try:
        bank = question_bank.load_bank(source)
    except question_bank.BankError as exc:
        report["errors"] = [{"line": p.line, "message": p.formatted(gettext)} for p in exc.problems]
        return report
    except OSError as exc:
        report["errors"].append(
            {
                "line": None,
                "message": gettext(
                    "Cannot read the file: %(reason)s", reason=exc.strerror or str(exc)
                ),
            }
        )
        return report
    report["questions"] = [
        {
            "title": q.id,
            "kind": str(q.kind),
            "languages": list(q.languages),
            "options": len(q.option_keys),
            "correct": list(q.answer),
        }
        for q in bank.questions
    ]
    report["imported"] = len(bank.questions)
    if not dry_run:
        import_bank(bank, now())
    return report


def export_file(path: str, *, fmt: str = "yaml", bank_slug: str | None = None) -> int:
    from quiz.banks.exporting import bank_from_sql

    if fmt != "yaml":
        raise ValueError(f"export to {fmt} is not supported yet; use yaml")
    bank = bank_from_sql(bank_slug)
    Path(path).write_text(question_bank.dump_bank(bank), encoding="utf-8")
    return len(bank.questions)
