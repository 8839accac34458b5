"""The only module that knows the Redis key names of live games.

Every key of a game carries the Cluster hash tag ``{g<id>}`` (``live:{g42}:snap``), so a
game's keys share a slot and a pipeline or script may touch them together. Redis holds
the fast copies every app server reads (the game's public state per change, players'
places after each reveal), the moments players received each question, who answered,
and the change notices (pub/sub). SQL stays the truth: every one of these can be rebuilt
from SQL except the receipt moments, whose loss only means an answer's time counts from
the question's start (quiz/live/services.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis
from redis.cluster import RedisCluster

# Keys expire a day after their last write: a game lasts minutes to hours.
TTL_SECONDS = 24 * 3600
EVENTS_PATTERN = "live:*:events"


def game_tag(game_id: int) -> str:
    return f"live:{{g{game_id}}}:"


def game_of_channel(channel: str) -> int | None:
    """The game id in an events channel name (``live:{g42}:events`` -> 42)."""
    start, end = channel.find("{g"), channel.find("}")
    part = channel[start + 2 : end] if 0 <= start < end else ""
    return int(part) if part.isdigit() else None


@dataclass(frozen=True)
class GameKeys:
    game_id: int

    @property
    def tag(self) -> str:
        return game_tag(self.game_id)

    @property
    def snap(self) -> str:
        """The public state of the current seq, as JSON (every language)."""
        return f"{self.tag}snap"

    @property
    def events(self) -> str:
        """Pub/sub channel: the new seq after every change."""
        return f"{self.tag}events"

    @property
    def players(self) -> str:
        """Set of player ids (the count shown while they arrive)."""
        return f"{self.tag}players"

    @property
    def places(self) -> str:
        """Hash player id -> "score:rank:last_correct" after the last reveal."""
        return f"{self.tag}places"

    def received(self, no: int) -> str:
        """Hash player id -> the ms (Unix) the player first received question ``no``."""
        return f"{self.tag}recv:{no}"

    def answered(self, no: int) -> str:
        """Set of the player ids who answered question ``no``."""
        return f"{self.tag}answered:{no}"

    def tick(self, seq: int) -> str:
        """Lock: one server closes a question whose time ran out."""
        return f"{self.tag}tick:{seq}"


@dataclass(frozen=True)
class Place:
    score: int
    rank: int
    last_correct: bool | None


@dataclass(frozen=True)
class Facts:
    """What every viewer's state shows of a game besides its public state: read once per
    process and interval (``hub.facts``), shared by every request."""

    seq: int  # the state they were read for (places change only with the state)
    no: int
    players: int
    answered: frozenset[int]
    places: dict[int, Place]


def encode_place(score: int, rank: int, last_correct: bool | None) -> str:
    flag = "" if last_correct is None else ("1" if last_correct else "0")
    return f"{score}:{rank}:{flag}"


def decode_place(raw: str | None) -> Place | None:
    if not raw:
        return None
    score, rank, flag = raw.split(":")
    return Place(int(score), int(rank), None if flag == "" else flag == "1")


class LiveStore:
    """Reads and writes of live-game keys over one Redis client."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.clustered = isinstance(client, RedisCluster)

    def publish_state(
        self,
        game_id: int,
        snapshot: Mapping[str, Any],
        places: Mapping[int, str] | None = None,
        player_ids: Iterable[int] = (),
    ) -> None:
        """Store a new public state (and players' places), then tell every server.

        One round trip; the notice goes last, so a server that hears it finds the state.
        On a Redis Cluster the notice is a second round trip after the pipeline: redis-py
        refuses PUBLISH inside a cluster pipeline (a channel has no slot; the cluster bus
        carries the message to every node, so any server's subscription hears it).
        """
        keys = GameKeys(game_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.set(keys.snap, json.dumps(snapshot, ensure_ascii=False), ex=TTL_SECONDS)
        if places is not None:
            pipe.delete(keys.places)
            if places:
                pipe.hset(keys.places, mapping={str(k): v for k, v in places.items()})
                pipe.expire(keys.places, TTL_SECONDS)
        ids = [str(p) for p in player_ids]
        if ids:
            pipe.sadd(keys.players, *ids)
            pipe.expire(keys.players, TTL_SECONDS)
        if self.clustered:
            pipe.execute()
            self.client.publish(keys.events, str(snapshot["seq"]))
            return
        pipe.publish(keys.events, str(snapshot["seq"]))
        pipe.execute()

    def snapshot(self, game_id: int) -> dict[str, Any] | None:
        raw = self.client.get(GameKeys(game_id).snap)
        return json.loads(raw) if raw else None

    def add_player(self, game_id: int, player_id: int) -> int:
        keys = GameKeys(game_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.sadd(keys.players, str(player_id))
        pipe.expire(keys.players, TTL_SECONDS)
        pipe.scard(keys.players)
        return int(pipe.execute()[-1])

    def facts(self, game_id: int, no: int, seq: int, places: dict[int, Place] | None) -> Facts:
        """Players, who answered question ``no`` and (unless given) everyone's places,
        in one round trip."""
        keys = GameKeys(game_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.scard(keys.players)
        pipe.smembers(keys.answered(no))
        if places is None:
            pipe.hgetall(keys.places)
        found = pipe.execute()
        if places is None:
            places = {int(k): p for k, v in found[2].items() if (p := decode_place(v))}
        answered = frozenset(int(p) for p in found[1])
        return Facts(seq=seq, no=no, players=int(found[0]), answered=answered, places=places)

    def record_receipts(self, receipts: Mapping[tuple[int, int, int], int]) -> None:
        """First receipts of questions, (game, no, player) -> ms; one round trip."""
        pipe = self.client.pipeline(transaction=False)
        keys: set[str] = set()
        for (game_id, no, player_id), moment in receipts.items():
            key = GameKeys(game_id).received(no)
            pipe.hsetnx(key, str(player_id), moment)
            keys.add(key)
        for key in keys:
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()

    def received_at(self, game_id: int, no: int, player_id: int) -> int | None:
        raw = self.client.hget(GameKeys(game_id).received(no), str(player_id))
        return int(raw) if raw else None

    def mark_answered(self, game_id: int, no: int, player_id: int) -> None:
        keys = GameKeys(game_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.sadd(keys.answered(no), str(player_id))
        pipe.expire(keys.answered(no), TTL_SECONDS)
        pipe.execute()

    def set_answered(self, game_id: int, no: int, player_ids: Iterable[int]) -> None:
        """Replace the answered set of question ``no`` (a rebuild from SQL)."""
        keys = GameKeys(game_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(keys.answered(no))
        ids = [str(p) for p in player_ids]
        if ids:
            pipe.sadd(keys.answered(no), *ids)
            pipe.expire(keys.answered(no), TTL_SECONDS)
        pipe.execute()

    def claim_tick(self, game_id: int, seq: int) -> bool:
        """True for the one caller that may close the question of state ``seq``."""
        return bool(self.client.set(GameKeys(game_id).tick(seq), "1", nx=True, ex=30))
