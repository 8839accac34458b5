"""The start lane: ``POST /api/v1/rounds/<id>/attempts`` with a bearer token, served in
front of Flask's request machinery.

Starting an attempt is the costliest hot request of a contest's first minutes. After its
second pass, Flask's request machinery around the view (contexts, a dozen request
hooks, the response object, the after-request hooks) was ~30% of a start's app CPU
(docs/performance.md, section 9). A bearer start with a JSON body needs none of it, so
a lane (``quiz/api/lane.py``) serves it, doing what the hooks and the view's decorator
would do for it, in the same order:

1. only ``POST``, the canonical path, no query string, no ``SCRIPT_NAME`` (the response
   may hold picture addresses, which ``url_for`` prefixes with it), no ``Cookie``
   header, a bearer token, an ``application/json`` body of known length within
   ``MAX_CONTENT_LENGTH`` (read here, parsed as ``request.get_json(silent=True)``
   parses it, and put back for Flask if the request is passed on), and no
   ``TRUSTED_HOSTS`` or ``SERVER_NAME`` to check; anything else goes to Flask untouched;
2. the caller, as ``login_required_reading`` finds them: a token this process holds no
   copy of is looked up in one psycopg pipeline with the start's statement
   (``access.read_with_new_token``, PostgreSQL: one round trip); a known token, or any
   token on SQLite, from the token copy (``user_for_token``). No such active token (or
   a failing lookup): the request goes to Flask, which refuses it (401) as before;
3. the endpoint's rate limit (``count_account_request``: none today, so nothing is
   counted, as the hook counts nothing). It comes after the new-token pipeline, whose
   read writes nothing; the hook counted before the view, whose decorator reads;
4. the start's statement for a caller already known (``access.first_read``), then
   exactly the view's work through the same function (``routes.start``: visibility of
   the round (an unpublished round for its organizers), the body, the language,
   ``play.begin_attempt``, the commit, the response body), and the unit of work's end;
5. the same status (201 or 200), body and headers as the view: the JSON type and length,
   the security headers, ``X-Request-ID``, ``Vary: Cookie``; the request's metrics and
   access line.

The request hooks, one by one, for such a request: the request id and clock (kept: the
lane's own); the oversized-body refusal (such a body goes to Flask); the NUL check of
the query string and form fields (no query string, no form: nothing to check; NUL in
the JSON is refused by the app's JSON parser, as in the view); CSRF (API blueprint
exempt, and a bearer request is never checked); the session's age, the forced password
change and the two-factor setup (cookie sessions only: a lane takes no cookie; an
account that must change its password gets no token, a disabled one's tokens are not
found); the embedded Redis start and the rate limit (step 3); the language (a start's
success speaks the body's language, not the request's; refusals are localized by
Flask's handlers from ``Accept-Language``, then the account, as in the view). After the
request: the unit of work's end, the security headers (a start sets no ``no_store``),
the request id, metrics and access line, the session's ``Vary: Cookie`` (the lane's
``_send``). SQLite: the lane marks its method in ``g`` (``extensions.LANE_METHOD``), so
the start's transaction begins with ``BEGIN IMMEDIATE``, as the view's.

Every refusal (an unknown or hidden round, a bad body or language, not enrolled, closed,
no attempt left, a rate limit) is Flask's error answer (``Lane._error``). The view
``api.start_attempt`` still serves what the lane passes on (cookie sessions, the
pages' fetches, unusual requests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask

from quiz.accounts.access import first_read, read_with_new_token
from quiz.accounts.ratelimits import count_account_request
from quiz.api.lane import NOT_MINE, JsonLane, Matched, Reply
from quiz.api.routes import start
from quiz.edge.params import MAX_ID
from quiz.play import services as play

ENDPOINT = "api.start_attempt"
# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/rounds/([1-9][0-9]{0,18})/attempts")
_NOT_READ = object()


@dataclass(frozen=True)
class StartRequest(Matched):
    round_id: int
    data: Any  # the body as ``request.get_json(silent=True)`` gives it (None: not JSON)
    first_row: Any = _NOT_READ  # the start's statement's row, once read


class StartLane(JsonLane):
    """The lane of ``POST /api/v1/rounds/<id>/attempts`` (see the module docstring)."""

    method = "POST"

    def match(self, environ: dict[str, Any]) -> StartRequest | None:
        if environ.get("QUERY_STRING") or environ.get("SCRIPT_NAME"):
            return None
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if found is None or int(found[1]) > MAX_ID:
            return None
        data = self.read_json(environ)
        if data is NOT_MINE:
            return None
        return StartRequest(ENDPOINT, int(found[1]), data)

    def authenticate(self, token: str, request: StartRequest) -> tuple[Any, StartRequest]:
        """A new token with the start's statement in one round trip (PostgreSQL), as
        ``login_required_reading``; else the token copy's lookup."""
        try:
            found = read_with_new_token(token, play.start_read, {"round_id": request.round_id})
        except Exception:  # the database down: Flask looks again and answers the failure
            return None, request
        if found is None:
            return super().authenticate(token, request)
        user, first_row = found
        return user, replace(request, first_row=first_row)

    def answer(self, environ: dict[str, Any], user: Any, request: StartRequest) -> Reply:
        count_account_request(self.app, ENDPOINT, "POST", user.id)
        round_id, first_row = request.round_id, request.first_row
        if first_row is _NOT_READ:
            first_row = first_read(play.start_read, user.id, {"round_id": round_id})
        started = start(round_id, user, first_row, lambda: request.data)
        return Reply(started.body, status=started.status)


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, as the other lanes)."""
    app.wsgi_app = StartLane(app, app.wsgi_app)  # type: ignore[method-assign]
