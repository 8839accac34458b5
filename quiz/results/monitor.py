"""The live monitor of a running round: a few counts, cheap enough to poll.

Every number is one SQL aggregate over an index (named beside each query), and the whole
snapshot is shared by all organizers watching the round for ``QUIZ_MONITOR_CACHE_SECONDS``
(default 2 s) per app process, so ten organizers polling every 5 s cost what one does.
Answers per minute for minutes that are over are kept in the process and never counted
again: a poll counts only the current minute's answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, case, cast, func, or_, select

from quiz.contests.models import Enrollment, League, Round
from quiz.extensions import db
from quiz.leaderboards.live import SharedCache
from quiz.play.models import Answer, Attempt

ACTIVE_WINDOW = timedelta(minutes=2)
MINUTES = 30
# A minute is "over" this long after its end: a save stamped 12:00:59.9 may commit later.
SETTLE = timedelta(seconds=10)


@dataclass(frozen=True)
class LeagueCount:
    league_id: int
    enrolled: int
    started: int
    finished: int


@dataclass(frozen=True)
class Snapshot:
    round_id: int
    at: datetime
    enrolled: int
    started: int
    finished: int
    active_now: int
    # (minute start, answers saved in that minute), oldest first, MINUTES entries
    per_minute: list[tuple[datetime, int]]
    leagues: list[LeagueCount]

    @property
    def in_progress(self) -> int:
        return self.started - self.finished

    def to_json(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "enrolled": self.enrolled,
            "started": self.started,
            "finished": self.finished,
            "in_progress": self.in_progress,
            "active_now": self.active_now,
            "active_window_seconds": int(ACTIVE_WINDOW.total_seconds()),
            "answers_per_minute": [
                {"minute": minute.isoformat() + "Z", "count": count}
                for minute, count in self.per_minute
            ],
            "leagues": [asdict(lg) for lg in self.leagues],
        }


def _cache() -> SharedCache:
    cache = current_app.extensions.get("quiz_monitor_cache")
    if cache is None:
        ttl = float(current_app.config["QUIZ_MONITOR_CACHE_SECONDS"])
        cache = current_app.extensions["quiz_monitor_cache"] = SharedCache(ttl)
    return cache


def snapshot(round_: Round, now: datetime) -> Snapshot:
    """The monitor's numbers, shared between pollers for the cache period."""
    return _cache().get(("monitor", round_.id), lambda: compute(round_, now))


def compute(round_: Round, now: datetime) -> Snapshot:
    """Count everything now (uncached; ``snapshot`` is what routes call)."""
    # Enrolled per league: the contest's enrollments through uq_enrollments_contest_id_user_id.
    enrolled = dict(
        db.session.execute(
            select(Enrollment.league_id, func.count())
            .where(Enrollment.contest_id == round_.contest_id)
            .group_by(Enrollment.league_id)
        ).all()
    )
    # Started and finished per league: an index-only scan of this round's entries in
    # ix_attempts_round_finished_league (round_id, finished_at, league_id).
    per_league = {
        league_id: (started, finished or 0)
        for league_id, started, finished in db.session.execute(
            select(
                Attempt.league_id,
                func.count(),
                func.sum(case((Attempt.finished_at.is_not(None), 1), else_=0)),
            )
            .where(Attempt.round_id == round_.id)
            .group_by(Attempt.league_id)
        )
    }
    # Active now: unfinished attempts with an answer (or a start) in the window. The range
    # (round_id = ?, finished_at IS NULL) of ix_attempts_round_finished_league holds only
    # attempts in progress, so this reads at most as many rows as people are playing.
    since = now - ACTIVE_WINDOW
    active = db.session.scalar(
        select(func.count()).where(
            Attempt.round_id == round_.id,
            Attempt.finished_at.is_(None),
            func.coalesce(Attempt.last_answer_at, Attempt.started_at) >= since,
        )
    )
    order = list(
        db.session.scalars(
            select(League.id)
            .where(League.contest_id == round_.contest_id)
            .order_by(League.position)
        )
    )
    leagues = [
        LeagueCount(
            league_id=lid,
            enrolled=int(enrolled.get(lid, 0)),
            started=int(per_league.get(lid, (0, 0))[0]),
            finished=int(per_league.get(lid, (0, 0))[1]),
        )
        for lid in order
    ]
    return Snapshot(
        round_id=round_.id,
        at=now,
        enrolled=sum(int(n) for n in enrolled.values()),
        started=sum(lg.started for lg in leagues),
        finished=sum(lg.finished for lg in leagues),
        active_now=int(active or 0),
        per_minute=answers_per_minute(round_.id, now),
        leagues=leagues,
    )


def _minute_number() -> Any:
    """Minutes since the Unix epoch of ``answers.answered_at``, in SQL, per dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", Answer.answered_at) / 60), Integer)
    return cast(func.strftime("%s", Answer.answered_at), Integer) // 60


EPOCH = datetime(1970, 1, 1)


def answers_per_minute(round_id: int, now: datetime) -> list[tuple[datetime, int]]:
    """Answers saved per minute over the last ``MINUTES`` minutes (the current one last).

    One query for the minutes not yet known. An answer saved since ``first`` belongs to
    an attempt still open or finished since then (answers stop at the finish, give or
    take the grace period, hence the extra minute), so the query reads the range
    (round_id = ?, finished_at IS NULL or >= first - 1 min) of
    ix_attempts_round_finished_league and those attempts' answers by primary key: the
    cost follows the last minutes' activity, not the round's size. Minutes that are over
    are remembered per process: after the first poll only the current minute is
    counted. An answer changed later counts in the minute of its latest save.
    """
    known: dict[tuple[int, int], int] = current_app.extensions.setdefault(
        "quiz_monitor_minutes", {}
    )
    current = int((now - EPOCH).total_seconds()) // 60
    minutes = list(range(current - MINUTES + 1, current + 1))
    settled = int((now - SETTLE - EPOCH).total_seconds()) // 60  # minutes < this are over
    missing = [m for m in minutes if (round_id, m) not in known]
    counts: dict[int, int] = {}
    if missing:
        first = EPOCH + timedelta(minutes=missing[0])
        minute = _minute_number().label("minute")
        counts = {
            int(m): int(n)
            for m, n in db.session.execute(
                select(minute, func.count())
                .select_from(Answer)
                .join(Attempt, Attempt.id == Answer.attempt_id)
                .where(
                    Attempt.round_id == round_id,
                    or_(
                        Attempt.finished_at.is_(None),
                        Attempt.finished_at >= first - timedelta(minutes=1),
                    ),
                    Answer.answered_at >= first,
                )
                .group_by(minute)
            )
        }
        for m in missing:
            if m < settled:
                known[(round_id, m)] = counts.get(m, 0)
        for key in [k for k in known if k[1] < minutes[0]]:  # forget what left the window
            del known[key]
    return [
        (EPOCH + timedelta(minutes=m), known.get((round_id, m), counts.get(m, 0))) for m in minutes
    ]
