"""Loading and listing the region reference data."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from sqlalchemy import Connection, insert, inspect, select, update

from quiz.extensions import db
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL, Region

DATA_FILE = Path(__file__).parent / "data" / "inner_mongolia.csv"


def sync_regions(connection: Connection, path: Path = DATA_FILE) -> int:
    """Upsert the bundled regions (idempotent).

    Takes a plain connection because it runs inside Alembic's migration transaction
    (``quiz db upgrade`` keeps reference data in step with the code) as well as in the app.

    A region whose Mongolian name an admin edited in the console (``mn_edited_at`` set)
    keeps that name and its review mark: the bundled file updates only the rest. The
    column is looked up first because migrations also run this at older revisions.
    """
    table = Region.__table__
    rows = list(bundled_regions(path).values())
    has_edits = any(c["name"] == "mn_edited_at" for c in inspect(connection).get_columns("regions"))
    if has_edits:
        found = connection.execute(select(table.c.code, table.c.mn_edited_at)).all()
        existing = {code for code, _ in found}
        edited = {code for code, moment in found if moment is not None}
    else:
        existing, edited = set(connection.scalars(select(table.c.code))), set()
    # Leagues first so every county's parent exists when the county is written.
    ordered = sorted(enumerate(rows), key=lambda pair: pair[1]["level"] != LEAGUE_LEVEL)
    for position, row in ordered:
        values = {
            "level": row["level"],
            "parent_code": row["parent"] or None,
            "name_zh": unicodedata.normalize("NFC", row["name_zh"]),
            "name_mn": unicodedata.normalize("NFC", row["name_mn"]),
            "mn_reviewed": row["mn_reviewed"].strip().lower() == "true",
            "position": position,
        }
        if row["code"] in edited:
            del values["name_mn"], values["mn_reviewed"]
        if row["code"] in existing:
            connection.execute(update(table).where(table.c.code == row["code"]).values(**values))
        else:
            connection.execute(insert(table).values(code=row["code"], **values))
    return len(rows)


def bundled_regions(path: Path = DATA_FILE) -> dict[str, dict[str, str]]:
    """The bundled file's rows by code (the admin console shows what an edit replaced)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.position)))


def counties_by_league() -> list[tuple[Region, list[Region]]]:
    regions = all_regions()
    leagues = [r for r in regions if r.level == LEAGUE_LEVEL]
    counties = [r for r in regions if r.level == COUNTY_LEVEL]
    return [(lg, [c for c in counties if c.parent_code == lg.code]) for lg in leagues]
