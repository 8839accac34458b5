"""API v1 endpoints: thin wrappers over the same services the pages use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.http import generate_etag, parse_etags, quote_etag

from quiz.accounts import services as accounts
from quiz.accounts.access import login_required, login_required_reading, public
from quiz.accounts.comfort import STANDARD, TEXT_SIZES, stored_text_size, valid_text_size
from quiz.accounts.models import User
from quiz.api.lane import json_body
from quiz.api.openapi import openapi_document
from quiz.api.serializers import (
    board_body,
    contest_json,
    iso,
    league_json,
    region_json,
    token_json,
    user_json,
)
from quiz.clock import now
from quiz.contests import services as contests
from quiz.edge.params import MAX_ID, json_int, whole_number
from quiz.errors import NotFound, QuizError, ValidationFailed
from quiz.extensions import csrf, db
from quiz.i18n import current_language
from quiz.leaderboards.live import frozen_for_viewer, shared_league_names, viewer_board_for
from quiz.leaderboards.services import read_board
from quiz.play import fairplay
from quiz.play import services as play
from quiz.play.state import attempt_state, fresh_attempt_json
from quiz.regions.services import all_regions
from quiz.sql import reads_without_transaction
from quiz.unit_of_work import commit_keeping_loaded

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_LIMIT = 100
JSON = "application/json"


class BadJson(QuizError):
    code = "invalid_json"


@bp.before_request
def _csrf_for_cookie_sessions() -> None:
    """Bearer clients need no CSRF token; a browser using its cookie session does.

    Only a request that the session cookie authenticates can be forged across sites;
    the anonymous endpoints (register, token) set no cookie, so they need no token.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_app.config.get(
        "WTF_CSRF_ENABLED", True
    ):
        return
    bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    if not bearer and "_user_id" in session:
        csrf.protect()


def body() -> dict[str, Any]:
    return json_object(request.get_json(silent=True))


def json_object(data: Any) -> dict[str, Any]:
    """A request's JSON body as parsed (None: no JSON body, or not valid JSON), if it is
    the object every API body must be; else the 400 ``body()`` answers."""
    if not isinstance(data, dict):
        raise BadJson(_l("Send a JSON object with Content-Type application/json."))
    return data


def _str(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed({name: [_l("Must be text.")]})
    return value


def _limit(raw: str) -> int:
    limit = whole_number(raw, low=1, high=MAX_LIMIT)
    if limit is None:
        raise ValidationFailed({"limit": [_l("Must be between 1 and %(n)d.", n=MAX_LIMIT)]})
    return limit


def _league_arg(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    league_id = whole_number(raw, high=MAX_ID)
    if league_id is None:
        raise ValidationFailed({"league": [_l("Must be a whole number.")]})
    return league_id


@bp.get("/openapi.json")
@public
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.get("/regions")
@public
def regions() -> Any:
    response = jsonify({"regions": [region_json(r) for r in all_regions()]})
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.post("/auth/register")
@public
def register() -> Any:
    data = body()
    if data.get("school_id") is not None:  # clients of before issue 13: say why, not ignore
        raise ValidationFailed({"school_id": [accounts.SCHOOL_FROM_ROSTER]})
    user = accounts.register_user(
        username=_str(data, "username"),
        password=_str(data, "password"),
        display_name=_str(data, "display_name"),
        region_code=_str(data, "region_code"),
        language=_str(data, "language"),
        now=now(),
    )
    return jsonify(user_json(user)), 201


@bp.post("/auth/token")
@public
def token() -> Any:
    data = body()
    user = accounts.authenticate(
        _str(data, "username"), _str(data, "password"), otp=_str(data, "otp"), now=now()
    )
    if user is None:
        raise QuizError(_l("Wrong username or password."), code="invalid_credentials") from None
    value, expires_at = accounts.issue_token(
        user, now(), current_app.config["QUIZ_TOKEN_DAYS"], request.user_agent.string
    )
    return jsonify({"token": value, "expires_at": iso(expires_at)})


def _bearer_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@bp.delete("/auth/token")
@login_required
def revoke_current_token() -> Any:
    """Log this app out: the token of this request stops working on every server."""
    value = _bearer_token()
    if value is None:
        raise QuizError(
            _l("Send the token to revoke as Authorization: Bearer."), code="no_bearer_token"
        )
    accounts.revoke_token(current_user, token=value)
    return "", 204


@bp.get("/auth/tokens")
@login_required
def list_tokens() -> Any:
    """The caller's tokens that still work (one per app or device that logged in)."""
    current = _bearer_token()
    current_hash = accounts.hash_key(current) if current else None
    return jsonify(
        {
            "tokens": [
                token_json(token, current=token.token_hash == current_hash)
                for token in accounts.active_tokens(current_user, now())
            ]
        }
    )


@bp.delete("/auth/tokens/<int:token_id>")
@login_required
def revoke_token(token_id: int) -> Any:
    """Revoke one of the caller's tokens (another app or device)."""
    if not accounts.revoke_token(current_user, token_id=token_id):
        raise NotFound(_l("This token does not exist."), code="token_not_found")
    return "", 204


@bp.get("/me")
@login_required
def me() -> Any:
    return jsonify(user_json(current_user))


def _preferences(user: Any) -> dict[str, Any]:
    return {"text_size": valid_text_size(user.text_size) or STANDARD}


@bp.get("/me/preferences")
@login_required
def get_preferences() -> Any:
    """Reading comfort settings; the pages read the same column (quiz/accounts/comfort.py)."""
    return jsonify(_preferences(db.session.get(User, current_user.id)))


@bp.put("/me/preferences")
@login_required
def put_preferences() -> Any:
    data = body()
    user = db.session.get(User, current_user.id)
    assert user is not None  # signed in
    if "text_size" in data:
        size = valid_text_size(data["text_size"])
        if size is None:
            raise ValidationFailed(
                {"text_size": [_l("Must be one of: %(sizes)s.", sizes=", ".join(TEXT_SIZES))]}
            )
        user.text_size = stored_text_size(size)
    return jsonify(_preferences(user))


@bp.get("/contests")
@public
def contest_list() -> Any:
    user = current_user if current_user.is_authenticated else None
    moment = now()
    result = []
    for contest in contests.visible_contests(user):
        enrollment = contests.enrollment_of(user.id, contest.id) if user else None
        result.append(contest_json(contest, enrollment, moment))
    return jsonify({"contests": result})


@bp.post("/contests/<int:contest_id>/enrollment")
@login_required
def enrollment(contest_id: int) -> Any:
    contest = contests.get_visible_contest(contest_id, current_user)
    data = body() if request.data else {}
    enrolled, created = contests.enroll(
        current_user,
        contest,
        now(),
        league_id=json_int(data, "league_id", low=1, high=MAX_ID),
        join_code=_str(data, "join_code"),
    )
    return jsonify({"contest_id": contest.id, "league": league_json(enrolled.league)}), (
        201 if created else 200
    )


@bp.post("/rounds/<int:round_id>/attempts")
@login_required_reading(play.start_read)
def start_attempt(round_id: int, first_row: Any) -> Any:
    # Bearer requests with a JSON body are served by quiz/api/start_lane.py before they
    # reach Flask; this view answers the others (cookie sessions, unusual requests).
    started = start(round_id, current_user, first_row, lambda: request.get_json(silent=True))
    return current_app.response_class(started.body, status=started.status, mimetype=JSON)


@dataclass(frozen=True)
class StartAnswer:
    """An attempt start's success: 201 (a new attempt) or 200 (the one the caller has),
    and the JSON body."""

    status: int
    body: bytes


def start(round_id: int, user: Any, first_row: Any, data: Callable[[], Any]) -> StartAnswer:
    """``POST /rounds/<id>/attempts`` for ``user`` (the view and the start lane,
    quiz/api/start_lane.py): ``first_row`` is the row of ``play.start_read`` for this
    caller (the round and the caller's enrollment in one statement, sent with a new
    bearer token's lookup in one round trip: ``access.login_required_reading``), ``data()``
    the parsed JSON body (None if there was none), asked for only once the round is
    found, as the view always read it. Refusals raise, in the view's order: the round
    (404), the body (400), the language (422), then ``begin_attempt``'s."""
    reads = play.StartReads.of(first_row)
    if reads is None or not reads.published:  # its organizers may start it unpublished
        contests.get_visible_round(round_id, user)  # else "not found"
    assert reads is not None  # the round exists: get_visible_round found it
    language = _str(json_object(data()), "language")
    if language is None:
        raise ValidationFailed({"language": [_l("Choose Chinese or Mongolian.")]})
    started = play.begin_attempt(user, reads, language, now())
    moment = now()
    if started.items is not None:
        # A new attempt (its deadline lies ahead: nothing to close): its questions from
        # this process's payloads (docs/performance.md), no read after the commit (but
        # once per process and bank revision, the payloads').
        commit_keeping_loaded()  # this request's unit of work
        fresh = fresh_attempt_json(
            started.attempt, reads.round.bank_id, started.revision, started.items, moment
        )
        if fresh is not None:
            return StartAnswer(201, fresh.encode())
    attempt = started.loaded()
    play.finalize_if_overdue(attempt, moment)
    commit_keeping_loaded()  # this request's unit of work, before the reads below
    reads_without_transaction()  # the questions' texts below: no BEGIN/ROLLBACK
    state = attempt_state(attempt, language, moment).to_json()
    return StartAnswer(201 if started.created else 200, json_body(current_app, state))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def get_attempt(attempt_id: int) -> Any:
    attempt = play.get_own_attempt(attempt_id, current_user)
    moment = now()
    play.finalize_if_overdue(attempt, moment)
    language = request.args.get("language") or attempt.language
    return jsonify(attempt_state(attempt, language, moment).to_json())


@bp.put("/attempts/<int:attempt_id>/answers/<int:no>")
@login_required
def put_answer(attempt_id: int, no: int) -> Any:
    # Bearer requests with a JSON body are served by quiz/api/answer_lane.py before they
    # reach Flask; this view answers the others (cookie sessions, unusual requests).
    saved = play.save_answer(attempt_id, current_user, no, answer_given(body()), now())
    return jsonify(answer_json(saved))


def answer_given(data: dict[str, Any]) -> object:
    """The given answer of a save: a choice question takes "choice" (option keys), a
    fill-in question "text"."""
    if "choice" not in data and "text" not in data:
        raise ValidationFailed({"choice": [_l("This field is required.")]})
    return data["choice"] if "choice" in data else data["text"]


def answer_json(saved: play.SavedAnswer) -> dict[str, Any]:
    return {"no": saved.no, "choice": saved.choice, "answered_count": saved.answered_count}


@bp.post("/attempts/<int:attempt_id>/finish")
@login_required
def finish(attempt_id: int) -> Any:
    attempt = play.get_own_attempt(attempt_id, current_user)
    moment = now()
    attempt = play.finish_attempt(attempt, moment)
    db.session.commit()  # the finish is durable and on the boards before the rank below
    contest = contests.get_visible_contest(attempt.contest_id, current_user)
    board = read_board(
        contest,
        attempt.round_id,
        None,
        1,
        current_user.id,
        attempt.league_id,
        moment,
        frozen=frozen_for_viewer(contest, attempt.round_id, current_user),
    )
    return jsonify(
        {
            "score": attempt.points,
            "max_score": attempt.max_points,
            "time_used_ms": attempt.time_used_ms,
            "finish_reason": attempt.finish_reason,
            "rank": board.me["rank"] if board.me else None,
            "league_rank": board.me["league_rank"] if board.me else None,
        }
    )


@bp.post("/attempts/<int:attempt_id>/focus-losses")
@login_required
def focus_loss(attempt_id: int) -> Any:
    return jsonify(fairplay.record_focus_loss(attempt_id, current_user, now()).to_json())


@dataclass(frozen=True)
class BoardAnswer:
    """A board read's answer: the JSON body, its ETag and the view's own headers."""

    body: bytes
    etag: str

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [("Cache-Control", "private, no-cache"), ("ETag", quote_etag(self.etag))]

    def conditional(self, environ: dict[str, Any]) -> bool:
        """Did the client send this body's ETag (``If-None-Match``)?"""
        return parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(self.etag)

    def response(self, environ: dict[str, Any]) -> Any:
        """The response object, made conditional (304, or 412 with ``If-Match``) by
        werkzeug's rules when the client sent this ETag."""
        response = current_app.response_class(self.body, headers=self.headers, mimetype=JSON)
        if self.conditional(environ):
            return response.make_conditional(environ)
        return response


def round_board(
    round_id: int, viewer: Any, league: str | None, limit: str, language: str
) -> BoardAnswer:
    """``GET /rounds/<id>/leaderboard`` for ``viewer`` (the view and the board lane,
    quiz/api/board_lane.py): ``league`` and ``limit`` as the query string has them."""
    round_id, contest = contests.visible_round_ref(round_id, viewer)
    return _board(contest, round_id, viewer, league, limit, language)


def contest_board(
    contest_id: int, viewer: Any, league: str | None, limit: str, language: str
) -> BoardAnswer:
    """``GET /contests/<id>/leaderboard`` for ``viewer``, as ``round_board``."""
    return _board(
        contests.visible_contest_ref(contest_id, viewer), None, viewer, league, limit, language
    )


def _board(
    contest: contests.ContestRef,
    round_id: int | None,
    viewer: Any,
    league: str | None,
    limit: str,
    language: str,
) -> BoardAnswer:
    """One's rank and the top of a board: read-only, and on a warm process no SQL at all
    (the contest, the viewer's league and the token come from per-process copies; the
    top of the board is shared by all viewers while its version is current; the
    viewer's own rank and the board version are read per request, in one Redis round
    trip: quiz/leaderboards/live.py). During a freeze participants get the frozen
    board, the contest's organizers the live one."""
    league_id = _league_arg(league)
    names = shared_league_names(contest, language)
    if league_id is not None and league_id not in names:
        raise ValidationFailed({"league": [_l("This league is not part of the contest.")]})
    board = viewer_board_for(
        contest,
        round_id,
        league_id,
        _limit(limit),
        viewer,
        contests.viewer_league(viewer.id, contest.id),
        now(),
    )
    # The body is assembled from the board's prepared bytes (once per board version and
    # language) and the viewer's own part: the same bytes jsonify would write.
    body = board_body(board, names, language)
    # The ETag is of the body, as ``add_etag``: an unchanged board is a 304.
    return BoardAnswer(body, generate_etag(body))


def _board_query() -> tuple[Any, str | None, str, str]:
    """The viewer (one proxy lookup, not four), ``league`` and ``limit`` as given, and
    the language of a board read through Flask."""
    args = request.args
    viewer = current_user._get_current_object()
    return viewer, args.get("league"), args.get("limit", "10"), current_language()


@bp.get("/rounds/<int:round_id>/leaderboard")
@login_required
def round_leaderboard(round_id: int) -> Any:
    # Bearer requests without cookies are served by quiz/api/board_lane.py before they
    # reach Flask; this view answers the others (the pages' polls, unusual requests).
    return round_board(round_id, *_board_query()).response(request.environ)


@bp.get("/contests/<int:contest_id>/leaderboard")
@login_required
def contest_leaderboard(contest_id: int) -> Any:
    return contest_board(contest_id, *_board_query()).response(request.environ)
