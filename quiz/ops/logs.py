"""Structured logs: one JSON object a line, each with the request id.

``QUIZ_LOG_FORMAT=json`` (the default in production) writes the app's log records as
JSON to standard error, where gunicorn, systemd's journal or the container runtime
collect them; ``text`` keeps Flask's plain lines (the default for ``make run`` and
tests). Every record written during a request carries its ``request_id``: the
``X-Request-ID`` the proxy sent (letters, digits and ``._:-``, at most 128), or a new
one, returned in the response's ``X-Request-ID`` header so a person reporting a problem
can quote it. ``QUIZ_ACCESS_LOG`` (on by default) adds one line per request.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import Any

from flask import Flask, g, has_request_context
from pythonjsonlogger.json import JsonFormatter

from quiz.edge.client import client_ip

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MARK = "_quiz_json_handler"


def request_id_from(header: str | None) -> str:
    """The proxy's request id when it is a sane token, else a fresh one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = getattr(g, "request_id", None) if has_request_context() else None
        return True


def configure(app: Flask) -> None:
    """Install the JSON handler on the app's logger (once per process and logger)."""
    level = app.config.get("QUIZ_LOG_LEVEL") or "INFO"
    logger = app.logger
    for handler in [h for h in logger.handlers if getattr(h, _MARK, False)]:
        logger.removeHandler(handler)
    if app.config.get("QUIZ_LOG_FORMAT") != "json":
        return
    from flask.logging import default_handler

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    handler.addFilter(RequestIdFilter())
    setattr(handler, _MARK, True)
    logger.removeHandler(default_handler)
    logger.addHandler(handler)
    logger.setLevel(level)


def access_line(app: Flask, request: Any, status: int, seconds: float) -> None:
    """One line per answered request (``QUIZ_ACCESS_LOG``)."""
    write_access_line(
        app, request.method, request.path, request.endpoint, status, seconds, client_ip()
    )


def write_access_line(
    app: Flask,
    method: str,
    path: str,
    endpoint: str | None,
    status: int,
    seconds: float,
    remote_addr: str | None,
    request_id: str | None = None,
) -> None:
    """The access line itself; ``request_id`` for a request served outside a Flask
    request context (the answer lane), else the filter takes it from ``g``."""
    extra: dict[str, Any] = {
        "method": method,
        "path": path,
        "endpoint": endpoint,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "remote_addr": remote_addr,
    }
    if request_id is not None:
        extra["request_id"] = request_id
    app.logger.getChild("request").info("request", extra=extra)
