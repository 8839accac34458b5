"""The organizers' literacy dashboard: what the finished self-tests
(``quiz.practice.assessment``) say per league (盟市), county (旗县), age group and month.

Who is counted: people, not self-tests. Everyone who finished a self-test in the period
(and the chosen language) counts once, with their LATEST finished self-test in the
period; each month of the series counts each person once with their latest self-test
of that month. A person is placed by the region and age group recorded on that
self-test (snapshots taken at its start).

Small cells are suppressed so nobody can be singled out: a cell with fewer than
``SUPPRESS_BELOW`` people shows neither its count, nor its shares, nor its means. Rows
that add up to a shown total (the counties of a league, the leagues, the age groups)
could give a suppressed cell away by subtraction, so when exactly one row of such a
group is suppressed, the next smallest row is suppressed too (complementary
suppression).

The people are self-selected: this describes who chose to take the self-test, it is
not an estimate for the population (every page and file says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from quiz.dates import local_day, to_utc
from quiz.extensions import db
from quiz.i18n import LANGUAGES
from quiz.practice.assessment import AGE_GROUPS, BANDS
from quiz.practice.models import Assessment
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL, Region

SUPPRESS_BELOW = 10
"""A cell needs this many people to be shown."""

PARTS = ("knowledge", "method", "spirit", "application")
MEANS = (*PARTS, "score")
UNKNOWN = ""
"""The key of people without a region (or age group, or county) on their self-test."""

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Filters:
    """What the dashboard covers; ``None`` means no limit."""

    first_month: date | None = None  # the 1st of the month
    last_month: date | None = None
    league: str | None = None  # a league's region code
    language: str | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links and the export)."""
        args = {
            "from": month_key(self.first_month) if self.first_month else "",
            "to": month_key(self.last_month) if self.last_month else "",
            "league": self.league or "",
            "language": self.language or "",
        }
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class Person:
    """One person's counted self-test."""

    user_id: int
    finished_at: datetime
    league: str
    county: str
    age_group: str
    band: str
    scores: dict[str, float]


@dataclass
class Cell:
    """One row of a table: a group of people and, when not suppressed, their figures."""

    key: str
    people: int
    shares: dict[str, float] = field(default_factory=dict)  # band -> share, sum 1
    means: dict[str, float] = field(default_factory=dict)  # part or "score" -> mean
    suppressed: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.suppressed:
            return {"key": self.key, "suppressed": True}
        return {
            "key": self.key,
            "suppressed": False,
            "people": self.people,
            "bands": {band: round(share, 4) for band, share in self.shares.items()},
            "means": {name: round(value, 1) for name, value in self.means.items()},
        }


@dataclass
class Dashboard:
    filters: Filters
    overall: Cell
    leagues: list[Cell]  # every league with people (and UNKNOWN), language/period filtered
    counties: list[Cell]  # the chosen league's counties (empty without a league)
    ages: list[Cell]
    months: list[Cell]  # key "YYYY-MM"


# -- parsing the filters (never raises: a bad value is ignored) -----------------------


def parse_month(raw: object) -> date | None:
    """``YYYY-MM`` as the 1st of that month; anything else None."""
    if not isinstance(raw, str):
        return None
    match = _MONTH.fullmatch(raw.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def leagues() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region).where(Region.level == LEAGUE_LEVEL).order_by(Region.position)
        )
    )


def parse_filters(args: Any) -> Filters:
    """The filters from query arguments (``from``, ``to``, ``league``, ``language``).

    A malformed month, an unknown league or language is ignored (the dashboard echoes
    the filters it applied), so no argument can make the page fail.
    """
    first, last = parse_month(args.get("from")), parse_month(args.get("to"))
    if first and last and first > last:
        first, last = last, first
    league = args.get("league")
    if not isinstance(league, str) or league not in {r.code for r in leagues()}:
        league = None
    language = args.get("language")
    if language not in LANGUAGES:
        language = None
    return Filters(first, last, league, language)


# -- the figures ----------------------------------------------------------------------


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _finished(filters: Filters) -> list[Assessment]:
    query = select(Assessment).where(
        Assessment.finished_at.is_not(None), Assessment.score.is_not(None)
    )
    if filters.first_month:
        start = datetime(filters.first_month.year, filters.first_month.month, 1)
        query = query.where(Assessment.finished_at >= to_utc(start))
    if filters.last_month:
        end = _next_month(filters.last_month)
        query = query.where(Assessment.finished_at < to_utc(datetime(end.year, end.month, 1)))
    if filters.language:
        query = query.where(Assessment.language == filters.language)
    return list(db.session.scalars(query.order_by(Assessment.finished_at, Assessment.id)))


def _person(test: Assessment, parents: dict[str, tuple[str, str | None]]) -> Person:
    level, parent = parents.get(test.region_code or "", ("", None))
    if level == COUNTY_LEVEL and parent:
        league, county = parent, test.region_code or UNKNOWN
    elif level == LEAGUE_LEVEL:
        league, county = test.region_code or UNKNOWN, UNKNOWN
    else:
        league, county = UNKNOWN, UNKNOWN
    return Person(
        user_id=test.user_id,
        finished_at=test.finished_at or datetime.min,
        league=league,
        county=county,
        age_group=test.age_group if test.age_group in AGE_GROUPS else UNKNOWN,
        band=test.band or "",
        scores={
            "knowledge": test.knowledge_score or 0.0,
            "method": test.method_score or 0.0,
            "spirit": test.spirit_score or 0.0,
            "application": test.application_score or 0.0,
            "score": test.score or 0.0,
        },
    )


def latest(people: Iterable[Person]) -> list[Person]:
    """Each person once, with their latest self-test (input in finishing order)."""
    by_user: dict[int, Person] = {}
    for person in people:
        by_user[person.user_id] = person
    return list(by_user.values())


def cell(key: str, people: Sequence[Person]) -> Cell:
    """The figures of a group (suppressed when it is too small)."""
    count = len(people)
    if count < SUPPRESS_BELOW:
        return Cell(key, count, suppressed=True)
    shares = {band: sum(p.band == band for p in people) / count for band in BANDS}
    means = {name: sum(p.scores[name] for p in people) / count for name in MEANS}
    return Cell(key, count, shares, means)


def protect(cells: list[Cell]) -> list[Cell]:
    """Complementary suppression over rows that add up to a shown total: if exactly
    one row is suppressed, the smallest shown row is suppressed as well, so the total
    minus the shown rows is the sum of two hidden rows, not one person's group."""
    hidden = [c for c in cells if c.suppressed]
    shown = [c for c in cells if not c.suppressed]
    if len(hidden) == 1 and shown:
        smallest = min(shown, key=lambda c: (c.people, c.key))
        smallest.suppressed = True
        smallest.shares, smallest.means = {}, {}
    return cells


def _grouped(people: Sequence[Person], key: Any, order: Sequence[str]) -> list[Cell]:
    groups: dict[str, list[Person]] = {}
    for person in people:
        groups.setdefault(key(person), []).append(person)
    rank = {k: n for n, k in enumerate(order)}
    keys = sorted(groups, key=lambda k: (rank.get(k, len(rank)), k))
    return protect([cell(k, groups[k]) for k in keys])


def dashboard(filters: Filters) -> Dashboard:
    """The dashboard's tables for ``filters``."""
    regions = list(db.session.scalars(select(Region).order_by(Region.position)))
    parents = {r.code: (r.level, r.parent_code) for r in regions}
    order = [r.code for r in regions] + [UNKNOWN]
    tests = [_person(t, parents) for t in _finished(filters)]
    everyone = latest(tests)
    by_league = _grouped(everyone, lambda p: p.league, order)
    if filters.league:
        tests = [t for t in tests if t.league == filters.league]
    people = latest(tests)
    counties = _grouped(people, lambda p: p.county, order) if filters.league else []
    months: dict[str, list[Person]] = {}
    for test in tests:
        months.setdefault(month_key(local_day(test.finished_at)), []).append(test)
    return Dashboard(
        filters=filters,
        overall=cell("", people),
        leagues=by_league,
        counties=counties,
        ages=_grouped(people, lambda p: p.age_group, [*AGE_GROUPS, UNKNOWN]),
        months=[cell(k, latest(months[k])) for k in sorted(months)],
    )


def to_json(board: Dashboard) -> dict[str, Any]:
    """The dashboard for API clients: a suppressed cell is ``{"suppressed": true}``."""
    return {
        "filters": {
            "from": month_key(board.filters.first_month) if board.filters.first_month else None,
            "to": month_key(board.filters.last_month) if board.filters.last_month else None,
            "league": board.filters.league,
            "language": board.filters.language,
        },
        "minimum_people": SUPPRESS_BELOW,
        "sample": "self-selected",
        "overall": board.overall.to_json(),
        "leagues": [c.to_json() for c in board.leagues],
        "counties": [c.to_json() for c in board.counties],
        "age_groups": [c.to_json() for c in board.ages],
        "months": [c.to_json() for c in board.months],
    }
