"""Reading live boards for many viewers at once: shared top, personal rank.

A projector and hundreds of phones poll the same board (every 1.5 s, see
templates/leaderboards/_table.html). What they all see (the top N of one board, its size,
the "being updated" flag and the league names) is shared per app process and board +
league + limit, however many people watch. What differs per viewer, their own rank
overall and in their league, costs one round trip of ZSCORE + ZRANK (+ ZRANK): O(log n)
each, whatever the board's size. The same round trip reads the contest's board version
(``store.VERSION_FIELDS``: every publish, rebuild, freeze and change of names bumps it),
so a process learns for free whether its copy of the top is current:

- version unchanged: the copy is served, however old (no reread of an idle board);
- version moved: the copy is still served until it is ``QUIZ_BOARD_CACHE_SECONDS``
  (default 0.5 s) old, then one thread reads the top again while the others keep
  serving the old copy (single flight), so a board that moves with every answer is
  read at most once per period per process.

The shared part is also serialized once per version (``SharedTop.prepared``: the API
keeps the JSON of the entries per language and appends each viewer's own part).

The ETag of a response is computed from its body (the shared part plus the viewer's
rank), so an unchanged board still answers 304. The cache lives in the process; a
board may be up to one cache period behind Redis: poll interval + period = 2 s, the
most a page may lag behind an answer (issue 3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import redis
from flask import current_app

from quiz.cache import SharedCache, app_cache
from quiz.contests.models import Contest
from quiz.extensions import db
from quiz.leaderboards.models import StaleBoard
from quiz.leaderboards.ranking import decode
from quiz.leaderboards.services import (
    BoardView,
    board_store,
    frozen_cutoffs,
    league_names,
    read_board,
)
from quiz.leaderboards.store import FROZEN

if TYPE_CHECKING:
    from quiz.contests.services import ContestRef

LEAGUE_NAMES_SECONDS = 30.0
T = TypeVar("T")
log = logging.getLogger(__name__)


def shared_cache() -> SharedCache:
    """The process's copies of board tops and frozen cut-offs (``QUIZ_BOARD_CACHE_SECONDS``)."""
    ttl = float(current_app.config["QUIZ_BOARD_CACHE_SECONDS"])
    return app_cache("boards", ttl)


def forget_boards() -> None:
    """Drop this process's board copies (a freeze or unfreeze changes every board)."""
    shared_cache().clear()


@dataclass
class SharedTop:
    """The part of a board every viewer shares (its top, size and "frozen" flag), as read
    for one board version, plus what callers prepared from it for that version (the API's
    JSON bytes per language: ``prepared``), so the shared part is serialized once per
    version, not once per request."""

    version: tuple[object, ...] | None
    view: BoardView  # ``me`` is None: nobody's own place is shared
    _prepared: dict[Hashable, tuple[object, Any]] = field(default_factory=dict)

    def prepared(self, variant: Hashable, basis: object, prepare: Callable[[BoardView], T]) -> T:
        """``prepare(view)``, made once per ``variant`` and kept while ``basis`` (e.g. the
        league names it used) is the same object; concurrent first calls may both
        prepare, with the same result."""
        found = self._prepared.get(variant)
        if found is None or found[0] is not basis:
            found = (basis, prepare(self.view))
            self._prepared[variant] = found
        return cast("T", found[1])


@dataclass(frozen=True)
class ViewerBoard:
    """One viewer's board: the shared top plus their own place and the "being updated"
    flag (``stale``)."""

    top: SharedTop
    me: dict | None
    stale: bool

    @property
    def view(self) -> BoardView:
        return replace(self.top.view, me=self.me, stale=self.stale)


def _stale(contest_id: int) -> bool:
    """Is the contest marked stale (a publish missed Redis)? Kept for one cache period,
    like the frozen rounds: the flag lives in SQL and changes rarely."""
    return bool(
        shared_cache().get(
            ("stale", contest_id), lambda: db.session.get(StaleBoard, contest_id) is not None
        )
    )


def viewer_board(
    contest: Contest | ContestRef,
    round_id: int | None,
    league_id: int | None,
    limit: int,
    user_id: int | None,
    user_league_id: int | None,
    now: datetime,
    frozen: bool = False,
    again: bool = False,
) -> ViewerBoard:
    """A viewer's board in one Redis round trip on a warm process.

    The round trip reads the contest's board version with the viewer's score, rank and
    league rank. The shared top is kept per board + league + limit and served while it
    is of the current version; when the version moved, it is read again once the copy is
    older than the cache period (so a busy board is read at most once per period, and
    an unchanged one never again). A board never built, or lost by Redis, goes through
    ``read_board``, which rebuilds it.
    """
    cache = shared_cache()
    key = ("frozen-top" if frozen else "top", contest.id, round_id, league_id, limit)
    try:
        version, mine = board_store().viewer_read(
            contest.id, round_id, league_id, user_id, user_league_id, FROZEN if frozen else ""
        )
    except redis.RedisError:
        log.warning("redis unavailable; board of contest %s served as stale", contest.id)
        kept = cache.peek(key)
        if kept is None:
            empty = BoardView(entries=[], total=0, me=None, stale=True, frozen=frozen)
            kept = SharedTop(None, empty)
        return ViewerBoard(kept, None, True)
    if version is None:  # never built, or lost with Redis: read (and rebuild) in full
        cache.discard(key)
        full = read_board(
            contest, round_id, league_id, limit, user_id, user_league_id, now, frozen=frozen
        )
        if not again and not full.stale:  # built now: read as usual, sharing the top
            return viewer_board(
                contest, round_id, league_id, limit, user_id, user_league_id, now, frozen, True
            )
        return ViewerBoard(SharedTop(None, replace(full, me=None)), full.me, full.stale)

    def load() -> SharedTop:
        view = read_board(contest, round_id, league_id, limit, None, None, now, frozen=frozen)
        cache.put(("stale", contest.id), view.stale)  # read with it: no second query
        if view.stale and not view.entries and not view.total:
            return SharedTop(None, view)  # maybe Redis failed meanwhile: never "current"
        return SharedTop(version, view)

    top: SharedTop = cache.get(key, load, current=lambda kept: kept.version == version)
    me = None
    if mine is not None:
        value, rank, league_rank = mine
        points, time_used = decode(value)
        me = {"rank": rank, "league_rank": league_rank, "score": points, "time_used_ms": time_used}
    return ViewerBoard(top, me, _stale(contest.id))


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


def viewer_board_for(
    contest: Contest | ContestRef,
    round_id: int | None,
    league_id: int | None,
    limit: int,
    viewer: Any,
    user_league_id: int | None,
    now: datetime,
) -> ViewerBoard:
    """The board a viewer may see: during a freeze, participants get the frozen board
    (their own ``me`` is their place on it, or null if they finished after the freeze);
    the contest's organizers and admins always get the live one. ``.view`` is the board
    for a page; the shared top stays apart for callers that serve it as prepared bytes
    (the API)."""
    frozen = frozen_for_viewer(contest, round_id, viewer)
    user_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    return viewer_board(
        contest, round_id, league_id, limit, user_id, user_league_id, now, frozen=frozen
    )
