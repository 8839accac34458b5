"""Bearer tokens resolved from a per-process cache, with revocation seen within a second.

Every API request authenticates; on the hot path the token lookup was one SQL round trip
of the few a request makes (docs/performance.md). A process keeps token hash -> (user
id, language, display name, token expiry) for ``QUIZ_TOKEN_CACHE_SECONDS`` (default
60 s; 0 turns the cache off).

Revocation stays prompt: every commit that revokes a token, deactivates an account or
changes what a ``TokenUser`` carries bumps a counter in Redis (``auth:token-epoch``),
after the commit. Each process reads that counter at most once per
``EPOCH_CHECK_SECONDS`` (one GET per second per process, not per request) and drops its
whole cache when it moved, so a revoked token stops working on every app server within
about a second, and at once in the process that revoked it. If the counter cannot be
read (Redis down), the cache is dropped and lookups go to SQL until Redis answers: the
cache is only trusted while Redis can tell it about revocations. An expired token is
refused by its cached expiry, never later than without the cache.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime
from typing import Any

import redis
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from quiz.cache import SharedCache

log = logging.getLogger(__name__)

EPOCH_KEY = "auth:token-epoch"
EPOCH_CHECK_SECONDS = 1.0
MAX_ENTRIES = 100_000
_CHANGED = "quiz_tokens_changed"
_MISSING = object()

# Attributes whose change must reach every process's cache at once.
_WATCHED = {
    "ApiToken": ("revoked", "expires_at", "user_id"),
    "User": (
        "is_active_account",
        "language",
        "display_name",
    ),
}


class TokenCache:
    """One process's copies of token lookups, valid while the Redis epoch stands still."""

    def __init__(self, ttl: float, clock: Any = time.monotonic) -> None:
        self.entries = SharedCache(ttl, clock=clock, max_entries=MAX_ENTRIES)
        self.clock = clock
        self._epoch: str | None = None
        self._checked = float("-inf")
        self._trusted = False
        self._lock = threading.Lock()

    def lookup(self, token_hash: str, now: datetime, load: Any, client: Any) -> Any:
        """The cached row for ``token_hash`` (or ``load()`` it); None if expired/unknown."""
        if self.entries.ttl <= 0:
            return load()
        self._check_epoch(client)
        if not self._trusted:
            return load()
        row = self.entries.get(token_hash, load)
        if row is not None and row.expires_at <= now:
            return None
        return row

    def known(self, token_hash: str, client: Any) -> tuple[bool, Any]:
        """``(True, row)`` if this process holds a copy for ``token_hash`` (the row may be
        None: no such active token), else ``(False, None)``: the caller looks it up
        (together with its own statements) and hands the row to ``keep``."""
        if self.entries.ttl <= 0:
            return False, None
        self._check_epoch(client)
        if not self._trusted:
            return False, None
        row = self.entries.peek(token_hash, _MISSING)
        return (False, None) if row is _MISSING else (True, row)

    def keep(self, token_hash: str, row: Any) -> None:
        """Keep a row looked up by the caller (``known`` said there was no copy)."""
        if self._trusted:
            self.entries.put(token_hash, row)

    def _check_epoch(self, client: Any) -> None:
        if self.clock() - self._checked < EPOCH_CHECK_SECONDS:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread is asking Redis right now
        try:
            self._checked = self.clock()
            try:
                epoch = client.get(EPOCH_KEY) or "0"
            except redis.RedisError:
                self._distrust()
                return
            if epoch != self._epoch or not self._trusted:
                self.entries.clear()
                self._epoch, self._trusted = epoch, True
        finally:
            self._lock.release()

    def _distrust(self) -> None:
        self._trusted = False
        self.entries.clear()

    def forget(self) -> None:
        """Drop every copy in this process (after a local revocation)."""
        self.entries.clear()
        self._checked = float("-inf")


def token_cache() -> TokenCache:
    cache = current_app.extensions.get("quiz_token_cache")
    if cache is None:
        ttl = float(current_app.config["QUIZ_TOKEN_CACHE_SECONDS"])
        cache = current_app.extensions["quiz_token_cache"] = TokenCache(ttl)
    return cache


def tokens_changed() -> None:
    """Tell every process that a token or token user changed (call after the commit)."""
    cache = current_app.extensions.get("quiz_token_cache")
    if cache is not None:
        cache.forget()
    from quiz.extensions import redis_store

    try:
        redis_store.client.incr(EPOCH_KEY)
    except redis.RedisError:  # the other processes cannot read it either: they distrust
        log.warning("redis unavailable; token revocation reaches other servers by TTL")


def mark_tokens_changed(session: Session) -> None:
    """Flag the session's transaction: on commit, ``tokens_changed`` runs."""
    session.info[_CHANGED] = True


@event.listens_for(Session, "before_flush")
def _watch(session: Session, _context: Any, _instances: Any) -> None:
    from sqlalchemy import inspect

    for obj in session.dirty:
        watched = _WATCHED.get(type(obj).__name__)
        if watched is None:
            continue
        state = inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in watched):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        # Outside an app context (a script) nothing is cached in this process.
        with contextlib.suppress(RuntimeError):
            tokens_changed()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, False)
