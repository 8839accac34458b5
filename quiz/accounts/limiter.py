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
- If Redis cannot be reached, counting falls back to this process's memory for
  ``FALLBACK_SECONDS`` and then tries Redis again: requests are never refused because
  the counters are unreachable (answers keep being saved during an outage).
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
from limits.storage import MemoryStorage, storage_from_string
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
        name = _counter_name(item, self.prefix, key, scope)
        count = self._call(lambda c: c.storage.incr(name, item.get_expiry(), amount=1))
        return int(count) <= item.amount

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

    def retry_after(self, item: RateLimitItem, scope: str, key: str) -> int:
        """Seconds until the window resets: at least 1, at most the window."""
        window = int(item.get_expiry())
        try:
            stats = self._call(lambda c: c.get_window_stats(item, self.prefix, key, scope))
        except Exception:  # unreachable everywhere: the whole window is a safe answer
            return window
        return min(window, max(1, math.ceil(stats.reset_time - time.time())))


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
            if request.method not in rule.methods:
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
