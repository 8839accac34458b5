"""Leaderboard pages: the participant's view and a full-screen projector view.

The pages render the board once and ``static/js/leaderboard.js`` refreshes it from the
API every 2 seconds with ETags, so an unchanged board costs a 304. Both read through
``quiz.leaderboards.live``: the top of a board is shared by every viewer for about a
second, only the viewer's own rank is read per request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from quiz.accounts.access import login_required
from quiz.clock import now
from quiz.contests import services as contests
from quiz.edge.params import MAX_ID, arg_int
from quiz.i18n import current_language
from quiz.leaderboards.live import frozen_for_viewer, shared_league_names, viewer_board_for
from quiz.leaderboards.services import read_board

bp = Blueprint("leaderboards", __name__)


@bp.app_template_global()
def my_round_standing(contest: Any, round_id: int, league_id: int | None) -> Any:
    """The signed-in participant's place on a round's board, for the result page
    (templates/play/result.html): the boards supply it, since play sits below them
    (docs/architecture.md, "Layers")."""
    return read_board(
        contest,
        round_id,
        None,
        10,
        current_user.id,
        league_id,
        now(),
        frozen=frozen_for_viewer(contest, round_id, current_user),
    )


def _page(contest_id: int, round_id: int | None, projector: bool) -> Any:
    contest = contests.get_visible_contest(contest_id, current_user)
    league_id = arg_int("league", high=MAX_ID)
    if league_id not in {lg.id for lg in contest.leagues}:
        league_id = None
    enrollment = contests.enrollment_of(current_user.id, contest.id)
    limit = 20 if projector else 10
    board = viewer_board_for(
        contest,
        round_id,
        league_id,
        limit,
        current_user,
        enrollment.league_id if enrollment else None,
        now(),
    ).view
    if round_id is None:
        poll = url_for(
            "api.contest_leaderboard", contest_id=contest.id, league=league_id, limit=limit
        )
    else:
        poll = url_for("api.round_leaderboard", round_id=round_id, league=league_id, limit=limit)
    round_ = next((r for r in contest.rounds if r.id == round_id), None)
    return render_template(
        "leaderboards/projector.html" if projector else "leaderboards/board.html",
        contest=contest,
        round=round_,
        board=board,
        league_id=league_id,
        poll_url=poll,
        names=shared_league_names(contest, current_language()),
        enrollment=enrollment,
    )


@bp.route("/rounds/<int:round_id>/leaderboard")
@login_required
def round_board(round_id: int) -> Any:
    round_ = contests.get_visible_round(round_id, current_user)
    return _page(round_.contest_id, round_.id, projector=request.args.get("view") == "projector")


@bp.route("/contests/<int:contest_id>/leaderboard")
@login_required
def contest_board(contest_id: int) -> Any:
    return _page(contest_id, None, projector=request.args.get("view") == "projector")
