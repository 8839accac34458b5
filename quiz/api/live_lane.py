"""The live lane: ``PUT /api/v1/live-games/<id>/answers/<no>`` with a bearer token,
served in front of Flask's request machinery.

When a host opens a question in a hall, every phone taps within a few seconds: the
live answer is the burst of a live game, and on the benchmark machine it cost more
than twice a contest answer (docs/performance.md, section 16), a good part of it in
Flask's per-request machinery. A signed-in player's answer from the app (a bearer
token, a JSON body) needs none of it, so a lane (``quiz/api/lane.py``) serves it, doing
what the hooks and the view would do for it, in the same order:

1. only ``PUT``, the canonical path, no query string, no ``Cookie`` header (a browser
   guest is known by its cookie), no ``X-Live-Token`` header (an app's guest), a bearer
   token, a JSON object as the body of known length within ``MAX_CONTENT_LENGTH`` and
   no ``Transfer-Encoding`` (``JsonLane.read_json``), and no ``TRUSTED_HOSTS`` or
   ``SERVER_NAME`` to check; anything else goes to Flask untouched;
2. the token's user (``accounts.user_for_token``, as the request loader); no user: the
   request goes to Flask, which refuses it (401) as before;
3. the view's work through the same functions: the viewer (``services.viewer_of``:
   the player by account, else a host, else 404), ``answering_player`` (a host is
   refused), the ``live-answers`` rate limit by the player's account
   (``count_player_answer``: the view counts it, not the hook, as a guest's account is
   known only from its player), ``live_answered`` (the choice, ``services.answer``); the
   guest CSRF check has nothing to check (an account's player is never a guest); then
   the unit of work's end and the view's body, headers, metrics and access line.

The request hooks for such a request are the practice lane's (quiz/api/practice_lane.py
lists them); every refusal is Flask's error answer (``Lane._error``). The view
``api.live_game_answer`` still serves what the lane passes on: guests, cookie sessions,
the unusual requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask

from quiz.api.lane import JsonLane, Matched, Reply, json_body
from quiz.api.live import ANSWER_ENDPOINT, answering_player, count_player_answer, live_answered
from quiz.live.services import viewer_of

# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/live-games/([1-9][0-9]{0,18})/answers/([1-9][0-9]{0,18})")


@dataclass(frozen=True)
class LiveAnswerRequest(Matched):
    game_id: int
    no: int
    data: dict[str, Any]


class LiveLane(JsonLane):
    """The lane of ``PUT /api/v1/live-games/<id>/answers/<no>`` (see the module
    docstring)."""

    method = "PUT"

    def match(self, environ: dict[str, Any]) -> LiveAnswerRequest | None:
        if "HTTP_X_LIVE_TOKEN" in environ:  # a guest's: the view decides who answers
            return None
        found = self.read_ids_and_object(environ, _PATH)
        if found is None:
            return None
        (game_id, no), data = found
        return LiveAnswerRequest(ANSWER_ENDPOINT, game_id, no, data)

    def answer(self, environ: dict[str, Any], user: Any, request: LiveAnswerRequest) -> Reply:
        game_id = request.game_id
        player = answering_player(viewer_of(game_id, user, None))
        count_player_answer(player)
        accepted = live_answered(game_id, player, request.no, request.data)
        return Reply(json_body(self.app, accepted))


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, as the other lanes)."""
    app.wsgi_app = LiveLane(app, app.wsgi_app)  # type: ignore[method-assign]
