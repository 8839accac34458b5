"""The one per-process cache (quiz/cache.py): expiry, forgetting, one cache per app."""

from __future__ import annotations

import threading

from flask import Flask

from quiz.cache import SharedCache, app_cache


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_copy_expires_after_its_ttl():
    ticks, loads = Ticks(), []
    cache = SharedCache(ttl=5.0, clock=ticks)

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert cache.get("k", load) == 1
    ticks.now = 4.9
    assert cache.get("k", load) == 1  # still fresh: no reload
    ticks.now = 5.1
    assert cache.get("k", load) == 2 and len(loads) == 2


def test_forget_drops_one_key_or_those_matching(app):
    cache = app_cache("test_forget", 60.0)
    for key in ("a", "b", ("bank", 1), ("bank", 2)):
        cache.get(key, lambda key=key: key)
    cache.discard("a")
    cache.discard_where(lambda k, _v: isinstance(k, tuple) and k[1] == 1)
    assert cache.get("a", lambda: "again") == "again"
    assert cache.get(("bank", 1), lambda: "rebuilt") == "rebuilt"
    assert cache.get(("bank", 2), lambda: "not called") == ("bank", 2)
    cache.clear()
    assert len(cache) == 0


def test_each_app_has_its_own_copies(app):
    mine = app_cache("test_isolation", 60.0)
    mine.get("k", lambda: "first app")
    with Flask("other").app_context():
        theirs = app_cache("test_isolation", 60.0)
        assert theirs is not mine
        assert theirs.get("k", lambda: "second app") == "second app"
    assert app_cache("test_isolation", 60.0) is mine
    assert mine.get("k", lambda: "never") == "first app"


def test_the_owners_forget_functions_reach_their_cache(app):
    from quiz.leaderboards.live import forget_boards, shared_cache
    from quiz.leaderboards.services import _boards_cache, forget_round_boards

    _boards_cache().get(7, lambda: "settings of round 7")
    _boards_cache().get(8, lambda: "settings of round 8")
    forget_round_boards(7)
    assert _boards_cache().get(7, lambda: "reloaded") == "reloaded"
    assert _boards_cache().get(8, lambda: "reloaded") == "settings of round 8"

    shared_cache().get(("top", 1), lambda: "board")
    forget_boards()
    assert len(shared_cache()) == 0


def test_a_zero_ttl_turns_the_cache_off():
    cache, calls = SharedCache(ttl=0), []
    for _ in range(3):
        cache.get("k", lambda: calls.append(1))
    assert len(calls) == 3 and len(cache) == 0


def test_values_put_from_one_query_expire_like_loaded_ones():
    ticks = Ticks()
    cache = SharedCache(ttl=60.0, clock=ticks)
    cache.put((1, 100), 0)
    assert cache.peek((1, 100)) == 0 and cache.peek((1, 101)) is None
    ticks.now = 61.0
    assert cache.peek((1, 100), "gone") == "gone"


def test_a_waiter_loads_itself_when_the_loader_takes_too_long():
    """The loader may wait for what the waiter holds (on SQLite the write lock: a
    request that holds it waits here for a copy whose loader waits for the lock). The
    waiter gives up after ``load_wait`` and loads the value itself, which lets both on."""
    cache = SharedCache(ttl=60.0, load_wait=0.2)
    release, started = threading.Event(), threading.Event()
    first: list[str] = []

    def slow() -> str:
        started.set()
        assert release.wait(10), "the waiter never loaded by itself"
        return "slow"

    loader = threading.Thread(target=lambda: first.append(cache.get("k", slow)))
    loader.start()
    assert started.wait(10)

    def fast() -> str:
        release.set()  # as the write lock is released when the waiter's request ends
        return "fast"

    assert cache.get("k", fast) == "fast"
    loader.join(10)
    assert first == ["slow"]
