"""The ``quiz`` command line (a Flask CLI group; ``flask --app quiz`` works the same)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _app_factory() -> Flask:
    from quiz import create_app
    from quiz.settings import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        # One line naming the variable to fix instead of a traceback (click prints it
        # as "Error: …" and exits with status 1).
        raise click.ClickException(f"the platform cannot start: {exc}") from exc


@click.group(cls=FlaskGroup, create_app=_app_factory)
def main() -> None:
    """Science-literacy contest platform."""


@main.group("settings", cls=click.Group)  # plain: no app (it may not start)
def settings_group() -> None:
    """The settings read from the environment (quiz/settings.py); no app is started."""


@settings_group.command("table")
def settings_table_command() -> None:
    """Print the README's configuration tables (Markdown), generated from the catalogue."""
    from quiz.settings import fixed_table, markdown_table

    click.echo(markdown_table() + "\n" + fixed_table(), nl=False)


@settings_group.command("check")
def settings_check_command() -> None:
    """Read and check the environment's settings the way the app does when it starts."""
    import tempfile

    from quiz.config import load_config
    from quiz.settings import ConfigError

    with tempfile.TemporaryDirectory() as instance:
        try:
            cfg = load_config(instance)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"settings ok ({cfg['QUIZ_ENV']})")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(bank_group)
    app.cli.add_command(leaderboard_group)
    app.cli.add_command(attempts_group)
    app.cli.add_command(regions_group)
    app.cli.add_command(contest_group)
    app.cli.add_command(users_group)
    app.cli.add_command(i18n_group)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo accounts, bank and contest (idempotent)."""
    from quiz.clock import now
    from quiz.demo.services import DEMO_PASSWORD, load_demo
    from quiz.extensions import db

    accounts = load_demo(now())
    db.session.commit()  # the command is the unit of work
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        roles = ", ".join(str(r) for r in account.roles)
        click.echo(f"  {account.username:<10} {roles}")


@click.group("i18n")
def i18n_group() -> None:
    """Translations: checks of the shipped text, the Mongolian review sheet."""


@i18n_group.command("check-mongolian")
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(["catalog", "bank", "regions", "templates", "code", "documents"]),
    help="Only these sources (repeatable); all by default.",
)
@click.option("--certain", is_flag=True, help="Only the certain (mechanical) defects.")
@click.option(
    "--glossary",
    is_flag=True,
    help="Also the catalog entries without the glossary's form (docs/mongolian-glossary.md).",
)
def i18n_check_mongolian(sources: tuple[str, ...], certain: bool, glossary: bool) -> None:
    """List the Mongolian checker's findings per file:line (docs/translations.md).

    Each line: location, code, "certain" or "review" (for a native reviewer), the
    message, the suggestion, and the words in transliteration. Exits with status 1
    when a certain defect (or, with --glossary, a glossary mismatch) remains.
    """
    from collections import Counter

    from question_bank.transliteration import to_latin
    from quiz.mongolian_texts import glossary_findings, project_findings

    found = [
        (text, finding)
        for text, finding in project_findings()
        if (not sources or text.source in sources) and (finding.certain or not certain)
    ]
    counts: Counter[tuple[str, str, bool]] = Counter()
    for text, finding in found:
        counts[(text.source, finding.code, finding.certain)] += 1
        mark = "certain" if finding.certain else "review"
        fixed = finding.corrected
        hint = f" -> {fixed}" if fixed is not None else ""
        latin = to_latin(finding.word) + (f" -> {to_latin(fixed)}" if fixed is not None else "")
        click.echo(f"{text.location}: {finding.code} [{mark}] {finding.message}{hint} [{latin}]")
    click.echo("")
    for (source, code, is_certain), count in sorted(counts.items()):
        click.echo(f"{source:<10} {code:<26} {'certain' if is_certain else 'review':<8} {count}")
    total = sum(1 for _text, finding in found if finding.certain)
    click.echo(f"{total} certain defects, {len(found) - total} for review")
    terms = glossary_findings() if glossary else []
    for text, term in terms:
        form = term.mongolian + ("-" if term.is_stem else "")
        click.echo(
            f"{text.location}: glossary {term.english!r}: {form} ({term.transliteration}) "
            f"[{text.context}]"
        )
    if glossary:
        click.echo(f"{len(terms)} catalog entries without the glossary's form")
    if total or terms:
        sys.exit(1)


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
    """Close attempts left open past their deadline, and heal stale boards.

    The per-minute job, and the one place stale boards are healed (never inside a
    participant's request). The command owns the transaction: the sweep flushes, this
    commits, and the board publishes run after the commit.
    """
    from quiz.clock import now
    from quiz.extensions import db
    from quiz.leaderboards.services import heal
    from quiz.play.services import finalize_overdue

    closed = finalize_overdue(now())
    db.session.commit()
    healed = heal(now())
    click.echo(f"finalized {closed} attempts; rebuilt {len(healed)} stale contests")


@click.group("contest")
def contest_group() -> None:
    """Contests: export and import results (quiz/results/transfer.py)."""


@contest_group.command("export")
@click.argument("contest_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def contest_export(contest_id: int, path: str) -> None:
    """Write a contest's results (versioned JSON) to PATH."""
    from quiz.clock import now
    from quiz.results.transfer import TransferError, write_export

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
    from quiz.leaderboards.services import rebuild
    from quiz.results.transfer import TransferError, import_contest

    try:
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
        contest_id = import_contest(data, now())
    except (TransferError, ValueError, KeyError) as exc:
        raise click.ClickException(f"cannot import {path}: {exc}") from exc
    rebuild(now(), [contest_id])
    click.echo(f"imported as contest {contest_id}; boards rebuilt")


# -- quiz users (quiz/admin/services.py) -------------------------------------------------

_ROLE_CHOICE = click.Choice(["admin", "organizer", "teacher"])


@click.group("users")
def users_group() -> None:
    """Accounts and roles: create staff, grant and revoke roles, reset passwords.

    Every change is recorded in the audit log with the operator "cli".
    """


def _run(change: Any) -> Any:
    """Run one change and commit it; a refused change rolls back and exits 1 with why."""
    from flask_babel import force_locale

    from quiz.errors import QuizError, ValidationFailed
    from quiz.extensions import db

    try:
        result = change()
        db.session.commit()
        return result
    except QuizError as exc:
        db.session.rollback()
        with force_locale("en"):  # the command line speaks English (the msgids)
            if isinstance(exc, ValidationFailed):
                lines = [
                    f"{name}: {message}"
                    for name, messages in exc.field_messages().items()
                    for message in messages
                ]
            else:
                lines = [exc.localized()]
        raise click.ClickException("\n".join(lines)) from exc


def _user(username: str) -> Any:
    from quiz.admin.services import user_by_username

    return user_by_username(username)


@users_group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=_ROLE_CHOICE, help="Repeat for several.")
@click.option("--display-name", default=None, help="Shown on pages and boards (default: USERNAME).")
@click.option("--language", default="zh", type=click.Choice(["zh", "mn"]), show_default=True)
@click.option("--region", default=None, help="Banner/county code (default: the first listed).")
@click.option("--email", default=None, help="For forgotten-password links (optional).")
@click.option(
    "--password-file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the password from this file's first line ('-': standard input) "
    "instead of printing a one-time password.",
)
@with_appcontext
def users_create(
    username: str,
    roles: tuple[str, ...],
    display_name: str | None,
    language: str,
    region: str | None,
    email: str | None,
    password_file: Any,
) -> None:
    """Create an account; prints its one-time password once (changed at first login)."""
    from quiz.admin.services import create_account
    from quiz.clock import now
    from quiz.edge.client import CLI

    password = password_file.readline().rstrip("\r\n") if password_file else None
    user, one_time = _run(
        lambda: create_account(
            username,
            roles=roles,
            actor=CLI,
            now=now(),
            display_name=display_name,
            language=language,
            region_code=region,
            email=email,
            password=password,
        )
    )
    click.echo(f"created {user.username} ({', '.join(sorted(user.roles))})")
    if one_time:
        click.echo(f"one-time password: {one_time}")
        click.echo("It is shown only now; it must be changed at the first login.")


@users_group.command("grant")
@click.argument("username")
@click.argument("role", type=_ROLE_CHOICE)
@with_appcontext
def users_grant(username: str, role: str) -> None:
    """Give USERNAME the role ROLE (admin, organizer or teacher)."""
    from quiz.admin.services import grant_role
    from quiz.clock import now
    from quiz.edge.client import CLI

    user = _run(lambda: _user(username))
    changed = _run(lambda: grant_role(user, role, actor=CLI, now=now()))
    click.echo(f"{user.username}: {'granted' if changed else 'already has'} {role}")


@users_group.command("revoke")
@click.argument("username")
@click.argument("role", type=_ROLE_CHOICE)
@with_appcontext
def users_revoke(username: str, role: str) -> None:
    """Take the role ROLE away from USERNAME (never from the last active admin)."""
    from quiz.admin.services import revoke_role
    from quiz.clock import now
    from quiz.edge.client import CLI

    user = _run(lambda: _user(username))
    changed = _run(lambda: revoke_role(user, role, actor=CLI, now=now()))
    click.echo(f"{user.username}: {'revoked' if changed else 'does not have'} {role}")


@users_group.command("list")
@click.option("--role", default=None, type=_ROLE_CHOICE, help="Only accounts with this role.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of accounts.")
@with_appcontext
def users_list(role: str | None, as_json: bool) -> None:
    """List accounts by username."""
    from quiz.admin.services import account_summary, list_accounts

    if as_json:
        click.echo("[", nl=False)
        for index, user in enumerate(list_accounts(role)):
            prefix = "," if index else ""
            click.echo(prefix + json.dumps(account_summary(user), ensure_ascii=False), nl=False)
        click.echo("]")
        return
    for user in list_accounts(role):
        state = "" if user.is_active_account else "  [disabled]"
        roles = ",".join(sorted(user.roles))
        click.echo(f"{user.username:<32} {roles:<28} {user.display_name}{state}")


@users_group.command("reset-password")
@click.argument("username")
@with_appcontext
def users_reset_password(username: str) -> None:
    """Print a one-time password for USERNAME; it must be changed at the next login."""
    from quiz.admin.services import reset_password
    from quiz.clock import now
    from quiz.edge.client import CLI

    user = _run(lambda: _user(username))
    password = _run(lambda: reset_password(user, actor=CLI, now=now()))
    click.echo(f"one-time password for {user.username}: {password}")
    click.echo("Every session and app of the account was logged out.")


@users_group.command("disable")
@click.argument("username")
@with_appcontext
def users_disable(username: str) -> None:
    """Disable USERNAME: no login, every session and API token ends (not the last admin)."""
    from quiz.admin.services import set_active
    from quiz.clock import now
    from quiz.edge.client import CLI

    user = _run(lambda: _user(username))
    changed = _run(lambda: set_active(user, False, actor=CLI, now=now()))
    click.echo(f"{user.username}: {'disabled' if changed else 'already disabled'}")


@users_group.command("enable")
@click.argument("username")
@with_appcontext
def users_enable(username: str) -> None:
    """Enable USERNAME again."""
    from quiz.admin.services import set_active
    from quiz.clock import now
    from quiz.edge.client import CLI

    user = _run(lambda: _user(username))
    changed = _run(lambda: set_active(user, True, actor=CLI, now=now()))
    click.echo(f"{user.username}: {'enabled' if changed else 'already enabled'}")


@i18n_group.command("export-review")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def i18n_export_review(path: str) -> None:
    """Write every Mongolian string with its Chinese and English to an XLSX sheet."""
    from quiz.admin import translation_review

    sources = current_app.config.get("QUIZ_REVIEW_SOURCES") or translation_review.Sources()
    with open(path, "wb") as handle:
        handle.write(translation_review.export_review(sources))
    totals = translation_review.counts(sources)
    for source, count in totals.items():
        click.echo(f"{source}: {count['reviewed']} reviewed, {count['drafted']} machine-drafted")
    click.echo(f"wrote {path}")


@i18n_group.command("import-review")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-conflicts", is_flag=True, help="Apply the rows that do not conflict.")
@with_appcontext
def i18n_import_review(path: str, skip_conflicts: bool) -> None:
    """Apply a reviewed sheet; conflicts and errors are named and nothing is applied."""
    from quiz.admin import translation_review
    from quiz.clock import now
    from quiz.edge.client import CLI
    from quiz.extensions import db

    with open(path, "rb") as handle:
        data = handle.read()
    report = translation_review.import_review(
        data,
        path,
        current_app.config.get("QUIZ_REVIEW_SOURCES") or translation_review.Sources(),
        skip_conflicts=skip_conflicts,
        actor=CLI,
        now=now(),
    )
    for problem in report.errors:
        click.echo(f"{path}:{problem.row}: {problem.key}: {problem.message}", err=True)
    for problem in report.conflicts:
        click.echo(f"{path}:{problem.row}: conflict: {problem.key}: {problem.message}", err=True)
    if not report.applied:
        db.session.rollback()
        if report.errors or report.conflicts:
            click.echo("nothing applied", err=True)
            sys.exit(1)
        click.echo("nothing to change")
        return
    db.session.commit()
    click.echo(f"{report.changed} texts changed, {report.reviewed} entries marked reviewed")
