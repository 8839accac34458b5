"""Access-matrix rows for the operations routes (quiz/ops/routes.py).

Health and readiness answer everyone, signed in or not (load balancers have no
account). ``/metrics`` is off without ``QUIZ_METRICS_TOKEN`` (the matrix's setting):
404 to everyone, a session or an API token changes nothing (tests/ops/test_metrics.py
covers the token).
"""

from __future__ import annotations

from tests.security.matrix import ALL_200, Case

ROWS: dict[str, list[Case]] = {
    "ops.healthz": [Case("GET", "/healthz", ALL_200)],
    "ops.readyz": [Case("GET", "/readyz", ALL_200)],
    "ops.metrics": [Case("GET", "/metrics", (404,) * 6)],
}
