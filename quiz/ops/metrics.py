"""The platform's Prometheus metrics (prometheus_client), defined once, here.

Every domain counts through these objects; the web layer observes request latency.
Under gunicorn with several workers each process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, set up by
``deploy/gunicorn.conf.py``) and ``/metrics`` adds them up; without it (one process,
``make run``, tests) the process's own registry answers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Values live in files there from the first metric on: the folder must exist.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# Latency buckets from a cached board read (~1 ms) to a slow export (10 s).
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "quiz_request_duration_seconds",
    "Time to answer a request, by endpoint (Flask endpoint name) and method.",
    ["endpoint", "method"],
    buckets=_BUCKETS,
)
REQUESTS = Counter(
    "quiz_requests",
    "Requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
ANSWERS_SAVED = Counter("quiz_answers_saved", "Answers saved (quiz pages, the API and live games).")
ATTEMPTS_STARTED = Counter("quiz_attempts_started", "Attempts started.")
ATTEMPTS_FINISHED = Counter(
    "quiz_attempts_finished",
    "Attempts finished, by reason (submitted by the participant, or closed at the deadline).",
    ["reason"],
)
REDIS_ERRORS = Counter(
    "quiz_redis_errors", "Redis commands that failed (after the client's one retry)."
)
DATABASE_ERRORS = Counter(
    "quiz_database_errors", "Database statements that failed, by error class.", ["kind"]
)
BOARD_REBUILDS = Counter(
    "quiz_board_rebuilds", "Leaderboard rebuilds of a contest from SQL (command, healing, freeze)."
)


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus server scrapes: every process's values in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
