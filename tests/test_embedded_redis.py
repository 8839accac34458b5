"""The embedded Redis server is owned by the process that started it."""

from __future__ import annotations

import redis

from quiz.embedded_redis import EmbeddedRedis


def test_start_reuse_and_stop(tmp_path):
    first = EmbeddedRedis(tmp_path, persist=False)
    url = first.start()
    assert first.owned and first.pidfile.exists()
    redis.Redis.from_url(url).set("k", "v")

    second = EmbeddedRedis(tmp_path, persist=False)  # e.g. a restarted app
    assert second.start() == url
    assert not second.owned  # it reused the live server
    second.stop()  # not the owner: leaves it running
    assert redis.Redis.from_url(url).get("k") == b"v"

    first.stop()
    assert not first.socket.exists()
    again = EmbeddedRedis(tmp_path, persist=False)
    again.start()
    assert again.owned
    assert redis.Redis.from_url(again.url).get("k") is None
    again.stop()


def test_persisted_data_survives_a_restart(tmp_path):
    server = EmbeddedRedis(tmp_path, persist=True)
    redis.Redis.from_url(server.start()).set("board", "kept")
    server.stop()
    restarted = EmbeddedRedis(tmp_path, persist=True)
    assert redis.Redis.from_url(restarted.start()).get("board") == b"kept"
    restarted.stop()
