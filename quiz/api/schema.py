"""The building blocks of the OpenAPI document: schema and operation builders, the
error-code table and the shared components (language, text size, option key).

One module that every part of the document imports (``quiz.api.openapi`` for the core
API, and the practice, self-test, live and dashboard parts), so an operation or an error
table is built one way; the parts register their own error codes in ``ERRORS``.
"""

from __future__ import annotations

from typing import Any

from quiz.accounts.comfort import TEXT_SIZES
from quiz.i18n import LANGUAGES

Schema = dict[str, Any]

JSON = "application/json"
SECURED: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]

ERRORS: dict[str, tuple[int, str, str]] = {
    "bad_request": (400, "The request could not be understood.", "malformed HTTP request"),
    "invalid_json": (
        400,
        "Send a JSON object with Content-Type application/json.",
        "the body is not a JSON object",
    ),
    "csrf_failed": (
        400,
        "Your form expired. Please reload the page and try again.",
        "a write from a logged-in cookie session without a valid `X-CSRFToken` header "
        "(bearer and anonymous requests are exempt)",
    ),
    "invalid_credentials": (400, "Wrong username or password.", "login failed"),
    "unauthorized": (401, "Please log in first.", "no valid bearer token or session"),
    "two_factor_required": (
        401,
        "This account uses two-factor login: send the code from your app as otp.",
        "the account has two-factor login on and the request has no `otp`",
    ),
    "invalid_otp": (
        401,
        "This code is not right. Enter the 6 digits your app shows now.",
        "`otp` is not the current code (each code works once) nor an unused recovery code",
    ),
    "password_change_required": (
        403,
        "Log in on the website and choose your own password first.",
        "the account still has a one-time password from its teacher; no token until it is "
        "changed on the website",
    ),
    "two_factor_setup_required": (
        403,
        "Your role requires two-factor login: set it up on the website first.",
        "an admin requires two-factor login of one of the account's roles and it is not "
        "set up yet; no token until it is",
    ),
    "no_bearer_token": (
        400,
        "Send the token to revoke as Authorization: Bearer.",
        "the request was authenticated by a browser session, not by a bearer token",
    ),
    "token_not_found": (
        404,
        "This token does not exist.",
        "no such token of the caller's (ids reveal nothing)",
    ),
    "rate_limited": (
        429,
        "Too many requests. Please wait a moment and try again.",
        "a rate limit (per account and per address) was hit; retry after `Retry-After`",
    ),
    "not_enrolled": (403, "Join the contest before starting a round.", "not enrolled"),
    "join_code_required": (
        403,
        "This contest needs a valid join code.",
        "`join_code` missing or wrong",
    ),
    "not_invited": (
        403,
        "Only invited participants can join this contest.",
        "the contest takes an allow list only",
    ),
    "contest_not_found": (
        404,
        "This contest does not exist.",
        "no such contest, or not published",
    ),
    "round_not_found": (404, "This round does not exist.", "no such round"),
    "attempt_not_found": (
        404,
        "This attempt does not exist.",
        "no such attempt, or another user's (ids reveal nothing)",
    ),
    "question_not_found": (
        404,
        "This question is not part of the attempt.",
        "`no` is outside 1..question_count",
    ),
    "no_league": (
        409,
        "Your region has no league in this contest.",
        "the contest divides by region or school and the caller's has no league",
    ),
    "round_not_open": (409, "This round has not opened yet.", "before `opens_at`"),
    "round_closed": (409, "This round is closed.", "after `closes_at`"),
    "bank_too_small": (
        409,
        "This round is not ready: its question bank is too small.",
        "the round cannot draw its questions",
    ),
    "deadline_passed": (
        409,
        "Time is up: answers are no longer accepted.",
        "saved after the deadline plus the grace period; the attempt is now finished",
    ),
    "attempt_finished": (
        409,
        "This attempt is finished: answers can no longer change.",
        "the attempt was already finished",
    ),
    "answer_locked": (
        409,
        "In this round an answer cannot be changed once given.",
        "a round with live scores keeps the first answer; the same answer again is fine",
    ),
    "focus_not_recorded": (
        409,
        "This round does not record leaving the page.",
        "the round has focus-loss recording off",
    ),
    "validation_failed": (
        422,
        "Please correct the highlighted fields.",
        "bad input; `fields` names every bad field with its problems",
    ),
    "unavailable": (
        503,
        "The service is busy. Please try again in a few seconds.",
        "the database is unreachable; nothing was written; retry after `Retry-After`",
    ),
}

STATUS_TEXT = {
    400: "Bad request",
    401: "Not logged in",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict with the current state",
    422: "Invalid input",
    429: "Too many requests",
    503: "Temporarily unavailable",
}


# --- schema helpers ------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """JSON Schema 2020-12 nullability (OpenAPI 3.1 has no ``nullable`` keyword)."""
    if "type" in schema and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        return {**schema, "type": [schema["type"], "null"], "enum": [*schema["enum"], None]}
    return {"oneOf": [schema, {"type": "null"}]}


def string(description: str | None = None, **extra: Any) -> Schema:
    return _described({"type": "string", **extra}, description)


def integer(description: str | None = None, **extra: Any) -> Schema:
    return _described({"type": "integer", **extra}, description)


def boolean(description: str | None = None) -> Schema:
    return _described({"type": "boolean"}, description)


def moment(description: str | None = None) -> Schema:
    """Times are UTC with milliseconds, e.g. ``2025-05-01T08:00:00.000Z``."""
    return string(description, format="date-time")


def enum(values: Any, description: str | None = None) -> Schema:
    return _described({"type": "string", "enum": [str(v) for v in values]}, description)


def array(items: Schema, description: str | None = None, **extra: Any) -> Schema:
    return _described({"type": "array", "items": items, **extra}, description)


def obj(
    properties: dict[str, Schema],
    required: list[str] | None = None,
    description: str | None = None,
    **extra: Any,
) -> Schema:
    """An object; ``required`` defaults to every property (responses always send them)."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }
    return _described(schema, description)


def request_object(properties: dict[str, Schema], required: list[str]) -> Schema:
    """Request bodies accept unknown fields: the server ignores them (forward compatible)."""
    return obj(properties, required, additionalProperties=True)


def _described(schema: Schema, description: str | None) -> Schema:
    return {**schema, "description": description} if description else schema


def names(description: str) -> Schema:
    return {**ref("Names"), "description": description}


def absent(*fields: str) -> Schema:
    """A schema that forbids every one of ``fields``."""
    return {"not": {"anyOf": [{"required": [f]} for f in fields]}}


# --- operation helpers ---------------------------------------------------------------


def json_content(schema: Schema, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {JSON: media}


def response(description: str, schema: Schema | None = None, **headers: str) -> dict[str, Any]:
    result: dict[str, Any] = {"description": description}
    if schema is not None:
        result["content"] = json_content(schema)
    if headers:
        result["headers"] = {
            name: {"$ref": f"#/components/headers/{h}"} for name, h in headers.items()
        }
    return result


def errors(*codes: str) -> dict[str, Any]:
    """The error responses of an operation, grouped by status, one example per code."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(ERRORS[code][0], []).append(code)
    result: dict[str, Any] = {}
    for status, group in sorted(by_status.items()):
        lines = [f"- `{code}`: {ERRORS[code][2]}" for code in group]
        schema = ref("Error")
        if status == 422:
            schema = {
                "allOf": [
                    ref("Error"),
                    {"properties": {"error": {"required": ["code", "message", "fields"]}}},
                ]
            }
        examples = {code: {"value": _error_example(code)} for code in group}
        body: dict[str, Any] = {
            "description": STATUS_TEXT[status] + ". Codes:\n" + "\n".join(lines),
            "content": {JSON: {"schema": schema, "examples": examples}},
        }
        if status in (429, 503):
            body["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
        result[str(status)] = body
    return result


def _error_example(code: str) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": ERRORS[code][1]}
    if code == "validation_failed":
        error["fields"] = {"language": ["Choose Chinese or Mongolian."]}
    return {"error": error}


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    responses: dict[str, Any],
    *,
    login: bool,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation. ``login`` mirrors the view's decorator: ``login_required`` or ``public``."""
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}, *(parameters or [])],
    }
    if body is not None:
        op["requestBody"] = body
    if login:
        op["security"] = SECURED
    op["responses"] = responses
    return op


def path_id(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1},
    }


def json_body(schema: Schema, example: Any, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": json_content(schema, example)}


# --- components ----------------------------------------------------------------------

LANGUAGE = enum(LANGUAGES, "`zh` Chinese, `mn` traditional-script Mongolian.")
TEXT_SIZE = enum(TEXT_SIZES, "How large the pages' text is.")
OPTION_KEY = string("A displayed option key: `A`, `B`, ... in the order shown.", pattern="^[A-Z]$")
