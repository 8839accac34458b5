"""The floor every benchmark figure is divided by: a bare Flask app.

Two endpoints, served by the same gunicorn settings as the real app and talking to the
same PostgreSQL (or SQLite) and Redis:

- ``GET /hello``: a hello-world response, the cost of Flask + gunicorn alone (rank
  lookups are compared with it);
- ``POST /insert``: one INSERT with commit, then one ZADD: the least work an
  acknowledged, durable answer can cost (answer submissions and attempt starts are
  compared with it).

It uses SQLAlchemy Core over the same driver (psycopg 3) as the app, without the ORM and
without a pre-ping: the minimum an app on this stack can do. Settings come from
``BENCH_DATABASE_URL`` and ``BENCH_REDIS_URL``; the harness creates the table.
"""

from __future__ import annotations

import os
import random

import redis
from flask import Flask, jsonify
from sqlalchemy import create_engine, text

TABLE = "bench_baseline"
CREATE_TABLE = {
    "postgresql": f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id BIGSERIAL PRIMARY KEY, user_id INTEGER NOT NULL, value INTEGER NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT now())",
    "sqlite": f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, value INTEGER NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
}
BOARD_KEY = "bench:{baseline}:board"


def create_baseline_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10, max_overflow=10)
    client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"], socket_timeout=1.0)
    insert = text(f"INSERT INTO {TABLE} (user_id, value) VALUES (:user_id, :value)")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    @app.post("/insert")
    def insert_one() -> object:
        user_id, value = random.randrange(1_000_000), random.randrange(1 << 30)
        with engine.begin() as conn:  # BEGIN; INSERT; COMMIT
            conn.execute(insert, {"user_id": user_id, "value": value})
        client.zadd(BOARD_KEY, {str(user_id): -value})
        return jsonify({"ok": True})

    return app


app = create_baseline_app() if "BENCH_DATABASE_URL" in os.environ else None
