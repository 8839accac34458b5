"""Participation by region: per 盟市 and per 旗县, who enrolled, started and finished.

Counted in SQL per 旗县 (a participant's ``region_code`` is their banner or county) and
rolled up to the 盟市 in Python from sums and counts, so the 盟市 average is exact. Every
one of the 12 盟市 and 103 旗县 gets a row, zeros included: the gaps are what an organizer
is looking for.

The average score is over participants who finished, each with their best finished
attempt per round (the ranking rule puts more points first, so the best attempt is the
one with the most points); across several rounds, each round counts separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, distinct, func, select

from quiz.accounts.models import User
from quiz.contests.models import Enrollment
from quiz.extensions import db
from quiz.play.models import Attempt
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL, Region


@dataclass
class RegionRow:
    code: str | None  # None: participants without a region
    level: str  # "league" (盟市), "county" (旗县) or "none"
    name_zh: str
    name_mn: str
    enrolled: int = 0
    started: int = 0
    finished: int = 0
    score_sum: int = 0
    score_count: int = 0

    @property
    def average(self) -> float | None:
        return round(self.score_sum / self.score_count, 1) if self.score_count else None

    def add(self, other: RegionRow) -> None:
        self.enrolled += other.enrolled
        self.started += other.started
        self.finished += other.finished
        self.score_sum += other.score_sum
        self.score_count += other.score_count


@dataclass(frozen=True)
class Participation:
    rows: list[RegionRow]  # each 盟市 followed by its 旗县; "no region" last if any
    total: RegionRow
    at: datetime


def by_region(contest_id: int, round_id: int | None, now: datetime) -> Participation:
    """Counts for the contest, or for one of its rounds (``round_id``)."""
    counties: dict[str | None, RegionRow] = {}

    def row(code: str | None) -> RegionRow:
        if code not in counties:
            counties[code] = RegionRow(code, "none", "", "")
        return counties[code]

    # Enrolled: the contest's enrollments (uq_enrollments_contest_id_user_id), per county.
    for code, count in db.session.execute(
        select(User.region_code, func.count())
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.contest_id == contest_id)
        .group_by(User.region_code)
    ):
        row(code).enrolled = int(count)
    # Per participant and round: finished at all, and their best finished points.
    # ix_attempts_contest_user for a contest, ix_attempts_round_finished_league for a round.
    done = Attempt.finished_at.is_not(None)
    per_user = (
        select(
            Attempt.user_id.label("user_id"),
            func.max(case((done, 1), else_=0)).label("finished"),
            func.max(case((done, Attempt.points))).label("best"),
        )
        .where(Attempt.contest_id == contest_id)
        .group_by(Attempt.user_id, Attempt.round_id)
    )
    if round_id is not None:
        per_user = per_user.where(Attempt.round_id == round_id)
    sub = per_user.subquery()
    for code, started, finished, total, scored in db.session.execute(
        select(
            User.region_code,
            func.count(distinct(sub.c.user_id)),
            func.count(distinct(case((sub.c.finished == 1, sub.c.user_id)))),
            func.coalesce(func.sum(sub.c.best), 0),
            func.count(sub.c.best),
        )
        .select_from(sub)
        .join(User, User.id == sub.c.user_id)
        .group_by(User.region_code)
    ):
        r = row(code)
        r.started, r.finished = int(started), int(finished)
        r.score_sum, r.score_count = int(total), int(scored)

    regions = list(db.session.scalars(select(Region).order_by(Region.position)))
    rows: list[RegionRow] = []
    total = RegionRow(None, "total", "", "")
    for league in (r for r in regions if r.level == LEAGUE_LEVEL):
        head = RegionRow(league.code, LEAGUE_LEVEL, league.name_zh, league.name_mn)
        rows.append(head)
        # A participant registered at 盟市 level (no county) counts in the 盟市 only.
        if league.code in counties:
            head.add(counties.pop(league.code))
        for county in (r for r in regions if r.parent_code == league.code):
            line = RegionRow(county.code, COUNTY_LEVEL, county.name_zh, county.name_mn)
            if county.code in counties:
                line.add(counties.pop(county.code))
            head.add(line)
            rows.append(line)
        total.add(head)
    rest = RegionRow(None, "none", "", "")
    for leftover in counties.values():  # no region, or a code no longer listed
        rest.add(leftover)
    if rest.enrolled or rest.started:
        rows.append(rest)
        total.add(rest)
    return Participation(rows=rows, total=total, at=now)
