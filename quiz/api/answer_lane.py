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

So a WSGI middleware (a lane: ``quiz/api/lane.py`` holds what every lane does) answers
exactly that request itself, doing what the hooks would do for it and nothing else, in
the same order:

1. only ``PUT``, the canonical path, no query string, no ``Cookie`` header, a bearer
   token, a JSON body of known length within ``MAX_CONTENT_LENGTH`` and no
   ``Transfer-Encoding`` (``JsonLane.read_json``), and no ``TRUSTED_HOSTS`` or
   ``SERVER_NAME`` to check; anything else goes to Flask untouched;
2. the token's user (``accounts.user_for_token``: the per-process copy, revocations seen
   within a second; a token with no copy is looked up in one round trip with the
   attempt's drawn items when those have no copy either, ``hotpath.user_with_drawn``)
   and the body as a JSON object; if either is missing the request goes to Flask, which
   refuses it exactly as before (nothing was counted or written);
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

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask

from quiz.accounts.ratelimits import account_request
from quiz.api.lane import JsonLane, Matched, Reply, json_body
from quiz.api.routes import answer_given, answer_json
from quiz.clock import now
from quiz.play import services as play
from quiz.play.hotpath import user_with_drawn

ENDPOINT = "api.put_answer"
# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/attempts/([1-9][0-9]{0,18})/answers/([1-9][0-9]{0,18})")


@dataclass(frozen=True)
class AnswerRequest(Matched):
    attempt_id: int
    no: int
    data: dict[str, Any]


class AnswerLane(JsonLane):
    """The lane of ``PUT /api/v1/attempts/<id>/answers/<no>`` (see the module docstring)."""

    method = "PUT"

    def match(self, environ: dict[str, Any]) -> AnswerRequest | None:
        """A canonical path, no query string, a JSON object as the body of known length
        (read here; put back for Flask if the request is passed on)."""
        found = self.read_ids_and_object(environ, _PATH)
        if found is None:
            return None
        (attempt_id, no), data = found
        return AnswerRequest(ENDPOINT, attempt_id, no, data)

    def authenticate(self, token: str, request: Any) -> tuple[Any, Any]:
        """The token's user; without a copy of the token or of the attempt's drawn items
        in this process, both are read in one round trip (``hotpath.user_with_drawn``).
        A lookup that fails is None, as ``Lane.authenticate``'s: Flask looks again."""
        try:
            return user_with_drawn(token, request.attempt_id, now()), request
        except Exception:
            return None, request

    def answer(self, environ: dict[str, Any], user: Any, request: AnswerRequest) -> Reply:
        app, attempt_id, no, data = self.app, request.attempt_id, request.no, request.data
        pending = account_request(app, ENDPOINT, "PUT", user.id)
        saved = play.save_answer(attempt_id, user, no, answer_given(data), now(), pending)
        return Reply(json_body(app, answer_json(saved)))


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, so the lane sees the client address Flask sees)."""
    app.wsgi_app = AnswerLane(app, app.wsgi_app)  # type: ignore[method-assign]
