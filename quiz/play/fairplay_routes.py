"""Fair-play pages: the organizers' list of flagged attempts and the round's settings,
and the quiz page's report that it lost focus (切屏).

Thin routes over ``quiz/play/fairplay.py``; the API twin of the focus report is
``POST /api/v1/attempts/<id>/focus-losses`` in ``quiz/api/routes.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField
from wtforms.validators import NumberRange, Optional

from quiz.accounts.access import login_required
from quiz.clock import now
from quiz.contests.access import contest_organizer_required
from quiz.contests.models import Round
from quiz.edge.client import current_actor
from quiz.edge.params import WholeNumberField
from quiz.errors import ValidationFailed, wants_json
from quiz.extensions import db
from quiz.forms import FlaskForm
from quiz.play import fairplay

bp = Blueprint("fairplay", __name__)


class FairPlayForm(FlaskForm):
    focus_tracking = BooleanField(_l("Record when participants leave the quiz page"))
    focus_limit = WholeNumberField(
        _l("Times allowed to leave the page"), validators=[Optional(), NumberRange(1, 1000)]
    )
    focus_auto_finish = BooleanField(_l("Finish the attempt at that limit"))
    flag_median_seconds = WholeNumberField(
        _l("Flag when the median seconds per answer is below"),
        validators=[Optional(), NumberRange(1, 600)],
    )
    flag_fast_answers = WholeNumberField(
        _l("Flag after this many answers under 2 seconds"),
        validators=[Optional(), NumberRange(1, 1000)],
    )


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None  # contest_organizer_required found it
    return round_


@bp.route("/console/rounds/<int:round_id>/flags")
@contest_organizer_required
def flags(round_id: int) -> Any:
    round_ = _round(round_id)
    found = fairplay.flagged_attempts(round_)
    limits = fairplay.Thresholds.of(round_)
    if wants_json() or request.args.get("format") == "json":
        return jsonify(
            {
                "round_id": round_.id,
                "thresholds": {
                    "median_seconds": limits.median_seconds,
                    "fast_answers": limits.fast_answers,
                    "fast_seconds": limits.fast_seconds,
                },
                "focus_tracking": round_.focus_tracking,
                "focus_limit": round_.focus_limit,
                "flags": [flag.to_json() for flag in found],
            }
        )
    form = FairPlayForm(obj=round_)
    return render_template(
        "play/flags.html",
        round=round_,
        contest=g.contest,
        flags=found,
        limits=limits,
        form=form,
    )


@bp.route("/console/rounds/<int:round_id>/fair-play", methods=["POST"])
@contest_organizer_required
def settings(round_id: int) -> Any:
    round_ = _round(round_id)
    form = FairPlayForm()
    if not form.validate_on_submit():
        raise ValidationFailed({name: list(errors) for name, errors in form.errors.items()})
    fairplay.configure(
        round_,
        actor=current_actor(),
        now=now(),
        focus_tracking=form.focus_tracking.data,
        focus_limit=form.focus_limit.data,
        focus_auto_finish=form.focus_auto_finish.data,
        flag_median_seconds=form.flag_median_seconds.data,
        flag_fast_answers=form.flag_fast_answers.data,
    )
    return redirect(url_for("fairplay.flags", round_id=round_.id))


@bp.route("/attempts/<int:attempt_id>/focus-loss", methods=["POST"])
@login_required
def focus_loss(attempt_id: int) -> Any:
    """Sent by static/js/focus.js (CSRF token in the X-CSRFToken header)."""
    state = fairplay.record_focus_loss(attempt_id, current_user, now())
    return jsonify(state.to_json())
