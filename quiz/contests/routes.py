"""Contest pages for participants: the list, a contest with its rounds, joining."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.accounts.access import login_required, public
from quiz.clock import now
from quiz.contests import services
from quiz.contests.forms import EnrollForm, StartForm
from quiz.contests.models import LeagueScheme
from quiz.errors import QuizError
from quiz.i18n import current_language, sort_names
from quiz.params import MAX_ID, whole_number

bp = Blueprint("contests", __name__)


def _user() -> Any:
    return current_user if current_user.is_authenticated else None


@bp.route("/")
@public
def index() -> Any:
    contests = services.visible_contests(_user())
    return render_template("contests/index.html", contests=contests, now=now())


@bp.route("/contests/<int:contest_id>")
@public
def detail(contest_id: int) -> Any:
    contest = services.get_visible_contest(contest_id, _user())
    enrollment = None
    if current_user.is_authenticated:
        enrollment = services.enrollment_of(current_user.id, contest.id)
    enroll_form = EnrollForm()
    language = current_language()
    enroll_form.league_id.choices = [
        (str(lg.id), lg.name(language))
        for lg in sort_names(contest.leagues, lambda league: league.name(language), language)
    ]
    start_forms = {}
    for round_ in contest.rounds:
        form = StartForm(prefix=f"r{round_.id}")
        form.language.choices = [
            (code, label)
            for code, label in (("zh", "中文"), ("mn", "ᠮᠣᠩᠭᠣᠯ"))
            if code in round_.languages
        ]
        form.language.data = language if language in round_.languages else round_.languages[0]
        start_forms[round_.id] = form
    return render_template(
        "contests/detail.html",
        contest=contest,
        enrollment=enrollment,
        enroll_form=enroll_form,
        start_forms=start_forms,
        now=now(),
        choose_league=contest.league_scheme in (LeagueScheme.AGE_GROUP, LeagueScheme.CUSTOM),
    )


@bp.route("/contests/<int:contest_id>/enroll", methods=["POST"])
@login_required
def enroll(contest_id: int) -> Any:
    contest = services.get_visible_contest(contest_id, current_user)
    form = EnrollForm()
    form.league_id.choices = [(str(lg.id), lg.name_zh) for lg in contest.leagues]
    if not form.validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return redirect(url_for("contests.detail", contest_id=contest.id))
    league_id = whole_number(form.league_id.data, high=MAX_ID)
    try:
        enrollment, created = services.enroll(
            current_user, contest, now(), league_id=league_id, join_code=form.join_code.data
        )
    except QuizError as exc:
        flash(exc.localized(), "error")
        return redirect(url_for("contests.detail", contest_id=contest.id))
    if created:
        flash(
            _(
                "You joined the contest in the league %(league)s.",
                league=enrollment.league.name(current_language()),
            ),
            "success",
        )
    return redirect(url_for("contests.detail", contest_id=contest.id))
