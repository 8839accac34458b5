"""The literacy dashboard's console page and its XLSX export (organizers and admins,
like the daily set results). The figures come from ``quiz.practice.literacy_dashboard``;
this module only names things in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from question_bank.formats.spreadsheet import XLSX_MIMETYPE, Sheet, workbook
from quiz.accounts.access import roles_required
from quiz.accounts.models import Role
from quiz.edge.downloads import download, file_name
from quiz.i18n import LANGUAGE_NAMES, current_language
from quiz.practice import literacy_dashboard as figures
from quiz.practice.assessment import AGE_GROUPS, BANDS
from quiz.practice.routes import PART_NAMES, bp
from quiz.regions.services import all_regions

CAVEAT = _l("Self-selected sample, not a survey estimate.")
SUPPRESSED = _l("fewer than 10")


def _region_names(language: str) -> dict[str, str]:
    names = {r.code: r.name(language) for r in all_regions()}
    names[figures.UNKNOWN] = _("Not given")
    return names


def _age_names() -> dict[str, str]:
    names = {key: str(label) for key, label in AGE_GROUPS.items()}
    names[figures.UNKNOWN] = _("Not given")
    return names


@bp.route("/console/practice/literacy")
@roles_required(Role.ORGANIZER)
def literacy() -> Any:
    board = figures.dashboard(figures.parse_filters(request.args))
    language = current_language()
    return render_template(
        "practice/literacy.html",
        board=board,
        leagues=figures.leagues(),
        region_names=_region_names(language),
        age_names=_age_names(),
        band_names=BANDS,
        part_names=PART_NAMES,
        parts=figures.PARTS,
        language_names=LANGUAGE_NAMES,
        caveat=CAVEAT,
        suppressed=SUPPRESSED,
        minimum=figures.SUPPRESS_BELOW,
    )


def _header(first: str) -> list[str]:
    return [
        first,
        _("People"),
        *[str(name) for name in BANDS.values()],
        *[str(PART_NAMES[part]) for part in PART_NAMES],
        _("Mean score"),
    ]


def _rows(cells: Sequence[figures.Cell], names: dict[str, str]) -> list[list[Any]]:
    """One row per cell; a suppressed cell says so and nothing else."""
    rows: list[list[Any]] = []
    width = 2 + len(BANDS) + len(figures.MEANS)
    for cell in cells:
        name = names.get(cell.key, cell.key)
        if cell.suppressed:
            rows.append([name, str(SUPPRESSED), *[""] * (width - 2)])
            continue
        rows.append(
            [
                name,
                cell.people,
                *[round(cell.shares[band], 4) for band in BANDS],
                *[round(cell.means[part], 1) for part in figures.MEANS],
            ]
        )
    rows.append([str(CAVEAT), *[""] * (width - 1)])
    return rows


def export_sheets(board: figures.Dashboard, language: str) -> list[Sheet]:
    """The page's tables as worksheets (shares as fractions, means in points)."""
    regions = _region_names(language)
    months = {cell.key: cell.key for cell in board.months}
    sheets = [
        Sheet(
            _("In total"),
            _header(_("In total")),
            _rows([board.overall], {"": _("All")}),
            styled=True,
        ),
        Sheet(
            _("Leagues and cities"),
            _header(_("League or city")),
            _rows(board.leagues, regions),
            styled=True,
        ),
    ]
    if board.filters.league:
        sheets.append(
            Sheet(
                _("Banners and counties"),
                _header(_("Banner, county or district")),
                _rows(board.counties, regions),
                styled=True,
            )
        )
    sheets += [
        Sheet(
            _("Age groups"), _header(_("Age group")), _rows(board.ages, _age_names()), styled=True
        ),
        Sheet(_("Months"), _header(_("Month")), _rows(board.months, months), styled=True),
    ]
    for sheet in sheets:
        sheet.widths = [24, 12, *[10] * (len(sheet.header) - 2)]
    return sheets


@bp.route("/console/practice/literacy.xlsx")
@roles_required(Role.ORGANIZER)
def literacy_export() -> Any:
    board = figures.dashboard(figures.parse_filters(request.args))
    language = current_language()
    league = _region_names(language).get(board.filters.league or "", "")
    return download(
        workbook(export_sheets(board, language)),
        XLSX_MIMETYPE,
        file_name("literacy", board.filters.league, suffix=".xlsx"),
        file_name(_("Literacy dashboard"), league or None, suffix=".xlsx"),
    )
