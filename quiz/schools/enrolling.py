"""Enrolling a whole class into a contest in one step.

Each student's league follows the contest's league scheme:

- ``age_group``: 小学组 (code ``primary``) for grades 1-6, 中学组 (``middle``) for 7-12;
- ``school``: the school's own league (code ``school-<id>``);
- ``region``: the league of the school's 盟市;
- ``custom``: the contest's only league; with several, participants choose themselves.

A missing age-group or school league is created (names from the catalogs, both
languages). Students already enrolled keep their enrollment (and league).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quiz.audit.services import record
from quiz.contests.models import Contest, Enrollment, League, LeagueScheme, Registration
from quiz.contests.services import check_join_code, get_visible_contest
from quiz.edge.client import Actor
from quiz.errors import Conflict, Forbidden
from quiz.extensions import db
from quiz.i18n import LOCALES
from quiz.regions.models import Region
from quiz.schools.models import PRIMARY_GRADES, School, SchoolClass
from quiz.schools.services import class_students, get_class
from quiz.sql import insert_ignore
from quiz.unit_of_work import after_commit

log = logging.getLogger(__name__)
AGE_GROUPS = {
    "primary": "Primary school group",
    "middle": "Middle school group",
}
_MARKED = (_l("Primary school group"), _l("Middle school group"))


def _named(msgid: str) -> tuple[str, str]:
    names = []
    for language in ("zh", "mn"):
        with force_locale(LOCALES[language]):
            names.append(_(msgid))
    return names[0], names[1]


def _find_or_add(
    contest: Contest, code: str, kind: str, name_zh: str, name_mn: str, **extra
) -> League:
    league = db.session.scalar(
        select(League).where(League.contest_id == contest.id, League.code == code)
    )
    if league is None:
        league = League(
            contest_id=contest.id,
            code=code,
            kind=str(kind),
            name_zh=name_zh,
            name_mn=name_mn,
            position=len(contest.leagues),
            **extra,
        )
        db.session.add(league)
        db.session.flush()
    return league


def league_for_class(contest: Contest, school: School, school_class: SchoolClass) -> League:
    scheme = contest.league_scheme
    if scheme == LeagueScheme.AGE_GROUP:
        code = "primary" if school_class.grade in PRIMARY_GRADES else "middle"
        return _find_or_add(contest, code, LeagueScheme.AGE_GROUP, *_named(AGE_GROUPS[code]))
    if scheme == LeagueScheme.SCHOOL:
        league = db.session.scalar(
            select(League).where(League.contest_id == contest.id, League.school_id == school.id)
        )
        return league or _find_or_add(
            contest,
            f"school-{school.id}",
            LeagueScheme.SCHOOL,
            school.name_zh,
            school.name_mn,
            school_id=school.id,
        )
    if scheme == LeagueScheme.REGION:
        county = db.session.get(Region, school.region_code)
        home = county.parent_code if county is not None else None
        league = db.session.scalar(
            select(League).where(League.contest_id == contest.id, League.region_code == home)
        )
        if league is None:
            raise Conflict(_l("Your region has no league in this contest."), code="no_league")
        return league
    leagues = db.session.scalars(select(League).where(League.contest_id == contest.id)).all()
    if len(leagues) == 1:
        return leagues[0]
    raise Conflict(
        _l("In this contest each participant chooses a league; students enrol themselves."),
        code="league_choice_needed",
    )


@dataclass(frozen=True)
class ClassEnrollment:
    league: League
    enrolled: int  # newly enrolled now
    already: int  # were enrolled before


def enroll_class(
    actor: Actor,
    class_id: int,
    contest_id: int,
    now: datetime,
    join_code: str | None = None,
) -> ClassEnrollment:
    school, school_class = get_class(actor.user, class_id, manage=True)
    contest = get_visible_contest(contest_id, actor.user)
    if contest.registration == Registration.ALLOW_LIST:
        raise Forbidden(_l("Only invited participants can join this contest."), code="not_invited")
    check_join_code(contest, join_code)
    league = league_for_class(contest, school, school_class)
    students = [user for _s, user in class_students(school_class) if user.is_active_account]
    new = 0
    for user in students:
        inserted = db.session.scalar(
            insert_ignore(Enrollment, ["contest_id", "user_id"])
            .values(contest_id=contest.id, user_id=user.id, league_id=league.id, enrolled_at=now)
            .returning(Enrollment.id)
        )
        new += inserted is not None
    record(
        actor,
        action="school.class_enroll",
        object_type="school_class",
        object_id=school_class.id,
        school_id=school.id,
        contest_id=contest.id,
        now=now,
        after={"league_id": league.id, "enrolled": new, "already": len(students) - new},
    )
    db.session.flush()
    contest_id, school_id = contest.id, school.id
    after_commit(db.session(), lambda: _refresh_rankings(contest_id, school_id, now))
    return ClassEnrollment(league=league, enrolled=new, already=len(students) - new)


def _refresh_rankings(contest_id: int, school_id: int, now: datetime) -> None:
    """After the commit: the participation rate's denominator changed."""
    try:
        from quiz.schools.rankings import refresh_school

        refresh_school(contest_id, school_id)
    except redis.RedisError:
        from quiz.leaderboards.services import mark_stale

        log.warning("redis unavailable; school rankings of contest %s marked stale", contest_id)
        mark_stale(contest_id, now)
