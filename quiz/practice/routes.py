"""Practice pages: phone-first plain forms, one question at a time, marked at once.

Every answer goes through the same ``services.answer`` as the API. The console page of
daily results is for organizers only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from question_bank.literacy import BENCHMARKS, PART_POINTS, Part
from quiz.accounts.access import login_required, roles_required
from quiz.accounts.models import Role
from quiz.clock import now
from quiz.edge.forms import ButtonForm
from quiz.edge.params import whole_number
from quiz.errors import QuizError, ValidationFailed
from quiz.extensions import db
from quiz.i18n import current_language
from quiz.practice import assessment as selftests
from quiz.practice import history as histories
from quiz.practice import services
from quiz.practice.book import local_day
from quiz.practice.models import Source
from quiz.regions.services import all_regions

bp = Blueprint("practice", __name__)

RESULT_DAYS = 30
PART_NAMES = {
    Part.KNOWLEDGE: _l("Scientific knowledge"),
    Part.METHOD: _l("Scientific method"),
    Part.SPIRIT: _l("Scientific spirit"),
    Part.APPLICATION: _l("Solving practical problems"),
}


def _flash_error(exc: QuizError) -> None:
    if isinstance(exc, ValidationFailed):
        for messages in exc.field_messages().values():
            for message in messages:
                flash(message, "error")
    else:
        flash(exc.localized(), "error")


@bp.route("/practice")
@login_required
def home() -> Any:
    language = current_language()
    status = services.daily_status(current_user.id, now())
    in_book = len(services.book(current_user.id, language, now()))
    db.session.commit()  # collecting contest mistakes may have written
    return render_template(
        "practice/home.html",
        categories=services.categories(language),
        lengths=services.LENGTHS,
        status=status,
        in_book=in_book,
        form=ButtonForm(),
    )


@bp.route("/practice/start", methods=["POST"])
@login_required
def start() -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    raw_count = request.form.get("count")
    # ASCII digits within range, else the raw text for the service to refuse by name.
    count: Any = whole_number(raw_count, high=10_000) if raw_count else None
    if count is None and raw_count:
        count = raw_count[:20]
    try:
        session, _created = services.start_session(
            current_user,
            request.form.get("language") or current_language(),
            now(),
            source=request.form.get("source") or Source.PRACTICE,
            category=request.form.get("category") or None,
            benchmark=request.form.get("benchmark") or None,
            count=count,
        )
    except QuizError as exc:
        db.session.rollback()
        _flash_error(exc)
        return redirect(url_for("practice.home"))
    db.session.commit()
    return redirect(url_for("practice.resume", session_id=session.id))


@bp.route("/practice/<int:session_id>")
@login_required
def resume(session_id: int) -> Any:
    session = services.get_own_session(session_id, current_user)
    items = services.session_items(session)
    first_open = next((item.no for item in items if not item.answered), None)
    if first_open is None:
        return redirect(url_for("practice.summary", session_id=session.id))
    return redirect(url_for("practice.question", session_id=session.id, no=first_open))


@bp.route("/practice/<int:session_id>/q/<int:no>", methods=["GET", "POST"])
@login_required
def question(session_id: int, no: int) -> Any:
    g.no_store = True
    session = services.get_own_session(session_id, current_user)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.answer(session.id, session.user_id, no, request.form.getlist("choice"), now())
        except QuizError as exc:
            db.session.rollback()
            if exc.status == 404:
                abort(404)
            _flash_error(exc)
        else:
            db.session.commit()
        return redirect(url_for("practice.question", session_id=session.id, no=no))
    items = services.session_items(session)
    if not 1 <= no <= len(items):
        abort(404)
    return render_template(
        "practice/question.html", session=session, q=items[no - 1], items=items, form=form
    )


@bp.route("/practice/<int:session_id>/summary")
@login_required
def summary(session_id: int) -> Any:
    session = services.get_own_session(session_id, current_user)
    return render_template(
        "practice/summary.html",
        session=session,
        items=services.session_items(session),
        form=ButtonForm(),
    )


@bp.route("/practice/book")
@login_required
def book() -> Any:
    entries = services.book(current_user.id, current_language(), now())
    db.session.commit()  # collecting contest mistakes may have written
    return render_template(
        "practice/book.html", entries=entries, lengths=services.LENGTHS, form=ButtonForm()
    )


@bp.route("/practice/daily")
@login_required
def daily() -> Any:
    return render_template(
        "practice/daily.html",
        status=services.daily_status(current_user.id, now()),
        form=ButtonForm(),
    )


def _day_arg(today: date) -> date:
    raw = request.args.get("day")
    if not raw:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


@bp.route("/console/practice/daily")
@roles_required(Role.ORGANIZER)
def daily_results() -> Any:
    today = local_day(now())
    day = _day_arg(today)
    language = current_language()
    names = {
        r.code: (r.name_mn if language == "mn" and r.name_mn else r.name_zh) for r in all_regions()
    }
    return render_template(
        "practice/daily_results.html",
        day=day,
        by_day=services.daily_results_by_day(today - timedelta(days=RESULT_DAYS - 1), today),
        by_region=services.daily_results_by_region(day),
        region_names=names,
    )


@bp.route("/me/history")
@login_required
def history() -> Any:
    return render_template(
        "practice/history.html",
        history=histories.history(current_user, current_language(), now()),
        band_names=selftests.BANDS,
    )


# -- the science-literacy self-test (quiz.practice.assessment) ------------------------


@bp.route("/self-test")
@login_required
def selftest_home() -> Any:
    language = current_language()
    return render_template(
        "practice/selftest_home.html",
        available=selftests.available(language),
        age_groups=selftests.AGE_GROUPS,
        past=selftests.finished_of(current_user.id),
        band_names=selftests.BANDS,
        minutes=int(selftests.DURATION.total_seconds() // 60),
        count=selftests.QUESTION_COUNT,
        form=ButtonForm(),
    )


@bp.route("/self-test/start", methods=["POST"])
@login_required
def selftest_start() -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        found = selftests.start(
            current_user,
            request.form.get("language") or current_language(),
            now(),
            request.form.get("age_group") or None,
        )
    except QuizError as exc:
        db.session.rollback()
        _flash_error(exc)
        return redirect(url_for("practice.selftest_home"))
    db.session.commit()
    return redirect(url_for("practice.selftest_question", assessment_id=found.id, no=1))


@bp.route("/self-test/<int:assessment_id>/q/<int:no>", methods=["GET", "POST"])
@login_required
def selftest_question(assessment_id: int, no: int) -> Any:
    g.no_store = True
    found = selftests.get_own(assessment_id, current_user)
    if found.finished_at is not None:
        return redirect(url_for("practice.selftest_result", assessment_id=found.id))
    form = ButtonForm()
    items = selftests.items(found)
    if not 1 <= no <= len(items):
        abort(404)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        choice = request.form.getlist("choice")
        if choice:
            try:
                selftests.answer(found, no, choice, now())
            except QuizError as exc:
                db.session.rollback()
                _flash_error(exc)
                return redirect(
                    url_for("practice.selftest_question", assessment_id=found.id, no=no)
                )
            db.session.commit()
        step = request.form.get("go")
        target = no - 1 if step == "back" else no + 1
        if step == "review" or not 1 <= target <= len(items):
            target = no
        return redirect(url_for("practice.selftest_question", assessment_id=found.id, no=target))
    moment = now()
    return render_template(
        "practice/selftest_question.html",
        test=found,
        q=items[no - 1],
        items=items,
        open=selftests.is_open(found, moment),
        minutes_left=max(0, int((found.deadline - moment).total_seconds() // 60)),
        seconds_left=max(0, int((found.deadline - moment).total_seconds())),
        form=form,
    )


@bp.route("/self-test/<int:assessment_id>/finish", methods=["POST"])
@login_required
def selftest_finish(assessment_id: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    found = selftests.get_own(assessment_id, current_user)
    selftests.finish(found, now())
    db.session.commit()
    return redirect(url_for("practice.selftest_result", assessment_id=found.id))


@bp.route("/self-test/<int:assessment_id>")
@login_required
def selftest_result(assessment_id: int) -> Any:
    found = selftests.get_own(assessment_id, current_user)
    if found.finished_at is None:
        return redirect(url_for("practice.selftest_question", assessment_id=found.id, no=1))
    language = found.language
    return render_template(
        "practice/selftest_result.html",
        test=found,
        items=selftests.items(found),
        parts=[
            (part, score, PART_POINTS[part])
            for part, score in zip(Part, selftests.part_scores(found).values(), strict=True)
        ],
        part_names=PART_NAMES,
        band_names=selftests.BANDS,
        weakest=[BENCHMARKS[b] for b in selftests.weakest_of(found)],
        benchmark_language=language,
        form=ButtonForm(),
    )
