"""Quiz pages: one question at a time, plain forms that work without JavaScript.

``static/js/quiz.js`` enhances them (background saves with retry); every answer still
goes through the same ``save_answer`` service as the API.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from quiz.accounts.access import login_required
from quiz.clock import now
from quiz.contests.forms import StartForm
from quiz.contests.services import enrollment_of, get_visible_round
from quiz.errors import Conflict, QuizError, wants_json
from quiz.forms import FlaskForm
from quiz.i18n import current_language
from quiz.play import services
from quiz.play.state import attempt_state

bp = Blueprint("play", __name__)


@bp.app_template_global()
def my_attempts(contest_id: int) -> dict[int, Any]:
    """The signed-in participant's latest attempt per round, for the contest page
    (templates/contests/detail.html): play supplies it, since contests sit below play
    (docs/architecture.md, "Layers")."""
    if not current_user.is_authenticated:
        return {}
    return services.attempts_by_round(contest_id, current_user.id)


def _display_language(attempt: Any) -> str:
    requested = request.values.get("lang")
    return requested if requested in ("zh", "mn") else attempt.language


@bp.route("/rounds/<int:round_id>/start", methods=["POST"])
@login_required
def start(round_id: int) -> Any:
    round_ = get_visible_round(round_id, current_user)
    form = StartForm(prefix=f"r{round_id}")
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data or current_language()
    try:
        attempt, _created = services.start_attempt(current_user, round_, language, now())
    except QuizError as exc:
        flash(exc.localized(), "error")
        return redirect(url_for("contests.detail", contest_id=round_.contest_id))
    return redirect(url_for("play.resume", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def resume(attempt_id: int) -> Any:
    attempt = services.get_own_attempt(attempt_id, current_user)
    services.finalize_if_overdue(attempt, now())
    if attempt.finished_at is not None:
        return redirect(url_for("play.result", attempt_id=attempt.id))
    state = attempt_state(attempt, attempt.language, now())
    first_open = next((q.no for q in state.questions if not q.choice), 1)
    return redirect(url_for("play.question", attempt_id=attempt.id, no=first_open))


@bp.route("/attempts/<int:attempt_id>/q/<int:no>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, no: int) -> Any:
    g.no_store = True
    attempt = services.get_own_attempt(attempt_id, current_user)
    language = _display_language(attempt)
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            given = (  # option keys, or the texts typed into a fill-in question's blanks
                request.form.getlist("text")
                if "text" in request.form
                else request.form.getlist("choice")
            )
            services.save_answer(attempt.id, current_user, no, given, now())
        except Conflict as exc:
            if wants_json():
                raise
            flash(exc.localized(), "error")
            return redirect(url_for("play.result", attempt_id=attempt.id))
        if wants_json():
            return jsonify({"saved": True, "no": no})
        action = request.form.get("action", "next")
        if action == "finish":
            return redirect(url_for("play.confirm_finish", attempt_id=attempt.id, lang=language))
        target = no - 1 if action == "prev" else no + 1
        if action.startswith("goto:") and action[5:].isascii() and action[5:].isdigit():
            target = int(action[5:])
        target = min(max(target, 1), attempt.question_count)
        return redirect(url_for("play.question", attempt_id=attempt.id, no=target, lang=language))
    services.finalize_if_overdue(attempt, now())
    if attempt.finished_at is not None:
        return redirect(url_for("play.result", attempt_id=attempt.id))
    state = attempt_state(attempt, language, now())
    if not 1 <= no <= len(state.questions):
        abort(404)
    return render_template(
        "play/question.html",
        state=state,
        q=state.questions[no - 1],
        form=form,
        finish_form=FlaskForm(),
    )


@bp.route("/attempts/<int:attempt_id>/finish", methods=["GET", "POST"])
@login_required
def confirm_finish(attempt_id: int) -> Any:
    attempt = services.get_own_attempt(attempt_id, current_user)
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.finish_attempt(attempt, now())
        return redirect(url_for("play.result", attempt_id=attempt.id))
    services.finalize_if_overdue(attempt, now())
    if attempt.finished_at is not None:
        return redirect(url_for("play.result", attempt_id=attempt.id))
    state = attempt_state(attempt, _display_language(attempt), now())
    return render_template("play/finish.html", state=state, form=form)


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> Any:
    attempt = services.get_own_attempt(attempt_id, current_user)
    services.finalize_if_overdue(attempt, now())
    if attempt.finished_at is None:
        return redirect(url_for("play.resume", attempt_id=attempt.id))
    state = attempt_state(attempt, _display_language(attempt), now())
    enrollment = enrollment_of(current_user.id, attempt.contest_id)
    if wants_json():
        return jsonify(state.to_json())
    return render_template("play/result.html", state=state, enrollment=enrollment)
