"""School rankings per contest: within each 旗县 and each 盟市, by participation rate
and by average score.

The numbers, per school and contest (SQL is the truth):

- enrolled: the school's accounts (``User.school_id``) enrolled in the contest;
- participants: those of them with at least one finished attempt;
- points_total: the sum over participants of their contest score, which is the sum of
  their best finished attempt per round (the contest board's rule, finished attempts
  only: a running attempt of a live round does not count for the school yet);
- participation rate = participants / enrolled; average score = points_total /
  participants.

Live: when an attempt finishes, ``quiz.leaderboards.services.publish`` calls
``refresh_school`` for the participant's school (two aggregate queries over one school),
which writes the school's four board entries with absolute values. Class enrolment
refreshes the school too (the rate's denominator changed). ``quiz leaderboard rebuild``
(``rebuild_contest``) recomputes every school of the contest (``rebuild_school_boards``)
and swaps the boards in; a test holds the rebuilt boards equal to the live ones.

Freeze: while any round of the contest is frozen, participants, teachers and the public
read frozen school boards (``FROZEN`` keys), computed from SQL with the attempts finished
by the earliest freeze, like the contest's own frozen boards (a school's average would
otherwise show a frozen finisher's score: red-team finding, docs/security.md). They are
built when a round is frozen or unfrozen and by every rebuild; the contest's organizers
read the live ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import distinct, func, select

from quiz.accounts.models import User
from quiz.contests.models import Enrollment
from quiz.extensions import db, redis_store
from quiz.leaderboards.services import frozen_cutoffs
from quiz.leaderboards.store import FROZEN, SchoolBoardStore, SchoolEntry
from quiz.play.models import Attempt
from quiz.regions.models import Region
from quiz.schools.models import School
from quiz.signals import attempts_published, boards_rebuilt, frozen_boards_rebuilt


def school_store() -> SchoolBoardStore:
    return SchoolBoardStore(redis_store.client)


def school_entries(
    contest_id: int, school_id: int | None = None, finished_by: datetime | None = None
) -> list[SchoolEntry]:
    """The ranking numbers of every school of a contest (or one school), from SQL;
    ``finished_by``: only the attempts finished by then (the frozen boards)."""
    enrolled_q = (
        select(User.school_id, func.count())
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.contest_id == contest_id, User.school_id.is_not(None))
        .group_by(User.school_id)
    )
    best = (
        select(
            User.school_id.label("school_id"),
            Attempt.user_id.label("user_id"),
            func.max(Attempt.points).label("points"),
        )
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.contest_id == contest_id,
            Attempt.finished_at.is_not(None),
            User.school_id.is_not(None),
        )
        .group_by(User.school_id, Attempt.user_id, Attempt.round_id)
    )
    if finished_by is not None:
        best = best.where(Attempt.finished_at <= finished_by)
    if school_id is not None:
        enrolled_q = enrolled_q.where(User.school_id == school_id)
        best = best.where(User.school_id == school_id)
    best_sub = best.subquery()
    played_q = select(
        best_sub.c.school_id, func.count(distinct(best_sub.c.user_id)), func.sum(best_sub.c.points)
    ).group_by(best_sub.c.school_id)
    enrolled = {sid: int(n) for sid, n in db.session.execute(enrolled_q)}
    played = {sid: (int(n), int(total or 0)) for sid, n, total in db.session.execute(played_q)}
    if not enrolled:
        return []
    places = dict(
        (sid, (county, league))
        for sid, county, league in db.session.execute(
            select(School.id, School.region_code, Region.parent_code)
            .join(Region, Region.code == School.region_code)
            .where(School.id.in_(list(enrolled)))
        )
    )
    return [
        SchoolEntry(
            school_id=sid,
            county_code=places[sid][0],
            league_code=places[sid][1] or "",
            enrolled=int(count),
            participants=played.get(sid, (0, 0))[0],
            points_total=played.get(sid, (0, 0))[1],
        )
        for sid, count in sorted(enrolled.items())
        if sid in places
    ]


def refresh_school(contest_id: int, school_id: int) -> None:
    """Write one school's live entries (raises ``redis.RedisError`` when Redis is down)."""
    entries = school_entries(contest_id, school_id)
    store = school_store()
    pipe = store.client.pipeline(transaction=False)
    if entries:
        store.write(pipe, contest_id, entries)
    else:
        school = db.session.get(School, school_id)
        if school is not None:
            region = db.session.get(Region, school.region_code)
            league = region.parent_code if region is not None else ""
            store.remove(
                pipe, contest_id, SchoolEntry(school_id, school.region_code, league or "", 0, 0, 0)
            )
    pipe.execute()


def refresh_user_school(contest_id: int, user_id: int) -> None:
    """The live hook: refresh the school of a participant whose attempt just finished."""
    school_id = db.session.scalar(select(User.school_id).where(User.id == user_id))
    if school_id is not None:
        refresh_school(contest_id, school_id)


def rebuild_school_boards(contest_id: int) -> int:
    """Recompute every school of a contest from SQL and swap the boards in (the live
    boards and, during a freeze, the frozen ones)."""
    entries = school_entries(contest_id)
    school_store().replace_all(contest_id, entries)
    build_frozen_school_boards(contest_id)
    return len(entries)


def build_frozen_school_boards(contest_id: int) -> None:
    """The school boards as they stood at the contest's earliest freeze, or none when no
    round is frozen (raises ``redis.RedisError`` when Redis is down)."""
    cutoffs = frozen_cutoffs(contest_id)
    if not cutoffs:
        school_store().drop(contest_id, FROZEN)
        return
    entries = school_entries(contest_id, finished_by=min(cutoffs.values()))
    school_store().replace_all(contest_id, entries, target=FROZEN)


def on_attempts_published(sender: Any, *, attempts: list[Attempt]) -> None:
    """``quiz.signals.attempts_published`` (quiz.leaderboards, after the boards): finished
    attempts move their schools' rankings; each school is refreshed once. Raises
    ``redis.RedisError`` when Redis is down (the sender marks the contest stale)."""
    # Writes Redis: both senders (leaderboards.publish, publish_many) run after their commit.
    if len(attempts) == 1:
        refresh_user_school(attempts[0].contest_id, attempts[0].user_id)
        return
    schools = db.session.execute(
        select(User.school_id, Attempt.contest_id)
        .join(Attempt, Attempt.user_id == User.id)
        .where(Attempt.id.in_([a.id for a in attempts]), User.school_id.is_not(None))
        .distinct()
    ).all()
    for school_id, contest_id in schools:
        assert school_id is not None  # the WHERE
        refresh_school(contest_id, school_id)


def on_boards_rebuilt(sender: Any, *, contest_id: int) -> None:
    """``quiz.signals.boards_rebuilt``: the school boards are rebuilt with the contest's."""
    rebuild_school_boards(contest_id)


def on_frozen_boards_rebuilt(sender: Any, *, contest_id: int) -> None:
    """``quiz.signals.frozen_boards_rebuilt``: the school boards freeze with the contest's."""
    build_frozen_school_boards(contest_id)


def init_app(app: Flask) -> None:
    """Listen to the boards (quiz.leaderboards): every app built gets the receivers."""
    attempts_published.connect(on_attempts_published)
    boards_rebuilt.connect(on_boards_rebuilt)
    frozen_boards_rebuilt.connect(on_frozen_boards_rebuilt)


@dataclass(frozen=True)
class RankedSchool:
    rank: int
    school: School
    enrolled: int
    participants: int
    rate: float  # 0..1
    average: float


def ranking(
    contest_id: int, scope: str, code: str, metric: str, *, frozen: bool = False
) -> list[RankedSchool]:
    """A school board, best first, with the schools loaded for their names; ``frozen``:
    as it stood at the freeze (what everyone but the contest's organizers sees)."""
    rows = school_store().read(contest_id, scope, code, metric, FROZEN if frozen else "")
    schools = {
        s.id: s
        for s in db.session.scalars(select(School).where(School.id.in_([sid for sid, _ in rows])))
    }
    ranked = []
    for index, (sid, (enrolled, participants, points)) in enumerate(rows):
        if sid not in schools:
            continue
        ranked.append(
            RankedSchool(
                rank=index + 1,
                school=schools[sid],
                enrolled=enrolled,
                participants=participants,
                rate=participants / enrolled if enrolled else 0.0,
                average=points / participants if participants else 0.0,
            )
        )
    return ranked
