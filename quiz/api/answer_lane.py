"""The answer lane: ``PUT /api/v1/attempts/<id>/answers/<no>`` with a bearer token,
served in front of Flask's request machinery.

Saving an answer is the hottest request of a contest, and on the benchmark machine its
app-server CPU was twice the bare INSERT+ZADD endpoint's (docs/performance.md, "Fourth
round"). The profile showed most of the difference in per-request machinery this one
request does not need: the request context and URL routing, a dozen request hooks
(session age, password-change and two-factor checks, CSRF, the rate limiter finding its
rule and its user through context proxies, NUL checks of form fields), Flask-Login's
request loader, the response object and its after-request hooks. A bearer request with
a JSON body needs none of them: no cookie session, no CSRF, no form.

So a WSGI middleware answers exactly that request itself, doing what the hooks would
do for it and nothing else, in the same order:

1. only ``PUT``, the canonical path, no query string, no ``Cookie`` header, a bearer
   token, a JSON body of known length within ``MAX_CONTENT_LENGTH``, and no
   ``TRUSTED_HOSTS`` or ``SERVER_NAME`` to check; anything else goes to Flask untouched;
2. the token's user (``accounts.user_for_token``: the per-process copy, revocations seen
   within a second) and the body as a JSON object; if either is missing the request
   goes to Flask, which refuses it exactly as before (nothing was counted or written);
3. the rate limit (``ratelimits.account_request``: the same rule, key and
   counter as the hook);
4. ``play.save_answer`` (unchanged: deadline guard, row lock, upsert, recount, COMMIT,
   then the board publish), and the same JSON body, headers (security headers,
   ``X-Request-ID``, ``Vary: Cookie``), metrics and access line as Flask's answer.

From step 3 on, a refusal or a failure is answered by Flask's own error handlers in a
request context built from the same request (localized JSON error, ``Retry-After``,
rollback, after-request hooks): the lane never answers an error itself. The view
``api.put_answer`` still serves the requests the lane passes on (cookie sessions, the
page's fetches).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g

from quiz.accounts.ratelimits import account_request
from quiz.accounts.services import user_for_token
from quiz.api.routes import answer_given, answer_json
from quiz.clock import now
from quiz.edge.params import MAX_ID
from quiz.ops import metrics
from quiz.ops.logs import request_id_from, write_access_line
from quiz.play import services as play

ENDPOINT = "api.put_answer"
# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/attempts/([1-9][0-9]{0,18})/answers/([1-9][0-9]{0,18})")
_LARGEST_BODY = 64 * 1024  # an answer is a few bytes; anything bigger is Flask's

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class AnswerLane:
    """WSGI middleware in front of ``app.wsgi_app`` (see the module docstring)."""

    def __init__(self, app: Flask, inner: WsgiApp) -> None:
        self.app = app
        self.inner = inner
        config = app.config
        self.enabled = not config.get("TRUSTED_HOSTS") and not config.get("SERVER_NAME")
        self.max_length = min(int(config.get("MAX_CONTENT_LENGTH") or _LARGEST_BODY), _LARGEST_BODY)
        self.access_log = bool(config.get("QUIZ_ACCESS_LOG"))
        self.seconds = metrics.REQUEST_SECONDS.labels(ENDPOINT, "PUT")
        self.answered = metrics.REQUESTS.labels(ENDPOINT, "PUT", "200")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "PUT"
            or not self.enabled
            or environ.get("QUERY_STRING")
            or "HTTP_COOKIE" in environ
        ):
            return self.inner(environ, start_response)
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if found is None or scheme.lower() != "bearer" or not token:
            return self.inner(environ, start_response)
        attempt_id, no = int(found[1]), int(found[2])
        length = environ.get("CONTENT_LENGTH") or ""
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if (
            attempt_id > MAX_ID
            or no > MAX_ID
            or mimetype != "application/json"
            or not length.isdigit()
            or int(length) > self.max_length
        ):
            return self.inner(environ, start_response)
        return self._serve(environ, start_response, attempt_id, no, token, int(length))

    def _serve(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        attempt_id: int,
        no: int,
        token: str,
        length: int,
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)  # Flask reads it again if it takes over
        app = self.app
        try:
            data = app.json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):  # Flask refuses it (400) as it always did
            return self.inner(environ, start_response)
        ctx = app.app_context()
        ctx.push()
        try:
            # A TokenUser stands in for the User, as ``current_user`` does in the view.
            user: Any = user_for_token(token, now())
            if user is not None:
                g.request_started, g.request_id = started, request_id
                try:
                    pending = account_request(app, ENDPOINT, "PUT", user.id)
                    saved = play.save_answer(
                        attempt_id, user, no, answer_given(data), now(), pending
                    )
                except Exception as exc:  # every refusal and failure: Flask's error handlers
                    return self._error(environ, start_response, exc)
                body = self._json(answer_json(saved))
        finally:
            ctx.pop()
        if user is None:  # Flask refuses it (401) as it always did: nothing was counted
            return self.inner(environ, start_response)
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *app.extensions["quiz_security_headers"],
            ("X-Request-ID", request_id),
            ("Vary", "Cookie"),
        ]
        start_response("200 OK", headers)
        seconds = time.perf_counter() - started
        self.seconds.observe(seconds)
        self.answered.inc()
        if self.access_log:
            write_access_line(
                app,
                "PUT",
                environ.get("PATH_INFO", ""),
                ENDPOINT,
                200,
                seconds,
                environ.get("REMOTE_ADDR"),
                request_id,
            )
        return [body]

    def _json(self, payload: dict[str, Any]) -> bytes:
        """The body ``jsonify`` would send (compact unless debugging, newline-ended)."""
        provider = self.app.json
        compact = getattr(provider, "compact", None)
        if (compact is None and self.app.debug) or compact is False:
            text = provider.dumps(payload, indent=2)
        else:
            text = provider.dumps(payload, separators=(",", ":"))
        return f"{text}\n".encode()

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


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, so the lane sees the client address Flask sees)."""
    app.wsgi_app = AnswerLane(app, app.wsgi_app)  # type: ignore[method-assign]
