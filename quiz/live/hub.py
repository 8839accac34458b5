"""Waiting for a game to change, in one app server: long-polls wake on Redis pub/sub.

Each process keeps one listener thread subscribed to every game's events channel. A
long-poll (``GET /live-games/<id>/state?after=SEQ``) waits on the game's condition until
the listener hears a newer seq, or its time is up. The public state of a seq is fetched
from Redis once per process (single flight) and shared by every waiting request.

Nothing here is state another server needs: it is a cache of Redis, refilled from Redis
after a lost connection (the listener re-reads the seq of every game it has waiters for)
and checked by the waiters themselves every ``RECHECK_SECONDS`` in case a notice was
missed. A process that dies takes only its own long-polls with it; the players' phones
poll again and the load balancer sends them to another server.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from quiz.live.store import EVENTS_PATTERN, LiveStore, game_of_channel

log = logging.getLogger(__name__)
RECHECK_SECONDS = 5.0
FLUSH_SECONDS = 0.05


class _Game:
    __slots__ = (
        "cond",
        "facts",
        "facts_at",
        "facts_lock",
        "fetch_lock",
        "repaired_at",
        "seq",
        "snapshot",
        "waiters",
    )

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.fetch_lock = threading.Lock()
        self.seq = 0  # the newest seq heard of
        self.snapshot: dict[str, Any] | None = None  # the newest public state fetched
        self.waiters = 0
        self.repaired_at = 0.0
        self.facts: Any = None  # the latest Facts read from Redis
        self.facts_at = 0.0
        self.facts_lock = threading.Lock()


class Hub:
    """Per-process: games' newest seqs and snapshots, and the threads waiting on them."""

    def __init__(self, client_factory: Callable[[], redis.Redis]) -> None:
        self._client_factory = client_factory
        self._games: dict[int, _Game] = {}
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()
        # Receipts (game, no, player) -> ms: recorded by long-polls, written to Redis in
        # batches by the flusher thread; ``_sent`` remembers what was written.
        self._pending: dict[tuple[int, int, int], int] = {}
        self._sent: set[tuple[int, int, int]] = set()
        self._receipts_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._store: Any = None

    def _game(self, game_id: int) -> _Game:
        game = self._games.get(game_id)
        if game is None:
            with self._lock:
                game = self._games.setdefault(game_id, _Game())
        return game

    # --- hearing of changes -------------------------------------------------------

    def heard(self, game_id: int, seq: int) -> None:
        """A newer seq exists (from pub/sub, or from this process's own transition)."""
        game = self._game(game_id)
        with game.cond:
            if seq > game.seq:
                game.seq = seq
                game.cond.notify_all()

    def ensure_listening(self) -> None:
        if self._listener is not None and self._listener.is_alive():
            return
        with self._lock:
            if self._listener is not None and self._listener.is_alive():
                return
            self._listener = threading.Thread(
                target=self._listen, name="live-games-listener", daemon=True
            )
            self._listener.start()

    def stop(self) -> None:
        self._stopped.set()

    def _listen(self) -> None:
        failing = False  # log an outage once, not every reconnect
        while not self._stopped.is_set():
            pubsub = None
            try:
                client = self._client_factory()
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(EVENTS_PATTERN)
                self._catch_up(client)  # notices missed while not subscribed
                failing = False
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    game_id = game_of_channel(str(message["channel"]))
                    data = str(message["data"])
                    if game_id is not None and data.isdigit():
                        self.heard(game_id, int(data))
            except redis.RedisError as exc:
                if not failing:
                    log.warning("live games: pub/sub connection lost (%s); reconnecting", exc)
                failing = True
                time.sleep(1.0)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(redis.RedisError):
                        pubsub.close()

    def _catch_up(self, client: redis.Redis) -> None:
        store = LiveStore(client)
        for game_id in list(self._games):
            snap = store.snapshot(game_id)
            if snap is not None:
                self.heard(game_id, int(snap["seq"]))

    # --- waiting ------------------------------------------------------------------

    def wait(
        self, game_id: int, after: int, timeout: float, recheck: Callable[[], int | None]
    ) -> None:
        """Return when a seq newer than ``after`` is known, or after ``timeout`` seconds.

        ``recheck`` reads the seq from Redis; it runs every ``RECHECK_SECONDS`` of waiting
        in case a notice was lost.
        """
        self.ensure_listening()
        game = self._game(game_id)
        end = time.monotonic() + timeout
        with game.cond:
            game.waiters += 1
            try:
                while game.seq <= after:
                    left = end - time.monotonic()
                    if left <= 0:
                        return
                    if not game.cond.wait(min(left, RECHECK_SECONDS)) and left > RECHECK_SECONDS:
                        game.cond.release()
                        try:
                            seq = recheck()
                        finally:
                            game.cond.acquire()
                        if seq is not None and seq > game.seq:
                            game.seq = seq
            finally:
                game.waiters -= 1

    def due_for_repair(self, game_id: int) -> bool:
        """True for one caller per game and ``RECHECK_SECONDS`` in this process."""
        game = self._game(game_id)
        moment = time.monotonic()
        with self._lock:
            if moment - game.repaired_at < RECHECK_SECONDS:
                return False
            game.repaired_at = moment
            return True

    def known_seq(self, game_id: int) -> int:
        return self._game(game_id).seq

    def snapshot(
        self, game_id: int, load: Callable[[], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """The newest public state: from this process's copy if it is of the newest seq
        heard of, else loaded (by one thread; the others wait for it)."""
        game = self._game(game_id)
        snap = game.snapshot
        if snap is not None and snap["seq"] >= game.seq:
            return snap
        with game.fetch_lock:
            snap = game.snapshot
            if snap is not None and snap["seq"] >= game.seq:
                return snap
            fresh = load()
            if fresh is not None:
                if game.snapshot is None or fresh["seq"] >= game.snapshot["seq"]:
                    game.snapshot = fresh
                self.heard(game_id, int(fresh["seq"]))
            return game.snapshot

    def remember(self, game_id: int, snap: dict[str, Any]) -> None:
        """A state this process just published: serve it without asking Redis."""
        game = self._game(game_id)
        with game.fetch_lock:
            if game.snapshot is None or snap["seq"] >= game.snapshot["seq"]:
                game.snapshot = snap
        self.heard(game_id, int(snap["seq"]))

    # --- shared facts: counts, places, who answered (one read per process per interval)

    def facts(self, game_id: int, seq: int, max_age: float, load: Callable[[Any], Any]) -> Any:
        """The game's facts, read by one thread at most every ``max_age`` seconds (and
        again whenever the state's seq moved on); the other requests share them."""
        game = self._game(game_id)
        current = game.facts
        fresh = current is not None and current.seq >= seq
        if fresh and time.monotonic() - game.facts_at < max_age:
            return current
        if current is not None and fresh and not game.facts_lock.acquire(blocking=False):
            return current  # another thread is reading them
        if current is None or not fresh:
            game.facts_lock.acquire()
        try:
            current = game.facts
            if (
                current is not None
                and current.seq >= seq
                and (time.monotonic() - game.facts_at < max_age)
            ):
                return current
            game.facts = load(current)
            game.facts_at = time.monotonic()
            return game.facts
        finally:
            game.facts_lock.release()

    # --- receipts: when each player first received a question ----------------------------

    def receipt(self, game_id: int, no: int, player_id: int, moment_ms: int, store: Any) -> None:
        """Remember that the player received question ``no`` now (the first time counts);
        written to Redis within ``FLUSH_SECONDS`` by the flusher thread."""
        key = (game_id, no, player_id)
        with self._receipts_lock:
            if key in self._sent or key in self._pending:
                return
            self._pending[key] = moment_ms
            self._store = store
        self._ensure_flusher()

    def local_receipt(self, game_id: int, no: int, player_id: int) -> int | None:
        """A receipt recorded by this process and not yet written to Redis."""
        return self._pending.get((game_id, no, player_id))

    def _ensure_flusher(self) -> None:
        if self._flusher is not None and self._flusher.is_alive():
            return
        with self._lock:
            if self._flusher is not None and self._flusher.is_alive():
                return
            self._flusher = threading.Thread(
                target=self._flush_loop, name="live-games-receipts", daemon=True
            )
            self._flusher.start()

    def _flush_loop(self) -> None:
        while not self._stopped.is_set():
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        with self._receipts_lock:
            batch, self._pending = self._pending, {}
            store = self._store
        if not batch or store is None:
            return
        try:
            store.record_receipts(batch)
        except redis.RedisError as exc:
            log.warning("live games: %d receipts not written (%s); retrying", len(batch), exc)
            with self._receipts_lock:
                for key, value in batch.items():
                    self._pending.setdefault(key, value)
            return
        with self._receipts_lock:
            self._sent.update(batch)
            if len(self._sent) > 200_000:  # old games: forget (HSETNX keeps the first anyway)
                self._sent.clear()
