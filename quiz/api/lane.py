"""Lanes: a hot bearer-token API request served in front of Flask's request machinery.

The two hottest requests of a contest, saving an answer (``quiz/api/answer_lane.py``)
and reading one's rank with the top of a board (``quiz/api/board_lane.py``), the
costliest of its first minutes, starting an attempt (``quiz/api/start_lane.py``), a
practice answer between contests (``quiz/api/practice_lane.py``) and a player's tap in a
live game (``quiz/api/live_lane.py``) spent much of their app-server CPU in machinery
they do not need (docs/performance.md, sections 8, 9, 12, 13, 15 and 16): the request
context and URL routing, a dozen request hooks (session age, password-change and
two-factor checks, CSRF, the rate limiter finding its rule and its user through context
proxies, NUL checks of form fields), Flask-Login's request loader, the response object
and its after-request hooks. A bearer-token
request without cookies needs none of them: no cookie session, no CSRF, no form.

A lane is a WSGI middleware that serves exactly such a request of one route itself,
doing what the hooks would do for it and nothing else, in the same order. This module
holds what every lane does, one way:

1. **Matching** (``Lane.__call__``): the lane's method, no ``Cookie`` header, a bearer
   token (``bearer_token``), and no ``TRUSTED_HOSTS`` or ``SERVER_NAME`` to check; then
   the lane's own ``match`` (the canonical path, the query string and body it accepts;
   a small JSON body is read one way, ``JsonLane.read_json``). Anything else goes to
   Flask untouched.
2. **The user** (``Lane.authenticate``: ``accounts.user_for_token``, the per-process
   copy, revocations seen within a second; the start lane looks a new token up in one
   round trip with its first statement, as its view does), in an app context. No user
   (or a failing lookup): the request goes to Flask, which refuses it exactly as
   before; nothing was counted or written.
3. The lane's ``answer``: the route's rate limit first
   (``ratelimits.count_account_request``: the hook's rules, keys and counters; nothing
   for a route without rules; the answer lane's count rides on the board publish,
   ``ratelimits.account_request``), then the view's own work, through the same functions as
   the view; then the unit of work's end (``unit_of_work.end_request_work``: what
   ``commit_request`` does after a view).
4. **The answer** (``Lane._send``): the body, headers in the order Flask sends them (the
   view's own, ``Content-Type``, ``Content-Length``, the security headers,
   ``X-Request-ID``, ``Vary: Cookie``), the request metrics and the access line; a body
   is made as ``jsonify`` makes it (``json_body``).

From step 3 on, a refusal or a failure is answered by Flask's own error handlers in a
request context built from the same request (``Lane._error``: localized JSON error,
``Retry-After``, rollback, after-request hooks): a lane never answers an error itself.
The views still serve what the lanes pass on (cookie sessions, unusual requests).
When a route may have a lane, and what it must keep: docs/architecture.md, "Lanes".
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from flask import Flask, g
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from quiz.accounts.services import user_for_token
from quiz.clock import now
from quiz.edge.params import MAX_ID
from quiz.extensions import LANE_METHOD
from quiz.ops import metrics
from quiz.ops.logs import request_id_from, write_access_line
from quiz.unit_of_work import end_request_work

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
JSON = "application/json"
# What ``JsonLane.read_json`` gives for a request whose body is Flask's to judge.
NOT_MINE: Any = object()


def bearer_token(environ: dict[str, Any]) -> str | None:
    """The bearer token of a request a lane may serve: one without a ``Cookie`` header
    (a cookie session, or any cookie, is Flask's: its hooks judge the session and CSRF)
    that names ``Authorization: Bearer <token>``; else None."""
    if "HTTP_COOKIE" in environ:
        return None
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def json_body(app: Flask, payload: Any) -> bytes:
    """The body ``jsonify(payload)`` would send (compact unless debugging, newline-ended)."""
    provider = app.json
    compact = getattr(provider, "compact", None)
    if (compact is None and app.debug) or compact is False:
        text = provider.dumps(payload, indent=2)
    else:
        text = provider.dumps(payload, separators=(",", ":"))
    return f"{text}\n".encode()


@dataclass(frozen=True)
class Matched:
    """A request a lane serves: the Flask endpoint it stands in for (metrics, the access
    line, the rate limit's rules); lanes add what they parsed."""

    endpoint: str


@dataclass(frozen=True)
class Reply:
    """A lane's JSON success: its body, the view's own headers (sent before
    ``Content-Type``, as the view's response object holds them) and its status."""

    body: bytes
    headers: Sequence[tuple[str, str]] = ()
    status: int = 200


class Lane:
    """WSGI middleware serving one route's bearer requests (see the module docstring).

    A lane states its ``method`` and implements ``match`` (which requests it takes) and
    ``answer`` (the view's work); everything else is here.
    """

    method: ClassVar[str]

    def __init__(self, app: Flask, inner: WsgiApp) -> None:
        self.app = app
        self.inner = inner
        config = app.config
        self.enabled = not config.get("TRUSTED_HOSTS") and not config.get("SERVER_NAME")
        self.access_log = bool(config.get("QUIZ_ACCESS_LOG"))
        self._metrics: dict[tuple[str, int], tuple[Any, Any]] = {}

    def match(self, environ: dict[str, Any]) -> Matched | None:
        """The request, if this lane serves it (path, query string, body); else None."""
        raise NotImplementedError

    def authenticate(self, token: str, request: Any) -> tuple[Any, Any]:
        """The token's user (None: Flask's to refuse) and the request to ``answer``. The
        token copy's lookup (``user_for_token``); a lane whose view reads the token with
        its first statement (the start lane) overrides this, and returns the request
        with what it read."""
        return _token_user(token), request

    def answer(self, environ: dict[str, Any], user: Any, request: Any) -> Reply | Response:
        """The route's rate limit (``count_account_request``: the hook's rules, keys and
        counters) and the view's work for ``user``, in an app context: a ``Reply``, or a
        werkzeug ``Response`` for a rare answer the lane does not build itself (a 304);
        raises what the hooks and the view raise."""
        raise NotImplementedError

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != self.method or not self.enabled:
            return self.inner(environ, start_response)
        token = bearer_token(environ)
        if token is None:
            return self.inner(environ, start_response)
        started = time.perf_counter()
        request = self.match(environ)
        if request is None:
            return self.inner(environ, start_response)
        return self._serve(environ, start_response, token, request, started)

    def _serve(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        token: str,
        request: Matched,
        started: float,
    ) -> Iterable[bytes]:
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        app = self.app
        ctx = app.app_context()
        ctx.push()
        try:
            # A GET lane reads like the GET view: on SQLite its transactions begin deferred
            # and never hold the write lock while waiting for a cache being filled.
            setattr(g, LANE_METHOD, self.method)
            user, request = self.authenticate(token, request)
            if user is not None:
                g.request_started, g.request_id = started, request_id
                try:
                    reply = self.answer(environ, user, request)
                    end_request_work(
                        reply.status_code if isinstance(reply, Response) else reply.status
                    )
                except Exception as exc:  # every refusal and failure: Flask's error handlers
                    return self._error(environ, start_response, exc)
        finally:
            ctx.pop()
        if user is None:  # Flask refuses it as it always did: nothing was counted
            return self.inner(environ, start_response)
        return self._send(environ, start_response, request.endpoint, reply, request_id, started)

    def _send(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        endpoint: str,
        reply: Reply | Response,
        request_id: str,
        started: float,
    ) -> Iterable[bytes]:
        """Send ``reply`` with the headers the after-request hooks add (in their order:
        the security headers, ``X-Request-ID``, then the session's ``Vary: Cookie``),
        and count and log it as the ``ops`` hooks do."""
        security = self.app.extensions["quiz_security_headers"]
        if isinstance(reply, Response):
            present = reply.headers
            for name, value in security:
                if name not in present:
                    present[name] = value
            present["X-Request-ID"] = request_id
            reply.vary.add("Cookie")
            status = reply.status_code
            body: Iterable[bytes] = reply(environ, start_response)
        else:
            status = reply.status
            headers = [
                *reply.headers,
                ("Content-Type", JSON),
                ("Content-Length", str(len(reply.body))),
                *security,
                ("X-Request-ID", request_id),
                ("Vary", "Cookie"),
            ]
            start_response(_status_line(status), headers)
            body = [reply.body]
        seconds = time.perf_counter() - started
        timer, counter = self._counted(endpoint, status)
        timer.observe(seconds)
        counter.inc()
        if self.access_log:
            write_access_line(
                self.app,
                self.method,
                environ.get("PATH_INFO", ""),
                endpoint,
                status,
                seconds,
                environ.get("REMOTE_ADDR"),
                request_id,
            )
        return body

    def _counted(self, endpoint: str, status: int) -> tuple[Any, Any]:
        """The request metrics' children for this endpoint and status (made once)."""
        found = self._metrics.get((endpoint, status))
        if found is None:
            found = (
                metrics.REQUEST_SECONDS.labels(endpoint, self.method),
                metrics.REQUESTS.labels(endpoint, self.method, str(status)),
            )
            self._metrics[(endpoint, status)] = found
        return found

    def _error(
        self, environ: dict[str, Any], start_response: StartResponse, exc: Exception
    ) -> Iterable[bytes]:
        """Answer ``exc`` as Flask would have: its error handlers and after-request hooks,
        in a request context of this request (the lane's app context is reused)."""
        app = self.app
        with app.request_context(environ):
            try:
                response = app.finalize_request(app.handle_user_exception(exc))
            except Exception as unexpected:  # as Flask's wsgi_app: a 500 from its handler
                response = app.handle_exception(unexpected)
            return response(environ, start_response)


class JsonLane(Lane):
    """A lane whose request carries a small JSON body (the answer, start, practice and
    live lanes)."""

    largest_body: ClassVar[int] = 64 * 1024  # a few bytes are expected; bigger is Flask's

    def __init__(self, app: Flask, inner: WsgiApp) -> None:
        super().__init__(app, inner)
        configured = int(app.config.get("MAX_CONTENT_LENGTH") or self.largest_body)
        self.max_length = min(configured, self.largest_body)

    def read_json(self, environ: dict[str, Any]) -> Any:
        """The body as ``request.get_json(silent=True)`` gives it (None: not JSON), read
        here and put back for Flask in case the request is passed on; ``NOT_MINE`` for a
        body Flask must judge: not ``application/json``, no or a too large
        ``Content-Length``, or a ``Transfer-Encoding`` (werkzeug's rules then apply)."""
        length = environ.get("CONTENT_LENGTH") or ""
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if (
            mimetype != JSON
            or not length.isdigit()
            or int(length) > self.max_length
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return NOT_MINE
        raw = environ["wsgi.input"].read(int(length)) if int(length) else b""
        environ["wsgi.input"] = io.BytesIO(raw)  # Flask reads it again if it takes over
        try:
            return self.app.json.loads(raw)
        except ValueError:  # as ``get_json(silent=True)``: the view refuses it (400)
            return None

    def read_ids_and_object(
        self, environ: dict[str, Any], path: re.Pattern[str]
    ) -> tuple[tuple[int, ...], dict[str, Any]] | None:
        """The ids in a canonical ``path`` (each a group of digits, at most ``MAX_ID``)
        and the body, if it is a JSON object and there is no query string; else None
        (Flask's: it refuses a body that is not an object with its 400, as always)."""
        if environ.get("QUERY_STRING"):
            return None
        found = path.fullmatch(environ.get("PATH_INFO", ""))
        if found is None:
            return None
        ids = tuple(int(group) for group in found.groups())
        if any(number > MAX_ID for number in ids):
            return None
        data = self.read_json(environ)
        if data is NOT_MINE or not isinstance(data, dict):
            return None
        return ids, data


def _status_line(code: int) -> str:
    """The status line werkzeug's response object sends for ``code`` ("201 CREATED")."""
    found = _STATUS_LINES.get(code)
    if found is None:
        found = _STATUS_LINES[code] = f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"
    return found


_STATUS_LINES: dict[int, str] = {}


def _token_user(token: str) -> Any:
    """The token's user, or None; a lookup that fails (the database down) is None too:
    Flask then looks again and answers the failure with its handlers, as it always did."""
    try:
        # A TokenUser stands in for the User, as ``current_user`` does in the views.
        return user_for_token(token, now())
    except Exception:
        return None
