"""gunicorn settings for the app servers (container image and systemd unit alike).

    gunicorn -c deploy/gunicorn.conf.py 'quiz:create_app()'

Threads, not processes, carry the concurrency (docs/operations.md, "Processes"); every
number here can be changed from the environment. Prometheus metrics work across the
workers in prometheus_client's multiprocess mode: each worker writes its values under
``PROMETHEUS_MULTIPROC_DIR`` (emptied when gunicorn starts), ``/metrics`` in any worker
adds them up, and a dead worker's live values are dropped.
"""

import os
import shutil

bind = os.environ.get("QUIZ_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("QUIZ_WORKERS", str(2 * (os.cpu_count() or 1))))
worker_class = "gthread"
threads = int(os.environ.get("QUIZ_THREADS", "8"))
# Longer than a live game's long-poll (QUIZ_LIVE_POLL_SECONDS, 25 s).
timeout = int(os.environ.get("QUIZ_WORKER_TIMEOUT", "60"))
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


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
