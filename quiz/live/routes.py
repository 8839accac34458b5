"""Live-game pages: the round's live settings and the host console (organizers), the
projector, and the phone pages (PIN, join, play). The pages draw themselves from the
same JSON API (``/api/v1/live-games``) through ``static/js/live.js``; host actions also
work as plain forms."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quiz.accounts.access import public
from quiz.accounts.models import Role
from quiz.clock import now
from quiz.contests.access import contest_organizer_required
from quiz.contests.models import League, Round
from quiz.edge.client import current_actor
from quiz.edge.forms import ButtonForm, csrf_expired
from quiz.edge.params import MAX_ID, form_int, whole_number
from quiz.errors import Forbidden, QuizError, ValidationFailed
from quiz.extensions import db, login_manager
from quiz.i18n import LANGUAGE_NAMES, current_language
from quiz.live import services, web
from quiz.live.forms import GameForm, JoinForm, ModeForm, PinForm
from quiz.live.models import Phase, Teams
from quiz.unit_of_work import after_commit

bp = Blueprint("live", __name__)
F = TypeVar("F", bound=Callable[..., Any])
ACTIONS = {
    "advance": services.advance,
    "pause": services.pause,
    "resume": services.resume,
    "skip": services.skip,
    "end": services.end,
}


def game_host_required(view: F) -> F:
    """Logged in, and an organizer of the game's contest (or an admin); else 403/404."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(Role.ORGANIZER):
            raise Forbidden(_("Only this contest's organizers may do this."), code="not_organizer")
        g.game = services.hosted_game(kwargs["game_id"], current_user)
        return view(*args, **kwargs)

    wrapper.access_rule = ("contest_organizer", (Role.ORGANIZER,))  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _show_error(form: Any, exc: QuizError) -> None:
    """A refused form: nothing stored; the message on top, each bad field's beside it."""
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        for name, messages in exc.field_messages().items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(messages)
    flash(exc.localized(), "error")


def join_url(pin: str) -> str:
    return url_for("live.join", pin=pin, _external=True)


# --- the round's live settings and its games ------------------------------------------


def _round_page(round_: Round, mode: ModeForm, game: GameForm, status: int = 200) -> Any:
    return render_template(
        "live/round.html",
        contest=g.contest,
        round=round_,
        mode_form=mode,
        game_form=game,
        games=services.games_of_round(round_.id),
    ), status


@bp.route("/console/rounds/<int:round_id>/live")
@contest_organizer_required
def round_page(round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None
    mode = ModeForm(mode=round_.mode, question_seconds=round_.question_seconds)
    return _round_page(round_, mode, GameForm(seconds=round_.question_seconds))


@bp.route("/console/rounds/<int:round_id>/live/mode", methods=["POST"])
@contest_organizer_required
def round_mode(round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None
    form = ModeForm()
    if csrf_expired(form):
        return _round_page(round_, form, GameForm(), 400)
    if form.errors:
        return _round_page(round_, form, GameForm(), 422)
    try:
        services.set_round_mode(
            round_,
            form.mode.data,
            form.question_seconds.data,
            current_actor(),
            now(),
        )
    except QuizError as exc:
        db.session.rollback()
        flash(exc.localized(), "error")
        return _round_page(round_, form, GameForm(), exc.status)
    flash(_("Saved."), "success")
    return redirect(url_for("live.round_page", round_id=round_id))


def _question_ids(raw: str) -> tuple[int, ...] | None:
    parts = [p.strip() for p in (raw or "").replace("，", ",").split(",") if p.strip()]
    if not parts:
        return None
    if not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
        raise ValidationFailed({"question_ids": [_("Give question ids as numbers.")]})
    return tuple(int(p) for p in parts)


@bp.route("/console/rounds/<int:round_id>/live/games", methods=["POST"])
@contest_organizer_required
def create_game(round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None
    mode = ModeForm(mode=round_.mode, question_seconds=round_.question_seconds)
    form = GameForm()
    if csrf_expired(form):
        return _round_page(round_, mode, form, 400)
    if form.errors:
        return _round_page(round_, mode, form, 422)
    try:
        settings = services.GameSettings(
            speed_points=bool(form.speed_points.data),
            streaks=bool(form.streaks.data),
            teams=form.teams.data or Teams.NONE,
            team_names=tuple((form.team_names.data or "").splitlines()),
            podium=form.podium.data or 3,
            allow_guests=bool(form.allow_guests.data),
            seconds=form.seconds.data,
            question_ids=_question_ids(form.question_ids.data or ""),
        )
        game = services.create_game(round_, current_actor(), settings, now())
    except QuizError as exc:
        _show_error(form, exc)
        return _round_page(round_, mode, form, exc.status)
    after_commit(db.session(), lambda: services.publish(services.Change(game), now()))
    return redirect(url_for("live.host", game_id=game.id))


# --- hosting ---------------------------------------------------------------------------


@bp.route("/console/live/<int:game_id>")
@game_host_required
def host(game_id: int) -> Any:
    game = g.game
    snap = services.current_snapshot(game_id)
    found = services.Viewer(host=True, player=None)
    state = services.state_for(found, snap, now(), current_language())
    return render_template(
        "live/host.html",
        game=game,
        round=db.session.get(Round, game.round_id),
        state=state,
        join_url=join_url(game.pin),
        players=services.players_of(game_id),
        form=ButtonForm(),
    )


@bp.route("/console/live/<int:game_id>/<action>", methods=["POST"])
@game_host_required
def host_action(game_id: int, action: str) -> Any:
    act = ACTIONS.get(action)
    if act is None:
        abort(404)
    if csrf_expired(ButtonForm()):
        return redirect(url_for("live.host", game_id=game_id)), 400
    kwargs: dict[str, Any] = {}
    raw = request.form.get("seconds", "").strip()
    if action == "advance" and raw:
        seconds = whole_number(raw, high=9999)
        if seconds is None:
            flash(_("Give the seconds as a whole number."), "error")
            return redirect(url_for("live.host", game_id=game_id))
        kwargs["seconds"] = seconds
    try:
        change = act(game_id, current_actor(), now(), **kwargs)
    except QuizError as exc:
        db.session.rollback()
        flash(exc.localized(), "error")
        return redirect(url_for("live.host", game_id=game_id))
    after_commit(db.session(), lambda: services.publish(change, now()))
    return redirect(url_for("live.host", game_id=game_id))


@bp.route("/console/live/<int:game_id>/projector")
@game_host_required
def projector(game_id: int) -> Any:
    game = g.game
    return render_template(
        "live/projector.html",
        game=game,
        round=db.session.get(Round, game.round_id),
        join_url=join_url(game.pin),
    )


@bp.route("/console/live/<int:game_id>/qr.svg")
@game_host_required
def qr(game_id: int) -> Any:
    """The join link as a QR code, drawn here (segno, pure Python): no outside service."""
    out = io.BytesIO()
    segno.make(join_url(g.game.pin), error="m").save(
        out, kind="svg", scale=10, border=2, xmldecl=False, dark="#000", light="#fff"
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


# --- players -----------------------------------------------------------------------------


@bp.route("/live", methods=["GET", "POST"])
@public
def enter() -> Any:
    form = PinForm()
    if request.method == "POST":
        if csrf_expired(form):
            return render_template("live/enter.html", form=form), 400
        if not form.errors:
            return redirect(url_for("live.join", pin=(form.pin.data or "").strip()[:12]))
    return render_template("live/enter.html", form=form), 422 if form.errors else 200


def _join_form(game: Any, signed_in: bool) -> JoinForm:
    form = JoinForm()
    form.language.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in game.languages]
    if form.language.data is None:
        preferred = current_user.language if signed_in else current_language()
        form.language.data = preferred if preferred in game.languages else game.languages[0]
    form.team.choices = [SelectChoice(str(i), name) for i, name in enumerate(game.team_names)]
    return form


@bp.route("/live/join", methods=["GET", "POST"])
@public
def join() -> Any:
    pin = request.values.get("pin", "")
    try:
        game = services.game_by_pin(pin)
    except QuizError as exc:
        flash(exc.localized(), "error")
        return render_template("live/enter.html", form=PinForm(pin=pin[:12])), exc.status
    user = web.signed_in()
    if user is not None and services.find_player(game.id, user, None) is not None:
        return redirect(url_for("live.play", game_id=game.id))
    token = web.guest_token(game.id)
    if token and services.find_player(game.id, None, token) is not None:
        return redirect(url_for("live.play", game_id=game.id))
    form = _join_form(game, user is not None)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            team = form.team.data
            joined = services.join_game(
                pin,
                user,
                now(),
                language=form.language.data,
                display_name=form.display_name.data,
                team=whole_number(team) if team else None,
                league_id=_league_choice(),
            )
        except QuizError as exc:
            _show_error(form, exc)
            status = exc.status
        else:
            after_commit(db.session(), lambda: services.after_join(joined, now()))
            if joined.token:
                web.remember_guest(game.id, joined.token)
            return redirect(url_for("live.play", game_id=game.id))
    leagues = (
        db.session.scalars(
            select(League).where(League.contest_id == game.contest_id).order_by(League.position)
        ).all()
        if user is None and game.allow_guests
        else []
    )
    return render_template(
        "live/join.html", game=game, form=form, signed_in=user is not None, leagues=leagues
    ), status


def _league_choice() -> int | None:
    return form_int("league_id", high=MAX_ID)


@bp.route("/live/<int:game_id>")
@web.live_access
def play(game_id: int) -> Any:
    token = web.guest_token(game_id)
    player = services.find_player(game_id, web.signed_in(), token)
    if player is None:
        if web.signed_in() is None and token is None:
            return login_manager.unauthorized()
        abort(404)
    g.no_store = True
    return render_template(
        "live/play.html", game_id=game_id, player=player, phases=[p.value for p in Phase]
    )
