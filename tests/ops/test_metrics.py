"""``/metrics``: Prometheus text behind a token, parsed back with prometheus_client's own
parser; the counters move when answers are saved and attempts start and finish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from quiz import create_app
from tests.conftest import _config
from tests.factories import issue_token

TOKEN = "scrape-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"QUIZ_METRICS_TOKEN": TOKEN}


def scrape(client: Any) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_when_an_answer_is_saved(client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    token, _ = issue_token(user, clock(), 1)
    bearer = {"Authorization": f"Bearer {token}"}
    before = scrape(client)

    attempt = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=bearer, json={"language": "zh"}
    ).json
    for no in (1, 2):
        saved = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{no}", headers=bearer, json={"choice": ["A"]}
        )
        assert saved.status_code == 200
    finished = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=bearer)
    assert finished.status_code == 200
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("quiz_answers_saved_total") == 2
    assert moved("quiz_attempts_started_total") == 1
    assert moved("quiz_attempts_finished_total", reason="submitted") == 1
    put = {"endpoint": "api.put_answer", "method": "PUT"}
    assert moved("quiz_request_duration_seconds_count", **put) == 2
    assert moved("quiz_request_duration_seconds_bucket", le="+Inf", **put) == 2
    assert moved("quiz_requests_total", status="200", **put) == 2


def test_board_rebuilds_and_redis_errors_are_counted(client, make, runner, migrated, tmp_path):
    _, round_ = make.setup()
    before = scrape(client)
    result = runner.invoke(args=["leaderboard", "rebuild", "--round", str(round_.id)])
    assert result.exit_code == 0, result.output
    # Another app server whose Redis is gone: its readiness check fails on Redis.
    cut_off = create_app(_config(migrated, "redis://127.0.0.1:1/0", tmp_path))
    assert cut_off.test_client().get("/readyz").status_code == 503
    after = scrape(client)
    assert (
        value(after, "quiz_board_rebuilds_total") - value(before, "quiz_board_rebuilds_total") == 1
    )
    assert value(after, "quiz_redis_errors_total") - value(before, "quiz_redis_errors_total") == 1


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, app):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    app.config["QUIZ_METRICS_TOKEN"] = None
    assert client.get("/metrics", headers=BEARER).status_code == 404


MULTIPROCESS = textwrap.dedent(
    """
    import json, os, sys
    from quiz.ops import metrics
    if sys.argv[1] == "count":
        metrics.ANSWERS_SAVED.inc(int(sys.argv[2]))
    else:
        from prometheus_client.parser import text_string_to_metric_families
        body, _ = metrics.exposition()
        total = [s.value for f in text_string_to_metric_families(body.decode())
                 for s in f.samples if s.name == "quiz_answers_saved_total"]
        print(json.dumps(total))
    """
)


def test_multiprocess_mode_adds_up_every_worker(tmp_path):
    """As under gunicorn: two worker processes count, a third one's /metrics sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    run("count", "2")
    run("count", "3")
    assert json.loads(run("read")) == [5.0]
