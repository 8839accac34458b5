"""API v1 for live games (host-paced rounds in a hall): thin wrappers over
``quiz.live.services``, on the API blueprint (same CSRF rule, same errors)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from quiz.accounts.access import login_required, public
from quiz.accounts.ratelimits import count_account_request
from quiz.api.routes import _str, body, bp
from quiz.clock import now
from quiz.contests.services import get_visible_round
from quiz.edge.client import current_actor
from quiz.edge.params import MAX_ID, json_int
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.i18n import current_language
from quiz.live import services, web
from quiz.live.models import Teams
from quiz.unit_of_work import after_commit

MAX_SECONDS = services.SECONDS_MAX


SMALL_MAX = 10_000  # seconds, a podium, a team number, a sequence number


def _bool(data: dict, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ValidationFailed({name: [_l("Must be true or false.")]})
    return value


def _teams(data: dict) -> str:
    """``teams``: "none", "league", "school" or "custom"; ``true`` means by league."""
    value = data.get("teams", Teams.NONE)
    if value is True:
        return Teams.LEAGUE
    if value is False or value is None:
        return Teams.NONE
    if not isinstance(value, str) or value not in set(Teams):
        raise ValidationFailed(
            {"teams": [_l("Choose teams by league, by school, custom teams or none.")]}
        )
    return value


def _id_list(data: dict, name: str) -> tuple[int, ...] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in value
    ):
        raise ValidationFailed({name: [_l("Send a list of question ids.")]})
    return tuple(value)


def _names(data: dict, name: str) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed({name: [_l("Send a list of names.")]})
    return tuple(value)


def _host_state(game_id: int) -> Any:
    """The host's view after an action (the same JSON as ``state``)."""
    found = services.Viewer(host=True, player=None)
    snap = services.current_snapshot(game_id)
    return services.state_for(found, snap, now(), current_language())


@bp.post("/live-games")
@login_required
def create_live_game() -> Any:
    data = body()
    round_id = json_int(data, "round_id", low=1, high=MAX_ID)
    if round_id is None:
        raise ValidationFailed({"round_id": [_l("This field is required.")]})
    round_ = get_visible_round(round_id, current_user)
    settings = services.GameSettings(
        speed_points=_bool(data, "speed_points", True),
        streaks=_bool(data, "streaks", False),
        teams=_teams(data),
        team_names=_names(data, "team_names"),
        podium=json_int(data, "podium", high=SMALL_MAX) or 3,
        allow_guests=_bool(data, "allow_guests", False),
        seconds=json_int(data, "seconds", high=SMALL_MAX),
        question_ids=_id_list(data, "question_ids"),
    )
    game = services.create_game(round_, current_actor(), settings, now())
    after_commit(db.session(), lambda: services.publish(services.Change(game), now()))
    return jsonify(
        {
            "id": game.id,
            "pin": game.pin,
            "phase": game.phase,
            "seq": game.seq,
            "question_count": len(game.items),
        }
    ), 201


def _action(game_id: int, act: Any, **kwargs: Any) -> Any:
    services.hosted_game(game_id, current_user)
    change = act(game_id, current_actor(), now(), **kwargs)
    db.session.commit()  # durable, then published: the host's state below reads what it published
    services.publish(change, now())
    return jsonify(_host_state(game_id))


@bp.post("/live-games/<int:game_id>/advance")
@login_required
def advance_live_game(game_id: int) -> Any:
    data = body() if request.data else {}
    seconds = json_int(data, "seconds", high=SMALL_MAX)
    seq = json_int(data, "seq", high=SMALL_MAX) if "seq" in data else None
    return _action(game_id, services.advance, seconds=seconds, seq=seq)


@bp.post("/live-games/<int:game_id>/pause")
@login_required
def pause_live_game(game_id: int) -> Any:
    return _action(game_id, services.pause)


@bp.post("/live-games/<int:game_id>/resume")
@login_required
def resume_live_game(game_id: int) -> Any:
    return _action(game_id, services.resume)


@bp.post("/live-games/<int:game_id>/skip")
@login_required
def skip_live_question(game_id: int) -> Any:
    return _action(game_id, services.skip)


@bp.post("/live-games/<int:game_id>/end")
@login_required
def end_live_game(game_id: int) -> Any:
    return _action(game_id, services.end)


@bp.post("/live-games/join")
@public
def join_live_game() -> Any:
    data = body()
    language = _str(data, "language")
    joined = services.join_game(
        _str(data, "pin"),
        web.signed_in(),
        now(),
        language=language,
        display_name=_str(data, "display_name"),
        team=json_int(data, "team", high=SMALL_MAX),
        league_id=json_int(data, "league_id", low=1, high=MAX_ID),
    )
    after_commit(db.session(), lambda: services.after_join(joined, now()))
    answer: dict[str, Any] = {
        "game_id": joined.game.id,
        "player_id": joined.player.id,
        "phase": joined.game.phase,
        "language": joined.player.language,
    }
    if joined.token:
        answer["token"] = joined.token
    return jsonify(answer)


@bp.get("/live-games/<int:game_id>/state")
@web.live_access
def live_game_state(game_id: int) -> Any:
    found = web.viewer(game_id)
    snap = web.wait_for_state(game_id, found, web.after_arg())
    language = found.language or current_language()
    body = services.state_for(found, snap, now(), language)
    if found.host:
        body["recent_players"] = services.players_of(game_id, 40)
    response = jsonify(body)
    response.cache_control.no_store = True
    return response


ANSWER_ENDPOINT = "api.live_game_answer"


def answering_player(found: services.Viewer) -> services.PlayerRef:
    """The viewer's player: only players answer (the host is refused)."""
    if found.player is None:
        raise ValidationFailed({"player": [_l("Only players answer.")]})
    return found.player


def live_answered(game_id: int, player: services.PlayerRef, no: int, data: dict) -> dict:
    """The view's work once the player and the body are known: the one way a live answer
    is taken (the view, and the live lane, quiz/api/live_lane.py)."""
    if "choice" not in data:
        raise ValidationFailed({"choice": [_l("This field is required.")]})
    services.answer(game_id, player, no, data["choice"], now())
    return {"accepted": True}


@bp.put("/live-games/<int:game_id>/answers/<int:no>")
@web.live_access
def live_game_answer(game_id: int, no: int) -> Any:
    found = web.viewer(game_id)
    player = answering_player(found)
    web.check_guest_csrf(found)
    count_player_answer(player)
    return jsonify(live_answered(game_id, player, no, body()))


def count_player_answer(player: services.PlayerRef) -> None:
    """The ``live-answers`` limit, counted by the player's account (quiz/accounts/
    ratelimits.py): a guest's is its hidden account, so a hall's guests, who share one
    address, are counted apart (the view, and the live lane)."""
    count_account_request(current_app, ANSWER_ENDPOINT, "PUT", player.user_id)


@bp.get("/live-games/<int:game_id>/results")
@web.live_access
def live_game_results(game_id: int) -> Any:
    found = web.viewer(game_id)
    game = services.get_game(game_id)
    return jsonify(services.results(game, found.language or current_language()))
