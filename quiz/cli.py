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


@bank_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    default="auto",
    type=click.Choice(["auto", "yaml", "csv", "xlsx", "gift", "moodle-xml", "aiken"]),
)
@click.option("--category", default=None, help="Category for questions that name none.")
@click.option("--dry-run", is_flag=True, help="Check the file, import nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report.")
@with_appcontext
def bank_import(path: str, fmt: str, category: str | None, dry_run: bool, as_json: bool) -> None:
    """Import a question bank file (all or nothing)."""
    from quiz.banks.importing import import_file

    report = import_file(path, fmt=fmt, category=category, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for error in report["errors"]:
            where = f"{path}:{error['line']}" if error.get("line") else path
            click.echo(f"{where}: {error['message']}", err=True)
        verb = "would import" if dry_run else "imported"
        if not report["errors"]:
            click.echo(f"{verb} {report['imported']} questions, skipped {report['skipped']}")
    sys.exit(1 if report["errors"] else 0)


@bank_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", default="yaml", type=click.Choice(["yaml", "xlsx", "gift", "moodle-xml"])
)
@click.option("--bank", "bank_slug", default=None, help="Bank id (default: the only bank).")
@with_appcontext
def bank_export(path: str, fmt: str, bank_slug: str | None) -> None:
    """Export a question bank."""
    from quiz.banks.importing import export_file

    try:
        count = export_file(path, fmt=fmt, bank_slug=bank_slug)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"exported {count} questions to {path}")


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
