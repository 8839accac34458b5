"""The ``quiz`` command line (a Flask CLI group; ``flask --app quiz`` works the same)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext


def _app_factory() -> Flask:
    from quiz import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory)
def main() -> None:
    """Science-literacy contest platform."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(bank_group)
    app.cli.add_command(leaderboard_group)
    app.cli.add_command(attempts_group)
    app.cli.add_command(regions_group)
    app.cli.add_command(contest_group)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo accounts, bank and contest (idempotent)."""
    from quiz.clock import now
    from quiz.demo.services import DEMO_PASSWORD, load_demo

    accounts = load_demo(now())
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        roles = ", ".join(str(r) for r in account.roles)
        click.echo(f"  {account.username:<10} {roles}")


@click.group("regions")
def regions_group() -> None:
    """Region reference data."""


@regions_group.command("sync")
@with_appcontext
def regions_sync() -> None:
    """Load the bundled 盟市 and 旗县 (also done by ``quiz db upgrade``)."""
    from quiz.extensions import db
    from quiz.regions.services import sync_regions

    count = sync_regions(db.session.connection())
    db.session.commit()
    click.echo(f"{count} regions in place")


@click.group("bank")
def bank_group() -> None:
    """Question banks."""


_IMPORT_FORMATS = [
    "auto",
    "yaml",
    "csv",
    "xlsx",
    "xls",
    "docx",
    "text",
    "zip",
    "gift",
    "moodle-xml",
    "aiken",
]
_EXPORT_FORMATS = ["yaml", "xlsx", "gift", "moodle-xml"]
_EXPORT_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx", ".xml": "moodle-xml"}


@bank_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", type=click.Choice(_IMPORT_FORMATS))
@click.option("--category", default=None, help="Category for questions that name none.")
@click.option("--dry-run", is_flag=True, help="Check the file, import nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report.")
@click.option(
    "--bank",
    "bank_slug",
    default=None,
    help="Bank id to import into (default: the file's, else the only bank).",
)
@click.option(
    "--language",
    default="zh",
    type=click.Choice(["zh", "mn"]),
    help="Language of GIFT, Moodle XML and Aiken text (Mongolian script is detected).",
)
@click.option(
    "--accept-changes",
    is_flag=True,
    help="Let the file change stored questions (their text, options or key); without it "
    "such a file is refused and the changes are listed.",
)
@with_appcontext
def bank_import(
    path: str,
    fmt: str,
    category: str | None,
    dry_run: bool,
    as_json: bool,
    bank_slug: str | None,
    language: str,
    accept_changes: bool,
) -> None:
    """Import a question bank file (all or nothing)."""
    from quiz.banks.importing import import_file

    report = import_file(
        path,
        fmt=fmt,
        category=category,
        dry_run=dry_run,
        bank_slug=bank_slug,
        language=language,
        accept_changes=accept_changes,
    )
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:

        def where(item: dict[str, Any]) -> str:
            return f"{path}:{item['line']}" if item.get("line") else path

        for error in report["errors"]:
            click.echo(f"{where(error)}: {error['message']}", err=True)
        for note in report.get("warnings", []):
            click.echo(f"{where(note)}: warning: {note['message']}", err=True)
        for note in report.get("unsupported", []) + report.get("duplicates", []):
            title = f" ({note['title']})" if note.get("title") else ""
            click.echo(f"{where(note)}: skipped{title}: {note['message']}", err=True)
        for change in report.get("changes", []):
            click.echo(
                f"{where(change)}: change ({change['title']}): {change['message']}", err=True
            )
        verb = "would import" if dry_run else "imported"
        if not report["errors"]:
            click.echo(f"{verb} {report['imported']} questions, skipped {report['skipped']}")
    sys.exit(1 if report["errors"] else 0)


@bank_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    default=None,
    type=click.Choice(_EXPORT_FORMATS),
    help="Default: from the file name (.yaml, .xlsx, .xml, .gift), else yaml.",
)
@click.option("--bank", "bank_slug", default=None, help="Bank id (default: the only bank).")
@click.option(
    "--language",
    default="zh",
    type=click.Choice(["zh", "mn"]),
    help="GIFT and Moodle XML hold one language per question: which one.",
)
@click.option(
    "--headers",
    "header_language",
    default="zh",
    type=click.Choice(["zh", "mn", "en"]),
    help="Language of the XLSX column headers.",
)
@with_appcontext
def bank_export(
    path: str, fmt: str | None, bank_slug: str | None, language: str, header_language: str
) -> None:
    """Export a question bank."""
    from pathlib import Path

    from quiz.banks.importing import export_file

    if fmt is None:
        name = Path(path).name.lower()
        suffix = Path(name).suffix
        fmt = "gift" if ".gift" in name else _EXPORT_SUFFIXES.get(suffix, "yaml")
    try:
        count = export_file(
            path, fmt=fmt, bank_slug=bank_slug, language=language, header_language=header_language
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"exported {count} questions to {path}")


@bank_group.command("template")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--language", default="zh", type=click.Choice(["zh", "mn", "en"]))
def bank_template(path: str, language: str) -> None:
    """Write an XLSX workbook to fill in, with headers in Chinese, Mongolian or English."""
    from pathlib import Path

    from question_bank.formats import xlsx_template

    Path(path).write_bytes(xlsx_template(language))
    click.echo(f"wrote {path}")


@click.group("leaderboard")
def leaderboard_group() -> None:
    """Live leaderboards."""


@leaderboard_group.command("rebuild")
@click.option(
    "--round",
    "round_id",
    type=int,
    default=None,
    help="Rebuild the boards of this round's contest only.",
)
@with_appcontext
def leaderboard_rebuild(round_id: int | None) -> None:
    """Rebuild leaderboards from SQL (the source of truth)."""
    from quiz.clock import now
    from quiz.contests.models import Round
    from quiz.extensions import db
    from quiz.leaderboards.services import rebuild

    contest_ids: Any = None
    if round_id is not None:
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise click.ClickException(f"no round {round_id}")
        contest_ids = [round_.contest_id]
    for contest_id, count in rebuild(now(), contest_ids).items():
        click.echo(f"contest {contest_id}: {count} attempts replayed")


@click.group("attempts")
def attempts_group() -> None:
    """Attempts."""


@attempts_group.command("finalize-overdue")
@with_appcontext
def attempts_finalize_overdue() -> None:
    """Close attempts left open past their deadline, and heal stale boards."""
    from quiz.clock import now
    from quiz.leaderboards.services import heal
    from quiz.play.services import finalize_overdue

    closed = finalize_overdue(now())
    healed = heal(now())
    click.echo(f"finalized {closed} attempts; rebuilt {len(healed)} stale contests")


@click.group("contest")
def contest_group() -> None:
    """Contests: export and import results (quiz/contests/transfer.py)."""


@contest_group.command("export")
@click.argument("contest_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def contest_export(contest_id: int, path: str) -> None:
    """Write a contest's results (versioned JSON) to PATH."""
    from quiz.clock import now
    from quiz.contests.transfer import TransferError, write_export

    try:
        counts = write_export(contest_id, path, now())
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(", ".join(f"{n} {name}" for name, n in sorted(counts.items())))


@contest_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def contest_import(path: str) -> None:
    """Load an exported contest into this instance and rebuild its boards."""
    from quiz.clock import now
    from quiz.contests.transfer import TransferError, import_contest
    from quiz.leaderboards.services import rebuild

    try:
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
        contest_id = import_contest(data, now())
    except (TransferError, ValueError, KeyError) as exc:
        raise click.ClickException(f"cannot import {path}: {exc}") from exc
    rebuild(now(), [contest_id])
    click.echo(f"imported as contest {contest_id}; boards rebuilt")
