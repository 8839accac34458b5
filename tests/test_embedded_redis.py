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


def test_the_owner_stops_its_server_when_terminated(tmp_path):
    """SIGTERM (how process managers stop an app) still stops the embedded server."""
    import signal
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "from quiz.embedded_redis import EmbeddedRedis\n"
        f"EmbeddedRedis({str(tmp_path)!r}, persist=False).start()\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout.readline().strip() == "ready"
        assert (tmp_path / "redis.sock").exists()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=20)
    assert not (tmp_path / "redis.sock").exists()
