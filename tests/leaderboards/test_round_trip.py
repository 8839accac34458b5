"""The board read's round trip straight on a pooled connection (``BoardStore.round_trip``)
keeps what a redis-py pipeline guaranteed: replies in order, a dropped connection retried
once, and a connection never handed back with replies unread."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import redis
from flask import Flask

from quiz.leaderboards.services import board_store


def test_replies_in_order_as_the_server_sent_them(app: Flask) -> None:
    store = board_store()
    store.client.zadd("lb:{c1}:test", {"u1": -25.0, "u2": -10.0})
    replies = store.round_trip(
        [
            ("HMGET", "lb:{c1}:nothing", "built_at", "v"),
            ("ZSCORE", "lb:{c1}:test", "u2"),
            ("ZRANK", "lb:{c1}:test", "u2"),
            ("ZRANK", "lb:{c1}:test", "nobody"),
        ]
    )
    assert replies[0] == [None, None] and replies[2:] == [1, None]
    assert float(replies[1]) == -10.0  # text in RESP2, a double in RESP3


def test_an_error_mid_batch_drops_the_connection(app: Flask) -> None:
    store = board_store()
    client = store.client
    client.set("lb:{c1}:text", "x")
    with pytest.raises(redis.ResponseError):
        store.round_trip([("ZSCORE", "lb:{c1}:text", "u1"), ("GET", "lb:{c1}:text")])
    # The unread "x" left with the dropped connection: the next caller reads its own.
    assert store.round_trip([("GET", "lb:{c1}:text")]) == ["x"]
    assert client.get("lb:{c1}:text") == "x"


def test_a_dropped_connection_is_retried(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    store = board_store()
    pool = store.client.connection_pool
    assert store.round_trip([("PING",)]) == ["PONG"]  # raw replies: no callbacks
    taken = pool.get_connection

    def gone_away() -> Any:
        connection = taken()
        connection._sock.shutdown(socket.SHUT_RDWR)  # the server went away under it
        return connection

    monkeypatch.setattr(pool, "get_connection", gone_away)
    assert store.round_trip([("ECHO", "again")]) == ["again"]
