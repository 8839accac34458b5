"""gunicorn settings for the app servers (container image and systemd unit alike).

    gunicorn -c deploy/gunicorn.conf.py 'quiz:create_app()'

Threads, not processes, carry the concurrency (docs/operations.md, "Processes"); every
number here can be changed from the environment. Prometheus metrics work across the
workers in prometheus_client's multiprocess mode: each worker writes its values under
``PROMETHEUS_MULTIPROC_DIR`` (emptied when gunicorn starts), ``/metrics`` in any worker
adds them up, and a dead worker's live values are dropped. Each worker freezes the
objects of the built app out of the garbage collector before it serves
(``post_worker_init``, quiz/ops/heap.py).
"""

import os
import shutil

from quiz.settings import read_variables

# Defaults and checks from the one catalogue (quiz/settings.py, README "Configuration"):
# QUIZ_WORKERS=many stops gunicorn with "QUIZ_WORKERS: expected a whole number …".
_settings = read_variables("QUIZ_BIND", "QUIZ_WORKERS", "QUIZ_THREADS", "QUIZ_WORKER_TIMEOUT")
bind = _settings["QUIZ_BIND"]
workers = _settings["QUIZ_WORKERS"]
worker_class = "gthread"
threads = _settings["QUIZ_THREADS"]
# Longer than a live game's long-poll (QUIZ_LIVE_POLL_SECONDS, 25 s).
timeout = _settings["QUIZ_WORKER_TIMEOUT"]
graceful_timeout = 30
keepalive = 5
# The app writes one JSON line per request with its request id (QUIZ_ACCESS_LOG).
accesslog = None
errorlog = "-"

# Set before any worker imports prometheus_client, which picks its storage at import.
metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/quiz-metrics")


def on_starting(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def post_worker_init(worker):
    # The app is built: keep its ~200,000 long-lived objects out of every later garbage
    # collection, whose pauses stop all of the worker's threads (quiz/ops/heap.py).
    from quiz.ops.heap import settle_heap

    settle_heap()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
