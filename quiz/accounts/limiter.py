"""Counting rate limits: the ``limits`` library's fixed window in Redis, checked by one
request hook.

Why not Flask-Limiter (used until issue 6's third round): on every limited request it
evaluated its limits twice (once in its request hook, once in the view's decorator), each
time resolving exemption scopes, blueprint and default limits through context proxies;
that was ~20% of the app's CPU for saving an answer, the hottest request. The policy is
ours anyway (``quiz/accounts/ratelimits.py``: which endpoint, which rule, which key), so
this module does just that: look the endpoint up in the table, ask ``limits`` to count,
refuse with a 429. Counting, windows and storage are the ``limits`` library's (the one
Flask-Limiter itself uses).

- A rule without ``count_when`` counts every request before the view runs (one Redis
  round trip per rule) and refuses the request that goes over.
- A rule with ``count_when`` (e.g. failed logins) *reserves* a place before the view
  runs (the same atomic ``INCR``-then-compare in Redis) and gives it back after the view
  unless the response matches. Testing first and counting afterwards let a burst of
  parallel requests through: 40 wrong passwords sent at once were all checked
  (red-team finding, docs/security.md); now at most the limit of them reach the view.
  A place given back after its window ended leaves the next window one place larger,
  once: the price of not needing a script of our own.
- ``unless_first`` names another rule of the same endpoint: a request over this rule's
  limit still goes through when it is the first one counted under that rule in its
  window. The failed logins per account use it with the per-account-and-client rule, so
  an attacker who used up an account's allowance cannot lock its owner out: the owner's
  browser has not failed, and its correct password still works.
- A rule ``counted_by_view`` is left to its view, which counts it once it knows the
  account the request acts for (``ratelimits.count_account_request``: a live game's
  guest, known by its token, plays under an account of its own).
- If Redis cannot be reached, counting falls back to this process's memory for
  ``FALLBACK_SECONDS`` and then tries Redis again: requests are never refused because
  the counters are unreachable (answers keep being saved during an outage).
- A ``PendingCount`` is one request's count sent later, with another Redis command:
  the answer lane's count rides on the board script (``ratelimits.account_request``;
  docs/architecture.md, "Rate limits on the answer lane"). Its count comes back after
  the request was served, so the process remembers a counter that reached its limit
  and refuses that key's next requests until the window ends, without a round trip.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
FALLBACK_SECONDS = 30.0


class RateLimited(TooManyRequests):
    """A limit was reached; ``retry_after`` says in how many seconds its window resets."""

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


@lru_cache(maxsize=64)
def limit_item(spec: str) -> RateLimitItem:
    return parse(spec)


@lru_cache(maxsize=4096)
def _counter_name(item: RateLimitItem, prefix: str, key: str, scope: str) -> str:
    """The window counter's Redis key, as ``limits`` names it (``item.key_for``): built
    once per item and key, not on every request (its five ``safe_string`` calls were
    a visible share of an answer's CPU)."""
    return item.key_for(prefix, key, scope)


@dataclass
class Counters:
    """One app's counters: Redis first, this process's memory while Redis is unreachable."""

    storage_uri: str
    storage_options: dict[str, Any]
    prefix: str
    _shared: FixedWindowRateLimiter | None = None
    _local: FixedWindowRateLimiter = field(
        default_factory=lambda: FixedWindowRateLimiter(MemoryStorage())
    )
    _local_until: float = 0.0
    # Counters whose window is full (``PendingCount``): name -> its end (monotonic).
    _full: dict[str, float] = field(default_factory=dict)
    # Counted in the app's own Redis (not a separate one, not a Cluster): a count may
    # then ride on another script of the app (``pending``).
    beside_app_redis: bool = False

    def _counter(self) -> FixedWindowRateLimiter:
        if time.monotonic() < self._local_until:
            return self._local
        if self._shared is None:
            self._shared = FixedWindowRateLimiter(
                storage_from_string(self.storage_uri, **self.storage_options)
            )
        return self._shared

    def _call(self, what: Callable[[FixedWindowRateLimiter], Any]) -> Any:
        counter = self._counter()
        try:
            return what(counter)
        except Exception:  # any storage failure: count locally for a while
            if counter is self._local:
                raise
            log.warning("Rate limit storage unreachable - counting in memory for a while")
            self._local_until = time.monotonic() + FALLBACK_SECONDS
            return what(self._local)

    def hit(self, item: RateLimitItem, scope: str, key: str) -> bool:
        """Count one request; False if it goes over the limit. The fixed window's own
        rule (``FixedWindowRateLimiter.hit``: one atomic increment, then compare), on the
        counter's key built once per item and key."""
        return self.reserve(item, scope, key) <= item.amount

    def check(self, item: RateLimitItem, scope: str, key: str) -> None:
        """Count one request of a rule that counts every request; raise ``RateLimited``
        (a 429 with ``Retry-After``) for the one that goes over."""
        if not self.hit(item, scope, key):
            raise RateLimited(self.retry_after(item, scope, key))

    def test(self, item: RateLimitItem, scope: str, key: str) -> bool:
        return bool(self._call(lambda c: c.test(item, self.prefix, key, scope)))

    def reserve(self, item: RateLimitItem, scope: str, key: str) -> int:
        """Count one more (atomically) and return the new count of the window."""
        name = _counter_name(item, self.prefix, key, scope)
        return int(self._call(lambda c: c.storage.incr(name, item.get_expiry(), amount=1)))

    def give_back(self, item: RateLimitItem, scope: str, key: str) -> None:
        """Undo a ``reserve`` whose request did not count."""
        name = _counter_name(item, self.prefix, key, scope)
        self._call(lambda c: c.storage.incr(name, item.get_expiry(), amount=-1))

    def pending(self, item: RateLimitItem, scope: str, key: str) -> PendingCount:
        """One request of ``key`` under ``item``, counted later (``PendingCount``); raises
        ``RateLimited`` at once if this process knows the window is already full."""
        name = _counter_name(item, self.prefix, key, scope)
        full_until = self._full.get(name)
        if full_until is not None:
            left = full_until - time.monotonic()
            if left > 0:
                raise RateLimited(min(int(item.get_expiry()), max(1, math.ceil(left))))
            self._full.pop(name, None)
        counter = self._counter()
        redis_key = None
        storage = counter.storage
        if self.beside_app_redis and isinstance(storage, RedisStorage):
            redis_key = storage.prefixed_key(name)
        return PendingCount(self, item, scope, key, redis_key)

    def note_count(
        self, item: RateLimitItem, scope: str, key: str, count: int, ttl_ms: int
    ) -> None:
        """A count came back (``PendingCount``): remember a full window till it ends."""
        if count < item.amount:
            return
        name = _counter_name(item, self.prefix, key, scope)
        if len(self._full) >= _FULL_MAX:  # stale entries only cost memory: drop them all
            self._full.clear()
        seconds = ttl_ms / 1000 if ttl_ms > 0 else item.get_expiry()
        self._full[name] = time.monotonic() + seconds

    def retry_after(self, item: RateLimitItem, scope: str, key: str) -> int:
        """Seconds until the window resets: at least 1, at most the window."""
        window = int(item.get_expiry())
        try:
            stats = self._call(lambda c: c.get_window_stats(item, self.prefix, key, scope))
        except Exception:  # unreachable everywhere: the whole window is a safe answer
            return window
        return min(window, max(1, math.ceil(stats.reset_time - time.time())))


_FULL_MAX = 10_000


@dataclass
class PendingCount:
    """One request's count under one rule, sent later along with another Redis command.

    ``redis_key`` names the counter in the app's Redis, for a script that increments it
    there (the board publish of an answer, ``quiz.leaderboards.store``: the limits
    library's fixed window, ``INCRBY`` then ``EXPIRE`` on the first count, on the key
    ``limits`` itself uses) and hands the count to ``counted``; None when it cannot ride
    (counters elsewhere, or counting in memory during an outage). Whatever did not ride
    is counted on its own round trip: ``check`` before a write (refusing over the
    limit), ``settle`` after a request already served (never refusing it).
    """

    counters: Counters
    item: RateLimitItem
    scope: str
    key: str
    redis_key: str | None
    count: int | None = None

    @property
    def expiry(self) -> int:
        return int(self.item.get_expiry())

    def counted(self, count: int, ttl_ms: int) -> None:
        """The script counted this request: ``count`` in the window, ``ttl_ms`` left."""
        self.count = count
        self.counters.note_count(self.item, self.scope, self.key, count, ttl_ms)

    def check(self) -> None:
        """Count now, unless counted already; ``RateLimited`` over the limit."""
        if self.count is None:
            self.count = self.counters.reserve(self.item, self.scope, self.key)
            if self.count >= self.item.amount:
                retry_after = self._note_full()
                if self.count > self.item.amount:
                    raise RateLimited(retry_after)

    def settle(self) -> None:
        """Count a request that was served, unless counted already (no live board to
        ride on, or the board publish failed); a full window refuses the next ones."""
        if self.count is None:
            self.count = self.counters.reserve(self.item, self.scope, self.key)
            if self.count >= self.item.amount:
                self._note_full()

    def _note_full(self) -> int:
        """The window is full: remember it till it ends (a rare round trip to learn
        when); the seconds until then."""
        assert self.count is not None
        retry_after = self.counters.retry_after(self.item, self.scope, self.key)
        self.counters.note_count(self.item, self.scope, self.key, self.count, retry_after * 1000)
        return retry_after

    def __enter__(self) -> PendingCount:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        """Around the request's work: a request served is settled; a refused or failed
        one is checked (still counted; over the limit its answer is the 429)."""
        if kind is None:
            self.settle()
        elif issubclass(kind, Exception):
            self.check()


def install(app: Flask, counters: Counters, table: dict[str, tuple[Any, ...]]) -> None:
    """Check ``table`` (endpoint -> rules) on every request of ``app``.

    Registered after the session hooks, so an expired session is logged out before a
    rule's key function looks at the user.
    """

    @app.before_request
    def _check_limits() -> None:
        rules = table.get(request.endpoint or "")
        if not rules:
            return
        reserved: list[tuple[Any, RateLimitItem, str]] = []
        firsts: dict[str, bool] = {}
        for rule in rules:
            if request.method not in rule.methods or rule.counted_by_view:
                continue
            item = limit_item(str(current_app.config[rule.setting]))
            key = rule.key()
            if rule.count_when is None:
                allowed = counters.hit(item, rule.scope, key)
            else:
                count = counters.reserve(item, rule.scope, key)
                reserved.append((rule, item, key))
                firsts[rule.scope] = count == 1
                allowed = count <= item.amount or (
                    rule.unless_first is not None and firsts.get(rule.unless_first, False)
                )
            if not allowed:
                for _rule, reserved_item, reserved_key in reserved:  # not checked: not counted
                    counters.give_back(reserved_item, _rule.scope, reserved_key)
                raise RateLimited(counters.retry_after(item, rule.scope, key))
        if reserved:
            g.rate_limits_reserved = reserved

    @app.after_request
    def _settle_reserved(response: Any) -> Any:
        for rule, item, key in g.pop("rate_limits_reserved", ()):
            if not rule.count_when(response):
                counters.give_back(item, rule.scope, key)
        return response
