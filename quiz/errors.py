"""Errors the services raise, and how the web layer answers them: HTML or JSON, localized.

Services raise ``QuizError`` subclasses with a stable ``code`` (for clients) and a lazily
translated message (for people). The handlers pick JSON for the API and for clients that
ask for it, and a page otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from quiz.extensions import db, login_manager


class QuizError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Any, code: str | None = None, **params: Any) -> None:
        super().__init__(code or self.code)
        self.message = message
        self.params = params
        if code:
            self.code = code

    def localized(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(QuizError):
    status = 404
    code = "not_found"


class Forbidden(QuizError):
    status = 403
    code = "forbidden"


class Conflict(QuizError):
    status = 409
    code = "conflict"


class ValidationFailed(QuizError):
    """Bad input. ``fields`` maps each field to its localized problems."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[Any]], message: Any = None) -> None:
        super().__init__(message or _l("Please correct the highlighted fields."))
        self.fields = fields

    def field_messages(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.fields.items()}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    if request.headers.get("X-Requested-With") == "fetch":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    body["error"].update(extra)
    return jsonify(body), status


_HTTP_MESSAGES = {
    400: (_l("The request could not be understood."), "bad_request"),
    401: (_l("Please log in first."), "unauthorized"),
    403: (_l("You are not allowed to do this."), "forbidden"),
    404: (_l("Not found."), "not_found"),
    405: (_l("This method is not allowed here."), "method_not_allowed"),
    413: (_l("The upload is too large."), "too_large"),
    415: (_l("Send JSON with Content-Type application/json."), "unsupported_media_type"),
    429: (_l("Too many requests. Please wait a moment and try again."), "rate_limited"),
    500: (_l("Something went wrong on our side. Please try again."), "server_error"),
    503: (_l("The service is busy. Please try again in a few seconds."), "unavailable"),
}


def _render(status: int, code: str, message: str, **extra: Any) -> Any:
    if wants_json():
        return error_response(status, code, message, **extra)
    return render_template("error.html", status=status, message=message), status


def retry_after_seconds(exc: Any) -> int:
    """Seconds until a breached rate limit's window resets (quiz.accounts.limiter sets
    ``retry_after`` on the 429 it raises)."""
    return int(getattr(exc, "retry_after", 60))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(QuizError)
    def _quiz_error(exc: QuizError) -> Any:
        # A refused action keeps nothing it flushed (the unit of work, quiz/unit_of_work.py),
        # and the error page must not read from a transaction a failed flush broke.
        db.session.rollback()
        extra: dict[str, Any] = {}
        if isinstance(exc, ValidationFailed):
            extra["fields"] = exc.field_messages()
        return _render(exc.status, exc.code, exc.localized(), **extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if isinstance(exc, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
            return Response("Bad Request\n", status=400, mimetype="text/plain")
        message, code = _HTTP_MESSAGES.get(status, (exc.description, "http_error"))
        if status == 400 and getattr(exc, "description", "").startswith("The CSRF"):
            message, code = (
                _l("Your form expired. Please reload the page and try again."),
                ("csrf_failed"),
            )
        if status == 429:
            return _too_many_requests(exc, str(message))
        response = _render(status, code, str(message))
        return response

    def _too_many_requests(exc: HTTPException, message: str) -> Any:
        """A rate limit was hit: say so in the caller's language, and when to come back."""
        seconds = retry_after_seconds(exc)
        response = app.make_response(_render(429, "rate_limited", message, retry_after=seconds))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        message, code = _HTTP_MESSAGES[500]
        return _render(500, code, str(message))

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError) -> Any:
        # The transaction was rolled back: nothing half-written; the client may retry.
        app.logger.warning("database unavailable: %s", exc)
        db.session.rollback()
        # The answer must not need the database: the page's language comes from the
        # header or cookie (not the account), and the page is drawn for an anonymous
        # visitor, since loading the user would fail again (and turn the 503 into a 500).
        g.quiz_database_down = True
        login_manager._update_request_context_with_user()
        message, code = _HTTP_MESSAGES[503]
        response = _render(503, code, str(message))
        if isinstance(response, tuple):
            response = app.make_response(response)
        response.headers["Retry-After"] = "3"
        return response
