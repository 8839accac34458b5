"""The end of a round: freeze the public boards, close, publish, and rank the results.

Each organizer action is one SQL transaction with its audit event (``quiz.audit``),
flushed here and committed once by the request; Redis is told after that commit
(``quiz.unit_of_work.after_commit``: frozen boards are rebuilt from SQL, so a Redis
failure there costs freshness, never a decision).

Results are ranked by the one rule in ``quiz.leaderboards.ranking`` (``better`` picks a
participant's best attempt, ``sort_key`` orders them), so a results page, an export and
the boards can never disagree about who is first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, select, update

from quiz.accounts.models import User
from quiz.audit.services import record
from quiz.contests.models import Contest, League, Round, RoundState
from quiz.edge.client import Actor
from quiz.errors import Conflict
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.models import FrozenBoard
from quiz.leaderboards.ranking import better, sort_key, to_ms
from quiz.play import services as play
from quiz.play.models import Attempt
from quiz.regions.models import Region
from quiz.results.models import RoundPublication
from quiz.unit_of_work import after_commit

log = logging.getLogger(__name__)
FINALIZE_BATCH = 500


# Freeze ---------------------------------------------------------------------------------


def frozen_at(round_id: int) -> datetime | None:
    row = db.session.get(FrozenBoard, round_id)
    return row.frozen_at if row else None


def _rebuild_frozen(contest_id: int, now: datetime) -> None:
    from quiz.leaderboards.live import forget_boards

    try:
        boards.build_frozen(contest_id)
    except redis.RedisError:
        # The decision is in SQL; the next rebuild (heal, or the first read) redoes it.
        log.warning("redis unavailable; frozen boards of contest %s marked stale", contest_id)
        boards._mark_stale(contest_id, now)
    # This process answers from the new state at once; others within their cache period.
    forget_boards()


def freeze(round_: Round, actor: Actor, now: datetime) -> bool:
    """Freeze the round's public boards now; False if they already were.

    Participants then see the boards as they stood now (results finished by now); the
    contest's organizers keep the live ones. Publishing the results unfreezes.
    """
    if round_.state(now) is RoundState.SCHEDULED:
        raise Conflict(_l("This round has not opened yet."), code="round_not_open")
    if db.session.get(FrozenBoard, round_.id) is not None:
        return False
    db.session.add(FrozenBoard(round_id=round_.id, contest_id=round_.contest_id, frozen_at=now))
    record(
        actor,
        action="round.freeze",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        after={"frozen_at": now},
    )
    db.session.flush()
    _rebuild_frozen_after_commit(round_.contest_id, now)
    return True


def _rebuild_frozen_after_commit(contest_id: int, now: datetime) -> None:
    after_commit(db.session(), lambda: _rebuild_frozen(contest_id, now))


def unfreeze(round_: Round, actor: Actor, now: datetime) -> bool:
    """Show participants the live boards again; False if they were not frozen."""
    row = db.session.get(FrozenBoard, round_.id)
    if row is None:
        return False
    before = {"frozen_at": row.frozen_at}
    db.session.delete(row)
    record(
        actor,
        action="round.unfreeze",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        before=before,
        after={"frozen_at": None},
    )
    db.session.flush()
    _rebuild_frozen_after_commit(round_.contest_id, now)
    return True


# Close and publish ----------------------------------------------------------------------


def close_round(round_: Round, actor: Actor, now: datetime) -> int:
    """Close the round now and finish every attempt still open; returns how many.

    One transaction sets ``closed_at``, moves the open attempts' deadlines to now (no
    answer is accepted after the grace period from here on) and finishes each open
    attempt through the one sweep (``play.finalize_overdue``): at its deadline, with the
    reason "deadline", published to the boards after the commit like any other finish.
    """
    state = round_.state(now)
    if state is RoundState.CLOSED:
        raise Conflict(_l("This round is closed."), code="round_closed")
    if state is RoundState.SCHEDULED:
        raise Conflict(_l("This round has not opened yet."), code="round_not_open")
    before = {"closed_at": round_.closed_at}
    round_.closed_at = now
    db.session.execute(
        update(Attempt)
        .where(Attempt.round_id == round_.id, Attempt.finished_at.is_(None))
        .where(Attempt.deadline > now)
        .values(deadline=now)
    )
    record(
        actor,
        action="round.close",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        before=before,
        after={"closed_at": now},
    )
    return finalize_open_attempts(round_.id, now)


def finalize_open_attempts(round_id: int, now: datetime) -> int:
    """Finish a closed round's open attempts at their deadlines (the one sweep)."""
    # Past every deadline and its grace: finish_attempt then closes at the deadline.
    after_grace = now + play.grace() + timedelta(milliseconds=1)
    return play.finalize_overdue(after_grace, batch=FINALIZE_BATCH, round_id=round_id)


def published_at(round_id: int) -> datetime | None:
    row = db.session.get(RoundPublication, round_id)
    return row.published_at if row else None


def publish(round_: Round, actor: Actor, now: datetime) -> bool:
    """Publish a closed round's results (and unfreeze its boards); False if already done."""
    if round_.state(now) is not RoundState.CLOSED:
        raise Conflict(
            _l("Close the round before publishing its results."), code="round_not_closed"
        )
    if db.session.get(RoundPublication, round_.id) is not None:
        return False
    # A round that closed by its schedule may still have attempts nobody handed in (the
    # periodic sweep closes them within a minute): close them now, so the results are whole.
    finalize_open_attempts(round_.id, now)
    db.session.add(
        RoundPublication(round_id=round_.id, published_at=now, published_by_id=actor.user_id)
    )
    record(
        actor,
        action="round.publish",
        object_type="round",
        object_id=round_.id,
        contest_id=round_.contest_id,
        now=now,
        after={"published_at": now},
    )
    unfreeze(round_, actor, now)
    db.session.flush()
    return True


# Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One participant's result in a round: their best finished attempt."""

    rank: int
    league_rank: int
    user_id: int
    username: str
    display_name: str
    league_id: int
    region_code: str | None
    points: int
    max_points: int
    correct_count: int
    question_count: int
    time_used_ms: int
    finished_at: datetime
    language: str


def _best_attempts(round_id: int) -> Iterator[Row[*tuple[Any, ...]]]:
    """Each participant's best finished attempt of the round (``ranking.better``).

    Streams the round's finished attempts (the ``ix_attempts_round_finished_league``
    range), each user's together, and yields one tuple per participant.
    """
    query = (
        select(
            Attempt.user_id,
            Attempt.league_id,
            Attempt.points,
            Attempt.max_points,
            Attempt.correct_count,
            Attempt.question_count,
            Attempt.time_used_ms,
            Attempt.finished_at,
            Attempt.language,
        )
        .where(Attempt.round_id == round_id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.user_id, Attempt.attempt_no)
        .execution_options(yield_per=5000)
    )
    best = None
    for row in db.session.execute(query):
        if best is not None and best.user_id != row.user_id:
            yield best
            best = None
        standing = (row.points, row.time_used_ms or 0, to_ms(row.finished_at))
        if best is None or better(
            standing, (best.points, best.time_used_ms or 0, to_ms(best.finished_at))
        ):
            best = row
    if best is not None:
        yield best


def round_results(round_: Round, league_id: int | None = None) -> list[ResultRow]:
    """The round's results, best first, with overall and league ranks.

    Ordered by ``ranking.sort_key`` with the round board's epoch, exactly as the round's
    board orders them; ties that the rule cannot break fall back to the user id, as on
    the boards. ``league_id`` keeps one league's rows (their ``rank`` stays the overall
    rank). Holds one small tuple per participant in memory (about 200 bytes each).
    """
    epoch = to_ms(round_.opens_at)
    rows = sorted(
        _best_attempts(round_.id),
        key=lambda r: sort_key(
            r.points, r.time_used_ms or 0, to_ms(r.finished_at), epoch, r.user_id
        ),
    )
    people: dict[int, tuple[str, str, str | None]] = {}
    wanted = [r.user_id for r in rows if league_id is None or r.league_id == league_id]
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        for uid, username, name, region_code in db.session.execute(
            select(User.id, User.username, User.display_name, User.region_code).where(
                User.id.in_(chunk)
            )
        ):
            people[uid] = (username, name, region_code)
    results = []
    league_places: dict[int, int] = {}
    for index, r in enumerate(rows, start=1):
        league_places[r.league_id] = league_places.get(r.league_id, 0) + 1
        if league_id is not None and r.league_id != league_id:
            continue
        username, name, region = people.get(r.user_id, ("", "", None))
        results.append(
            ResultRow(
                rank=index,
                league_rank=league_places[r.league_id],
                user_id=r.user_id,
                username=username,
                display_name=name,
                league_id=r.league_id,
                region_code=region,
                points=r.points,
                max_points=r.max_points,
                correct_count=r.correct_count,
                question_count=r.question_count,
                time_used_ms=r.time_used_ms or 0,
                finished_at=r.finished_at,
                language=r.language,
            )
        )
    return results


def leagues_of(contest: Contest) -> list[League]:
    return list(
        db.session.scalars(
            select(League).where(League.contest_id == contest.id).order_by(League.position)
        )
    )


def region_names() -> dict[str, Region]:
    return {r.code: r for r in db.session.scalars(select(Region))}
