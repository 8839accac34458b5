"""Reading live boards for many viewers at once: shared top, personal rank.

A projector and hundreds of phones poll the same board (every 1.5 s, see
templates/leaderboards/_table.html). What they all see (the top N of one board, its size,
the "being updated" flag and the league names) is read from Redis and SQL at most once per
``QUIZ_BOARD_CACHE_SECONDS`` (default 0.5 s) per app process and board + league + limit,
however many people watch; concurrent requests
for an expired entry wait for one reader instead of all reading (single flight). What
differs per viewer, their own rank overall and in their league, costs one round trip of
ZSCORE + ZRANK (+ ZRANK): O(log n) each, whatever the board's size.

The ETag of a response is computed from its body (the shared part plus the viewer's
rank), so an unchanged board still answers 304. The cache lives in the process; a
board may be up to one TTL behind Redis: poll interval + TTL = 2 s, the most a page may
lag behind an answer (issue 3).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis
from flask import current_app

from quiz.cache import SharedCache, app_cache
from quiz.contests.models import Contest
from quiz.leaderboards.ranking import decode, member
from quiz.leaderboards.services import (
    BoardView,
    board_store,
    frozen_cutoffs,
    league_names,
    read_board,
)
from quiz.leaderboards.store import FROZEN, BoardKeys

if TYPE_CHECKING:
    from quiz.contests.services import ContestRef

LEAGUE_NAMES_SECONDS = 30.0


def shared_cache() -> SharedCache:
    cache = current_app.extensions.get("quiz_board_cache")
    if cache is None:
        ttl = float(current_app.config["QUIZ_BOARD_CACHE_SECONDS"])
        cache = current_app.extensions["quiz_board_cache"] = SharedCache(ttl)
    return cache


def _viewer_place(
    contest_id: int,
    round_id: int | None,
    league_id: int | None,
    user_id: int,
    user_league_id: int | None,
    prefix: str = "",
) -> dict | None:
    """The viewer's score, rank on this board and rank in their own league: one round trip."""
    keys = BoardKeys(contest_id, prefix)
    who = member(user_id)
    pipe = board_store().client.pipeline(transaction=False)
    board = keys.board(round_id, league_id)
    pipe.zscore(board, who)
    pipe.zrank(board, who)
    if user_league_id:
        pipe.zrank(keys.board(round_id, user_league_id), who)
    results = pipe.execute()
    if results[0] is None:
        return None
    points, time_used = decode(int(-results[0]))
    league_rank = results[2] + 1 if len(results) > 2 and results[2] is not None else None
    return {
        "rank": results[1] + 1,
        "league_rank": league_rank,
        "score": points,
        "time_used_ms": time_used,
    }


def live_board(
    contest: Contest | ContestRef,
    round_id: int | None,
    league_id: int | None,
    limit: int,
    user_id: int | None,
    user_league_id: int | None,
    now: datetime,
    frozen: bool = False,
) -> BoardView:
    """The same view as ``services.read_board``, with the top shared between viewers."""
    top: BoardView = shared_cache().get(
        ("frozen-top" if frozen else "top", contest.id, round_id, league_id, limit),
        lambda: read_board(contest, round_id, league_id, limit, None, None, now, frozen=frozen),
    )
    if user_id is None or (top.stale and not top.entries and not top.total):
        return top  # nobody to place, or Redis is down
    try:
        me = _viewer_place(
            contest.id, round_id, league_id, user_id, user_league_id, FROZEN if frozen else ""
        )
    except redis.RedisError:
        return replace(top, me=None, stale=True)
    return replace(top, me=me)


def shared_league_names(contest: Contest | ContestRef, language: str) -> dict[int, str]:
    """League names by id in one language, shared by all viewers; they change only when
    an organizer edits a league, so a copy is kept for ``LEAGUE_NAMES_SECONDS``."""
    return app_cache("league_names", LEAGUE_NAMES_SECONDS).get(
        (contest.id, language), lambda: league_names(contest, language)
    )


def is_frozen(contest_id: int, round_id: int | None) -> bool:
    """Are the public boards of this round (or, for ``None``, of the contest) frozen?

    A contest's boards are frozen while any of its rounds is. Read from SQL and shared
    like the top of the boards (one query per contest per cache period per process).
    """
    frozen = shared_cache().get(("frozen", contest_id), lambda: frozen_cutoffs(contest_id))
    return bool(frozen) if round_id is None else round_id in frozen


def frozen_for_viewer(contest: Contest | ContestRef, round_id: int | None, viewer: Any) -> bool:
    """Should this viewer get the frozen board? Yes during a freeze, unless they run the
    contest (its organizers and admins watch the live board)."""
    from quiz.contests.services import is_organizer_of

    return is_frozen(contest.id, round_id) and not is_organizer_of(viewer, contest)


def board_for_viewer(
    contest: Contest | ContestRef,
    round_id: int | None,
    league_id: int | None,
    limit: int,
    viewer: Any,
    user_league_id: int | None,
    now: datetime,
) -> BoardView:
    """The board a viewer may see: during a freeze, participants get the frozen board
    (their own ``me`` is their place on it, or null if they finished after the freeze);
    the contest's organizers and admins always get the live one."""
    frozen = frozen_for_viewer(contest, round_id, viewer)
    user_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    return live_board(
        contest, round_id, league_id, limit, user_id, user_league_id, now, frozen=frozen
    )
