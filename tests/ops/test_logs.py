"""Structured logs: JSON lines carrying the request id, which the response returns."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from quiz.ops import logs


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"QUIZ_LOG_FORMAT": "json", "QUIZ_ACCESS_LOG": True}


@pytest.fixture
def lines(app) -> Any:
    """What the app's JSON handler writes, one parsed object per line."""
    handler = next(h for h in app.logger.handlers if getattr(h, logs._MARK, False))
    stream = io.StringIO()
    handler.setStream(stream)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_id_from_the_proxy_is_kept_and_logged(client, lines):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    response = client.get("/", headers={"X-Request-ID": "from.nginx:42"})
    assert response.headers["X-Request-ID"] == "from.nginx:42"
    access = [line for line in lines() if line["message"] == "request"]
    assert access[-1]["request_id"] == "from.nginx:42"
    assert access[-1]["endpoint"] == "contests.index"
    assert access[-1]["status"] == 200
    assert access[-1]["level"] == "INFO"
    assert isinstance(access[-1]["duration_ms"], float)
    # Health checks are polled every few seconds: not in the access log.
    assert all(line["path"] != "/healthz" for line in access)


@pytest.mark.parametrize("sent", [None, "", "x" * 129, "two words", "a\tb", "ü", "<script>"])
def test_a_missing_or_odd_request_id_is_replaced(client, sent):
    headers = {} if sent is None else {"X-Request-ID": sent}
    given = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert given != sent and len(given) == 32 and given.isalnum()
    other = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert other != given


def test_an_error_is_logged_as_json_with_the_request_id(app, client, lines):
    @app.get("/boom-for-test")
    def boom() -> Any:
        raise RuntimeError("kaput")

    response = client.get("/boom-for-test", headers={"X-Request-ID": "rid-500"})
    assert response.status_code == 500
    errors = [line for line in lines() if line["level"] == "ERROR"]
    assert errors and errors[0]["request_id"] == "rid-500"
    assert "kaput" in errors[0]["exc_info"]
    assert errors[0]["logger"] == "quiz"


def test_text_logs_stay_plain_for_development(migrated, redis_url, tmp_path):
    from quiz import create_app
    from tests.conftest import _config

    plain = create_app({**_config(migrated, redis_url, tmp_path), "QUIZ_LOG_FORMAT": "text"})
    assert not any(getattr(h, logs._MARK, False) for h in plain.logger.handlers)
    response = plain.test_client().get("/healthz")
    assert len(response.headers["X-Request-ID"]) == 32
