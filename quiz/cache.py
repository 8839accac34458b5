"""The one per-process cache: keyed, per app, with a time to live and a lock per key.

Used for what every request of a hot path would otherwise read again from SQL or Redis:
the shared top of a board, a bearer token's user, a round's visibility and board
settings, a viewer's league, an attempt's drawn items, a bank's draw pool and its
questions as a new attempt's response shows them. Each use states its own time to live
and why a copy that old is acceptable. The cache lives in one process: app servers stay
stateless.

The rule: a module that keeps copies asks ``app_cache(name, ttl)`` for its cache (one
per app, so two test apps never share copies) instead of a dict or lock table of its own
in ``app.extensions`` or a module global, and exposes a ``forget_*`` function for the
changes that must be seen at once in this process (``forget_round_boards``,
``forget_boards``, ``forget_pools``, ``forget_payloads``). Other processes see a change
within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import current_app

DEFAULT_MAX_ENTRIES = 4096  # distinct keys kept before expired entries are swept
# How long a thread waits for another thread's load of the same key before it loads the
# value itself. A load takes a few round trips; a wait this long means the loader waits
# for something this thread holds (on SQLite: the write lock), and loading breaks that.
LOAD_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class _Entry:
    value: Any
    expires: float


class SharedCache:
    """A small TTL cache with one loader at a time per key (thread-safe)."""

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        load_wait: float = LOAD_WAIT_SECONDS,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self.load_wait = load_wait
        self._entries: dict[Any, _Entry] = {}
        self._loading: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(
        self,
        key: Hashable,
        load: Callable[[], Any],
        current: Callable[[Any], bool] | None = None,
    ) -> Any:
        """The value for ``key``, loaded by one thread at a time.

        A missing value is waited for (at most ``load_wait``). An expired one is reloaded
        by the first thread that finds it so, while the others keep serving the old copy
        instead of queuing behind the reload (on a busy server a reload takes a few round
        trips): a copy may thus be up to one reload older than ``ttl``. ``current`` says
        that an expired copy is still what a reload would give (e.g. its version is the
        latest): it is then kept, not reloaded.
        """
        entry = self._entries.get(key)
        if entry is not None and (
            entry.expires > self.clock() or (current is not None and current(entry.value))
        ):
            return entry.value
        if self.ttl <= 0:
            return load()
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        if entry is not None and not loading.acquire(blocking=False):
            return entry.value  # being reloaded by another thread
        if entry is not None:
            try:
                return self._load(key, load)
            finally:
                loading.release()
        # The first request loads; the others wait and reuse its result, but not for
        # ever: past ``load_wait`` a waiter loads the value itself (LOAD_WAIT_SECONDS).
        if not loading.acquire(timeout=self.load_wait):
            return self._load(key, load)
        try:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > self.clock():
                return entry.value
            return self._load(key, load)
        finally:
            loading.release()

    def _load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        value = load()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._sweep()
            self._entries[key] = _Entry(value, self.clock() + self.ttl)
        return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The fresh value for ``key`` without loading it (``default`` if none)."""
        entry = self._entries.get(key)
        return entry.value if entry is not None and entry.expires > self.clock() else default

    def put(self, key: Hashable, value: Any) -> None:
        """Store a value computed elsewhere (several keys from one query)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.max_entries:
                self._sweep()
            self._entries[key] = _Entry(value, self.clock() + self.ttl)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[Any, Any], bool]) -> None:
        """Drop every entry whose (key, value) matches: rare invalidations."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if predicate(k, e.value)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._loading.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _sweep(self) -> None:
        now = self.clock()
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
            self._loading.pop(key, None)
        if len(self._entries) >= self.max_entries:  # all fresh: drop the oldest half
            for key in list(self._entries)[: self.max_entries // 2]:
                del self._entries[key]
                self._loading.pop(key, None)


def app_cache(name: str, ttl: float, max_entries: int = DEFAULT_MAX_ENTRIES) -> SharedCache:
    """The app's cache called ``name`` (one per app, so test apps never share copies).

    ``ttl`` and ``max_entries`` are those of the first call: one owner names a cache."""
    key = f"quiz_cache_{name}"
    cache = current_app.extensions.get(key)
    if cache is None:
        cache = current_app.extensions[key] = SharedCache(ttl, max_entries=max_entries)
    return cache
