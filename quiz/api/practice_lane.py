"""The practice lane: ``PUT /api/v1/practice/<id>/answers/<no>`` with a bearer token,
served in front of Flask's request machinery.

A practice answer is marked at once, and a phone resends one whose reply it lost; since
the service reads what it marks from in one statement (docs/performance.md, section
15), Flask's request machinery was most of what such a request cost. A bearer answer
with a JSON body needs none of it, so a lane (``quiz/api/lane.py``) serves it, doing
what the hooks and the view's decorator would do for it, in the same order:

1. only ``PUT``, the canonical path, no query string, no ``Cookie`` header, a bearer
   token, a JSON object as the body of known length within ``MAX_CONTENT_LENGTH`` and
   no ``Transfer-Encoding`` (``JsonLane.read_json``), and no ``TRUSTED_HOSTS`` or
   ``SERVER_NAME`` to check; anything else goes to Flask untouched;
2. the token's user (``accounts.user_for_token``, as ``login_required``); no user: the
   request goes to Flask, which refuses it (401) as before;
3. the endpoint's rate limit (``count_account_request``: the ``answers`` rule, keyed by
   account, the hook's key and counter), counted before the work as the hook counts it;
4. the view's work through the same function (``practice.practice_answered``: the
   body's choice, ``practice.services.answer``), the unit of work's end (the commit),
   and the same JSON body and headers as the view (the security headers,
   ``X-Request-ID``, ``Vary: Cookie``), metrics and access line.

The request hooks, one by one, for such a request: the request id and clock (the
lane's own); the oversized-body refusal (such a body goes to Flask); the NUL check of
the query string and form fields (none to check; NUL in the JSON is refused by the
app's JSON parser, as in the view); CSRF (API blueprint exempt, and a bearer request is
never checked); the session's age, forced password change and two-factor setup (cookie
sessions only); the rate limit (step 3); the language (the success's body is in the
practice's own language; refusals are localized by Flask's handlers). SQLite: the lane
marks its method, so the answer's transaction begins with ``BEGIN IMMEDIATE`` as the
view's. Every refusal is Flask's error answer (``Lane._error``). The view
``api.practice_answer`` still serves what the lane passes on (cookie sessions, the
unusual requests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask

from quiz.accounts.ratelimits import count_account_request
from quiz.api.lane import JsonLane, Matched, Reply, json_body
from quiz.api.practice import practice_answered

ENDPOINT = "api.practice_answer"
# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/practice/([1-9][0-9]{0,18})/answers/([1-9][0-9]{0,18})")


@dataclass(frozen=True)
class PracticeAnswerRequest(Matched):
    session_id: int
    no: int
    data: dict[str, Any]


class PracticeLane(JsonLane):
    """The lane of ``PUT /api/v1/practice/<id>/answers/<no>`` (see the module docstring)."""

    method = "PUT"

    def match(self, environ: dict[str, Any]) -> PracticeAnswerRequest | None:
        found = self.read_ids_and_object(environ, _PATH)
        if found is None:
            return None
        (session_id, no), data = found
        return PracticeAnswerRequest(ENDPOINT, session_id, no, data)

    def answer(self, environ: dict[str, Any], user: Any, request: PracticeAnswerRequest) -> Reply:
        count_account_request(self.app, ENDPOINT, "PUT", user.id)
        marked = practice_answered(request.session_id, user.id, request.no, request.data)
        return Reply(json_body(self.app, marked))


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, as the other lanes)."""
    app.wsgi_app = PracticeLane(app, app.wsgi_app)  # type: ignore[method-assign]
