"""Request-side helpers shared by the live pages and the live API: who is asking (an
account, a guest's token or cookie, the host), and the long-poll."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from quiz.clock import now
from quiz.errors import QuizError
from quiz.extensions import csrf, db
from quiz.leaderboards.ranking import to_ms
from quiz.live import services
from quiz.live.models import Phase
from quiz.params import arg_int

F = TypeVar("F", bound=Callable[..., Any])
GUEST_HEADER = "X-Live-Token"
SESSION_KEY = "live_guests"


def live_access(view: F) -> F:
    """The game's players (accounts or guests) and its hosts; the view resolves which.

    Declared for the access matrix and the OpenAPI document: anyone else gets 404 (or
    401 without any credentials) from ``services.viewer_of``.
    """
    view.access_rule = ("live", ())  # type: ignore[attr-defined]
    return view


def guest_token(game_id: int) -> str | None:
    """A guest's token: the ``X-Live-Token`` header (apps), else this browser's cookie."""
    header = request.headers.get(GUEST_HEADER, "").strip()
    if header:
        return header
    return (session.get(SESSION_KEY) or {}).get(str(game_id))


def remember_guest(game_id: int, token: str) -> None:
    guests = dict(session.get(SESSION_KEY) or {})
    guests[str(game_id)] = token
    session[SESSION_KEY] = dict(list(guests.items())[-5:])  # the latest few games


def signed_in() -> Any:
    return current_user if current_user.is_authenticated else None


class Unauthorized(QuizError):
    status = 401
    code = "unauthorized"


def viewer(game_id: int) -> services.Viewer:
    token = guest_token(game_id)
    user = signed_in()
    if user is None and token is None:
        raise Unauthorized(_l("Please log in first."))
    return services.viewer_of(game_id, user, token)


def check_guest_csrf(found: services.Viewer) -> None:
    """A guest identified by the browser's cookie (not by the app's header) needs the
    page's CSRF token for writes, as a logged-in browser does."""
    if (
        found.player is not None
        and found.player.guest
        and not request.headers.get(GUEST_HEADER)
        and current_app.config.get("WTF_CSRF_ENABLED", True)
    ):
        csrf.protect()


def poll_seconds(found: services.Viewer) -> float:
    if found.host:
        return float(current_app.config["QUIZ_LIVE_HOST_POLL_SECONDS"])
    return float(current_app.config["QUIZ_LIVE_POLL_SECONDS"])


def _due_in(snap: dict[str, Any]) -> float | None:
    """Seconds until the open question closes by itself (None: nothing is running)."""
    if snap["phase"] != Phase.QUESTION or snap["paused"] or not snap["deadline_ms"]:
        return None
    due = int(snap["deadline_ms"]) + services.grace_ms()
    return (due - to_ms(now())) / 1000


def _close_if_due(game_id: int, snap: dict[str, Any]) -> dict[str, Any]:
    """A question whose time ran out is closed by one server (a Redis lock per state),
    on whichever request notices first: no timer process is needed."""
    due = _due_in(snap)
    if due is None or due > 0:
        return snap
    try:
        claimed = services.store().claim_tick(game_id, int(snap["seq"]))
    except redis.RedisError:
        claimed = True  # the SQL compare-and-set still lets only one through
    if not claimed:
        return snap
    db.session.rollback()
    change = services.tick(game_id, int(snap["seq"]), now())
    if change is None:
        db.session.rollback()
        return services.current_snapshot(game_id)
    db.session.commit()
    return services.publish(change, now())


def wait_for_state(game_id: int, found: services.Viewer, after: int | None) -> dict[str, Any]:
    """The game's public state, newer than ``after`` if that comes within the poll time.

    No database connection is held while waiting (1,000 phones wait at once).
    """
    snap = _close_if_due(game_id, services.current_snapshot(game_id))
    if after is None or int(snap["seq"]) > after:
        return snap
    db.session.rollback()  # hand the connection back to the pool before waiting
    hub = services.hub()
    end = time.monotonic() + poll_seconds(found)
    while True:
        left = end - time.monotonic()
        due = _due_in(snap)
        timeout = left if due is None else min(left, max(due, 0) + 0.05)
        if timeout <= 0:
            return snap
        hub.wait(game_id, after, timeout, lambda: _recheck(game_id))
        snap = _close_if_due(game_id, services.current_snapshot(game_id))
        if int(snap["seq"]) > after:
            return snap


def _recheck(game_id: int) -> int | None:
    """The game's seq for a long-poll that heard nothing for a while: from Redis, and
    once per ``RECHECK_SECONDS`` per process from SQL too (``services.repair`` puts a
    state Redis missed there)."""
    if services.hub().due_for_repair(game_id):
        return services.repair(game_id)
    try:
        snap = services.store().snapshot(game_id)
    except redis.RedisError:
        return None
    return int(snap["seq"]) if snap else None


def after_arg() -> int | None:
    return arg_int("after", high=999_999_999)
