"""The board lane: ``GET /api/v1/rounds/<id>/leaderboard`` and
``GET /api/v1/contests/<id>/leaderboard`` with a bearer token, served in front of
Flask's request machinery.

Reading one's rank with the top of a board is what every phone polls during a contest.
The read itself sends no SQL and one Redis round trip on a warm process (docs/
performance.md, section 8); what remained was Flask's per-request machinery, which a
bearer request without cookies does not need: a lane (``quiz/api/lane.py``) serves it,
doing what the hooks would do for it, in the same order:

1. only ``GET``, the canonical path, no ``Cookie`` header, a bearer token, no body, and
   a query string of at most one ``limit`` and one ``league``, each digits or empty (the
   values are judged by the view's own checks); anything else (another parameter, a
   repeated one, an escape, ``HEAD``) goes to Flask untouched;
2. the token's user; no user: the request goes to Flask, which refuses it (401);
3. the rate limit of the endpoint (``count_account_request``: none today, so nothing is
   counted, as the hook counts nothing), then exactly the view's work, through the same
   function (``routes.round_board`` / ``routes.contest_board``): visibility of the round
   or contest, the league and limit checks, the board the viewer may see
   (``viewer_board_for``: frozen boards, organizers), the body and its ETag;
4. the same body and headers as the view: ``Cache-Control``, ``ETag``, the JSON type and
   length, the security headers, ``X-Request-ID``, ``Vary: Cookie``; a matching
   ``If-None-Match`` gets werkzeug's conditional answer (304, or 412 with ``If-Match``),
   from the same response object the view makes.

The language is the view's: ``i18n.bearer_language`` (the header's zh*/mn* tag, else the
account's). Refusals (an unknown round, a bad ``limit`` or league) are Flask's error
answers (``Lane._error``). The views still serve cookie sessions (the pages' polls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.wrappers import Response

from quiz.accounts.ratelimits import count_account_request
from quiz.api.lane import Lane, Matched, Reply
from quiz.api.routes import contest_board, round_board
from quiz.edge.params import MAX_ID
from quiz.i18n import LOCALES, bearer_language

ENDPOINTS = {"rounds": "api.round_leaderboard", "contests": "api.contest_leaderboard"}
# Canonical numbers only (no leading zero, ASCII digits): others are Flask's to judge.
_PATH = re.compile(r"/api/v1/(rounds|contests)/([1-9][0-9]{0,18})/leaderboard")
# One query parameter as the view reads it: a name it knows, digits or nothing, no
# escapes (so the raw text is what ``request.args`` would give).
_PARAMETER = re.compile(r"(limit|league)=([0-9]{0,20})")


@dataclass(frozen=True)
class BoardRequest(Matched):
    contest_board: bool  # /contests/<id>/leaderboard, else a round's
    id: int
    league: str | None
    limit: str


class BoardLane(Lane):
    """The lane of the board reads (see the module docstring)."""

    method = "GET"

    def match(self, environ: dict[str, Any]) -> BoardRequest | None:
        if environ.get("CONTENT_LENGTH") not in (None, "", "0") or (
            "HTTP_TRANSFER_ENCODING" in environ
        ):
            return None
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if found is None or int(found[2]) > MAX_ID:
            return None
        given: dict[str, str] = {}
        query = environ.get("QUERY_STRING")
        if query:
            for part in query.split("&"):
                parameter = _PARAMETER.fullmatch(part)
                if parameter is None or parameter[1] in given:
                    return None
                given[parameter[1]] = parameter[2]
        return BoardRequest(
            ENDPOINTS[found[1]],
            found[1] == "contests",
            int(found[2]),
            given.get("league"),
            given.get("limit", "10"),
        )

    def answer(self, environ: dict[str, Any], user: Any, request: BoardRequest) -> Reply | Response:
        count_account_request(self.app, request.endpoint, "GET", user.id)
        language = bearer_language(
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            lambda: user.language if user.language in LOCALES else None,
        )
        read = contest_board if request.contest_board else round_board
        board = read(request.id, user, request.league, request.limit, language)
        if board.conditional(environ):
            return board.response(environ)
        return Reply(board.body, board.headers)


def install(app: Flask) -> None:
    """Put the lane in front of the app's WSGI callable (``quiz.app`` calls this before
    the proxy fix wraps it, as the answer lane)."""
    app.wsgi_app = BoardLane(app, app.wsgi_app)  # type: ignore[method-assign]
