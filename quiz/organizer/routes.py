"""The organizer console (``/console``): contests, registration, leagues, rounds, preview
and the audit log. Routes parse the form, call one service and render or redirect.

Every page about one contest declares ``contest_organizer_required`` (admins and that
contest's organizers; anyone else 403), which leaves the contest in ``g.contest``.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from quiz.accounts.access import roles_required
from quiz.accounts.models import Role
from quiz.banks.services import category_names
from quiz.clock import now
from quiz.contests.access import contest_organizer_required
from quiz.contests.models import Contest, League, Round
from quiz.dates import to_local, to_utc
from quiz.edge.client import current_actor
from quiz.edge.forms import apply_errors, loose_messages
from quiz.edge.params import MAX_ID, arg_int, whole_number
from quiz.errors import QuizError, ValidationFailed
from quiz.extensions import db
from quiz.i18n import current_language, sort_names
from quiz.organizer import extra_time, services
from quiz.organizer.forms import (
    ContestForm,
    ExtraTimeForm,
    InviteForm,
    LeagueForm,
    PresetForm,
    RemoveInviteForm,
    RoundForm,
    UsernameForm,
)
from quiz.regions.models import LEAGUE_LEVEL, Region

bp = Blueprint("organizer", __name__, url_prefix="/console")

# Service field names that a form shows under another name.
ROUND_FIELD_NAMES = {"time_limit_seconds": "time_limit_minutes"}


def _csrf_failed(form: Any) -> bool:
    """Validate (the service checks the values) and say whether only the token failed."""
    form.validate()
    for field in form:
        # WTForms' own parse errors have no Mongolian translation: say it in ours.
        if field.errors and field.name.endswith("bank_id"):
            field.errors = [_("Choose a question bank.")]
    return "csrf_token" in form.errors


def _invalid(template: str, **context: Any) -> Any:
    return render_template(template, **context), 422


def _form_expired() -> None:
    flash(_("Your form expired. Please reload the page and try again."), "error")


# Home ----------------------------------------------------------------------------------


@bp.route("")
@roles_required(Role.ORGANIZER)
def home() -> Any:
    return render_template(
        "organizer/home.html", summaries=services.organized_contests(current_user, now())
    )


# Contests ------------------------------------------------------------------------------


def _contest_data(form: ContestForm) -> services.ContestData:
    return services.ContestData(
        slug=form.slug.data or "",
        title_zh=form.title_zh.data or "",
        title_mn=form.title_mn.data or "",
        description_zh=(form.description_zh.data or "").strip(),
        description_mn=(form.description_mn.data or "").strip(),
        starts_at=to_utc(form.starts_at.data) if form.starts_at.data else None,
        published=bool(form.published.data),
        league_scheme=form.league_scheme.data or "",
        registration=form.registration.data or "",
        join_code=form.join_code.data or "",
    )


@bp.route("/contests/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def new_contest() -> Any:
    form = ContestForm()
    if request.method == "POST":
        if _csrf_failed(form):
            _form_expired()
            return _invalid("organizer/contest_form.html", form=form, contest=None, loose=[])
        try:
            contest = services.create_contest(_contest_data(form), current_actor(), now())
        except ValidationFailed as exc:
            loose = loose_messages(apply_errors(form, exc))
            return _invalid("organizer/contest_form.html", form=form, contest=None, loose=loose)
        flash(_("The contest was created."), "success")
        return redirect(url_for("organizer.overview", contest_id=contest.id))
    return render_template("organizer/contest_form.html", form=form, contest=None, loose=[])


@bp.route("/contests/<int:contest_id>")
@contest_organizer_required
def overview(contest_id: int) -> Any:
    contest: Contest = g.contest
    language = current_language()
    moment = now()
    return render_template(
        "organizer/overview.html",
        contest=contest,
        state=services.contest_state(contest, moment),
        rounds=[(r, r.state(moment), services.round_locked(r, moment)) for r in contest.rounds],
        leagues=sort_names(contest.leagues, lambda lg: lg.name(language), language),
        organizers=services.contest_organizers(contest),
        invite_count=services.invite_count(contest),
        join_code_min=services.JOIN_CODE_MIN,
    )


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@contest_organizer_required
def edit_contest(contest_id: int) -> Any:
    contest: Contest = g.contest
    if request.method == "GET":
        form = ContestForm(obj=contest)
        form.starts_at.data = to_local(contest.starts_at)
        return render_template("organizer/contest_form.html", form=form, contest=contest, loose=[])
    form = ContestForm()
    if _csrf_failed(form):
        _form_expired()
        return _invalid("organizer/contest_form.html", form=form, contest=contest, loose=[])
    try:
        services.update_contest(contest, _contest_data(form), current_actor(), now())
    except ValidationFailed as exc:
        db.session.rollback()
        loose = loose_messages(apply_errors(form, exc))
        return _invalid("organizer/contest_form.html", form=form, contest=contest, loose=loose)
    flash(_("The contest was saved."), "success")
    return redirect(url_for("organizer.overview", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/join-code", methods=["POST"])
@contest_organizer_required
def join_code(contest_id: int) -> Any:
    if UsernameForm().validate_on_submit():
        code = services.new_join_code(g.contest, current_actor(), now())
        flash(_("The new join code is %(code)s.", code=code), "success")
    else:
        _form_expired()
    return redirect(url_for("organizer.overview", contest_id=contest_id))


# Organizers ----------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/organizers", methods=["GET", "POST"])
@contest_organizer_required
def organizers(contest_id: int) -> Any:
    contest: Contest = g.contest
    form = UsernameForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.add_organizer(contest, form.username.data, current_actor(), now())
            except ValidationFailed as exc:
                apply_errors(form, exc)
                status = 422
            else:
                flash(_("%(name)s now runs this contest.", name=user.username), "success")
                return redirect(url_for("organizer.organizers", contest_id=contest.id))
        else:
            _form_expired()
            status = 400
    return render_template(
        "organizer/organizers.html",
        contest=contest,
        form=form,
        remove_form=UsernameForm(prefix="remove"),
        organizers=services.contest_organizers(contest),
    ), status


@bp.route("/contests/<int:contest_id>/organizers/<int:user_id>/remove", methods=["POST"])
@contest_organizer_required
def remove_organizer(contest_id: int, user_id: int) -> Any:
    if UsernameForm(prefix="remove").validate_on_submit():
        try:
            services.remove_organizer(g.contest, user_id, current_actor(), now())
            flash(_("The organizer was removed."), "success")
        except QuizError as exc:
            flash(exc.localized(), "error")
    else:
        _form_expired()
    return redirect(url_for("organizer.organizers", contest_id=contest_id))


# The allow-list ------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/invites", methods=["GET", "POST"])
@contest_organizer_required
def invites(contest_id: int) -> Any:
    contest: Contest = g.contest
    form = InviteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                names = services.usernames_from_text(form.usernames.data or "")
                upload = form.file.data
                if upload is not None and getattr(upload, "filename", ""):
                    names += services.usernames_from_csv(upload.read())
                result = services.add_invites(contest, names, current_actor(), now())
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc, {"file": "file"})
                status = 422
            else:
                flash(
                    _(
                        "%(added)d names added, %(already)d were on the list already,"
                        " %(missing)d have no account yet.",
                        added=result.added,
                        already=result.already,
                        missing=result.without_account,
                    ),
                    "success",
                )
                return redirect(url_for("organizer.invites", contest_id=contest.id))
        else:
            _form_expired()
            status = 400
    return render_template(
        "organizer/invites.html",
        contest=contest,
        form=form,
        remove_form=RemoveInviteForm(),
        invites=services.invite_rows(contest),
        invite_count=services.invite_count(contest),
    ), status


@bp.route("/contests/<int:contest_id>/invites/remove", methods=["POST"])
@contest_organizer_required
def remove_invite(contest_id: int) -> Any:
    form = RemoveInviteForm()
    if form.validate_on_submit():
        try:
            services.remove_invite(g.contest, form.username_key.data or "", current_actor(), now())
            flash(_("The name was taken off the list."), "success")
        except QuizError as exc:
            flash(exc.localized(), "error")
    else:
        _form_expired()
    return redirect(url_for("organizer.invites", contest_id=contest_id))


@bp.route("/contests/<int:contest_id>/invites/confirm", methods=["POST"])
@contest_organizer_required
def confirm_invite(contest_id: int) -> Any:
    """Admit the account that registered a listed name after it was listed."""
    form = RemoveInviteForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_invite(
                g.contest, form.username_key.data or "", current_actor(), now()
            )
            flash(_("%(name)s may join now.", name=user.display_name), "success")
        except QuizError as exc:
            flash(exc.localized(), "error")
    else:
        _form_expired()
    return redirect(url_for("organizer.invites", contest_id=contest_id))


# Leagues -------------------------------------------------------------------------------


def _preset_form() -> PresetForm:
    form = PresetForm(prefix="preset")
    language = current_language()
    regions = db.session.scalars(
        select(Region).where(Region.level == LEAGUE_LEVEL).order_by(Region.position)
    ).all()
    form.region_code.choices = [
        (r.code, r.name_mn if language == "mn" else r.name_zh) for r in regions
    ]
    return form


def _leagues_page(contest: Contest, form: LeagueForm, preset: PresetForm, status: int) -> Any:
    language = current_language()
    leagues = sort_names(contest.leagues, lambda lg: lg.name(language), language)
    return render_template(
        "organizer/leagues.html",
        contest=contest,
        form=form,
        preset_form=preset,
        remove_form=LeagueForm(prefix="remove"),
        leagues=[(lg, services.league_in_use(lg)) for lg in leagues],
    ), status


@bp.route("/contests/<int:contest_id>/leagues", methods=["GET", "POST"])
@contest_organizer_required
def leagues(contest_id: int) -> Any:
    contest: Contest = g.contest
    form = LeagueForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            _form_expired()
            return _leagues_page(contest, form, _preset_form(), 400)
        try:
            services.add_league(
                contest,
                code=form.code.data or "",
                name_zh=form.name_zh.data or "",
                name_mn=form.name_mn.data or "",
                actor=current_actor(),
                now=now(),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 422
        else:
            flash(_("The league was added."), "success")
            return redirect(url_for("organizer.leagues", contest_id=contest.id))
    return _leagues_page(contest, form, _preset_form(), status)


@bp.route("/contests/<int:contest_id>/leagues/preset", methods=["POST"])
@contest_organizer_required
def league_preset(contest_id: int) -> Any:
    contest: Contest = g.contest
    preset = _preset_form()
    if not preset.validate_on_submit():
        _form_expired()
        return redirect(url_for("organizer.leagues", contest_id=contest.id))
    try:
        added = services.add_preset_leagues(
            contest, preset.preset.data or "", current_actor(), now(), preset.region_code.data
        )
    except ValidationFailed as exc:
        db.session.rollback()
        for messages in exc.field_messages().values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("%(n)d leagues were added.", n=len(added)), "success")
    return redirect(url_for("organizer.leagues", contest_id=contest.id))


@bp.route("/leagues/<int:league_id>/edit", methods=["GET", "POST"])
@contest_organizer_required
def edit_league(league_id: int) -> Any:
    league = db.session.get(League, league_id)
    assert league is not None  # the access rule found it
    form = LeagueForm(obj=league) if request.method == "GET" else LeagueForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            _form_expired()
            status = 400
        else:
            try:
                services.update_league(
                    league,
                    code=form.code.data or "",
                    name_zh=form.name_zh.data or "",
                    name_mn=form.name_mn.data or "",
                    actor=current_actor(),
                    now=now(),
                )
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
                status = 422
            else:
                flash(_("The league was saved."), "success")
                return redirect(url_for("organizer.leagues", contest_id=league.contest_id))
    return render_template(
        "organizer/league_form.html", contest=g.contest, league=league, form=form
    ), status


@bp.route("/leagues/<int:league_id>/remove", methods=["POST"])
@contest_organizer_required
def remove_league(league_id: int) -> Any:
    league = db.session.get(League, league_id)
    assert league is not None
    contest_id = league.contest_id
    if LeagueForm(prefix="remove").validate_on_submit():
        try:
            services.remove_league(league, current_actor(), now())
            flash(_("The league was removed."), "success")
        except QuizError as exc:
            flash(exc.localized(), "error")
    else:
        _form_expired()
    return redirect(url_for("organizer.leagues", contest_id=contest_id))


# Rounds --------------------------------------------------------------------------------

ANY = "*"


def _cell_name(category: str | None, difficulty: int | None) -> str:
    return f"cell:{category or ANY}:{difficulty or ANY}"


def _round_form(round_: Round | None) -> RoundForm:
    if request.method == "POST":
        form = RoundForm()
    elif round_ is None:
        form = RoundForm()
        form.languages.data = ["zh", "mn"]
    else:
        form = RoundForm(obj=round_)
        form.opens_at.data = to_local(round_.opens_at)
        form.closes_at.data = to_local(round_.closes_at)
        form.time_limit_minutes.data = round_.time_limit_seconds // 60
        for difficulty in services.DIFFICULTIES:
            getattr(form, f"points_{difficulty}").data = round_.points_by_difficulty.get(
                difficulty, 0
            )
    language = current_language()
    form.bank_id.choices = [
        SelectChoice(str(b.id), b.title_mn if language == "mn" and b.title_mn else b.title_zh)
        for b in services.banks()
    ]
    return form


def _points_name(category: str | None) -> str:
    return f"points:{category or ANY}"


def _row_points_from_request(availability: services.Availability) -> tuple[dict, list[str]]:
    """Each row's "points each" for its questions of any difficulty (blank: none)."""
    points: dict[str | None, int] = {}
    bad = []
    for category in [c[0] for c in availability.categories] + [None]:
        raw = (request.form.get(_points_name(category)) or "").strip()
        if not raw:
            continue
        value = whole_number(raw, high=services.MAX_POINTS)
        if value is None:
            bad.append(raw[:10])
            continue
        points[category] = value
    return points, bad


def _cells_from_request(availability: services.Availability) -> tuple[dict, list[str]]:
    cells: dict[tuple[str | None, int | None], int] = {}
    bad = []
    for category in [c[0] for c in availability.categories] + [None]:
        for difficulty in (1, 2, 3, None):
            raw = (request.form.get(_cell_name(category, difficulty)) or "").strip()
            if not raw:
                continue
            count = whole_number(raw, high=10_000)
            if count is None:
                bad.append(raw[:10])
                continue
            if count:
                cells[(category, difficulty)] = count
    return cells, bad


def _round_data(form: RoundForm, cells: dict, row_points: dict) -> services.RoundData | None:
    if not (
        form.opens_at.data and form.closes_at.data and form.time_limit_minutes.data is not None
    ):
        return None
    points = {}
    for difficulty in services.DIFFICULTIES:
        value = getattr(form, f"points_{difficulty}").data
        points[difficulty] = value if value is not None else -1
    return services.RoundData(
        title_zh=form.title_zh.data or "",
        title_mn=form.title_mn.data or "",
        stage=form.stage.data or "preliminary",
        opens_at=to_utc(form.opens_at.data),
        closes_at=to_utc(form.closes_at.data),
        time_limit_seconds=int(form.time_limit_minutes.data) * 60,
        bank_id=form.bank_id.data or 0,
        draw_rule=services.rule_from_cells(cells, row_points),
        languages=[lang for lang in (form.languages.data or []) if lang in ("zh", "mn")],
        max_attempts=form.max_attempts.data if form.max_attempts.data is not None else 0,
        review_policy=form.review_policy.data or "",
        partial_credit=bool(form.partial_credit.data),
        live_scores=bool(form.live_scores.data),
        points_by_difficulty=points,
        speed_bonus=bool(form.speed_bonus.data),
        certificate_min_points=(
            form.certificate_min_points.data if form.certificate_min_points.data is not None else 0
        ),
    )


def _round_page(
    contest: Contest,
    round_: Round | None,
    form: RoundForm,
    cells: dict,
    loose: list,
    status: int,
    field_errors: dict[str, list[str]] | None = None,
    row_points: dict | None = None,
) -> Any:
    bank_id = form.bank_id.data or (
        int(form.bank_id.choices[0].value) if form.bank_id.choices else None
    )
    languages = [lang for lang in (form.languages.data or []) if lang in ("zh", "mn")]
    availability = services.availability(bank_id, languages or ["zh", "mn"]) if bank_id else None
    moment = now()
    return render_template(
        "organizer/round_form.html",
        contest=contest,
        round=round_,
        form=form,
        cells=cells,
        cell_name=_cell_name,
        row_points=row_points or {},
        points_name=_points_name,
        availability=availability,
        loose=loose,
        draw_errors=(field_errors or {}).get("draw_rule", []),
        point_errors=(field_errors or {}).get("points_by_difficulty", []),
        locked=round_ is not None and services.round_locked(round_, moment),
        state=round_.state(moment) if round_ is not None else None,
    ), status


def _save_round(contest: Contest, round_: Round | None) -> Any:
    form = _round_form(round_)
    if request.method == "GET":
        cells = services.cells_from_rule(round_.draw_rule) if round_ is not None else {}
        row_points = services.row_points_from_rule(round_.draw_rule) if round_ else {}
        return _round_page(contest, round_, form, cells, [], 200, row_points=row_points)
    if _csrf_failed(form):
        _form_expired()
        return _round_page(contest, round_, form, {}, [], 400)
    bank_id = form.bank_id.data
    availability = (
        services.availability(bank_id, form.languages.data or ["zh", "mn"])
        if (bank_id and db.session.get(services.QuestionBank, bank_id))
        else services.Availability([], {}, {})
    )
    cells, bad = _cells_from_request(availability)
    row_points, bad_points = _row_points_from_request(availability)
    if request.form.get("action") == "refresh":  # show another bank's table, save nothing
        return _round_page(contest, round_, form, cells, [], 200, row_points=row_points)
    data = _round_data(form, cells, row_points)
    loose: list = []
    if bad:
        loose.append(_("Counts must be whole numbers from 0 to 10000."))
    if bad_points:
        loose.append(_("Points must be whole numbers from 0 to %(n)d.", n=services.MAX_POINTS))
    if data is None or bad or bad_points:
        return _round_page(contest, round_, form, cells, loose, 422, row_points=row_points)
    try:
        if round_ is None:
            round_ = services.create_round(contest, data, current_actor(), now())
            flash(_("The round was created."), "success")
        else:
            services.update_round(round_, data, current_actor(), now())
            flash(_("The round was saved."), "success")
    except ValidationFailed as exc:
        db.session.rollback()
        messages = exc.field_messages()
        shown_apart = {
            k: messages.pop(k) for k in ("draw_rule", "points_by_difficulty") if k in messages
        }
        loose = loose_messages(apply_errors(form, ValidationFailed(messages), ROUND_FIELD_NAMES))
        flash(exc.localized(), "error")
        return _round_page(
            contest, round_, form, cells, loose, 422, shown_apart, row_points=row_points
        )
    return redirect(url_for("organizer.overview", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@contest_organizer_required
def new_round(contest_id: int) -> Any:
    return _save_round(g.contest, None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@contest_organizer_required
def edit_round(round_id: int) -> Any:
    return _save_round(g.contest, db.session.get(Round, round_id))


def _extra_time_page(round_: Round, form: ExtraTimeForm, status: int) -> Any:
    return render_template(
        "organizer/extra_time.html",
        contest=g.contest,
        round=round_,
        form=form,
        revoke_form=UsernameForm(prefix="revoke"),
        grants=extra_time.round_grants(round_),
        max_minutes=extra_time.MAX_EXTRA_MINUTES,
    ), status


@bp.route("/rounds/<int:round_id>/extra-time", methods=["GET", "POST"])
@contest_organizer_required
def round_extra_time(round_id: int) -> Any:
    """Per-participant extra time (like Moodle's user overrides): list, grant, replace."""
    round_ = db.session.get(Round, round_id)
    form = ExtraTimeForm()
    if request.method == "GET":
        return _extra_time_page(round_, form, 200)
    if _csrf_failed(form):
        _form_expired()
        return _extra_time_page(round_, form, 400)
    try:
        user = extra_time.grant_extra_time(
            round_,
            form.username.data or "",
            form.extra_minutes.data,
            form.reason.data or "",
            current_actor(),
            now(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        loose = loose_messages(apply_errors(form, exc))
        for message in loose:
            flash(message, "error")
        return _extra_time_page(round_, form, 422)
    except QuizError as exc:
        db.session.rollback()
        flash(exc.localized(), "error")
        return _extra_time_page(round_, form, 409)
    flash(
        _(
            "%(name)s has %(n)d extra minutes in this round.",
            name=user.username,
            n=form.extra_minutes.data,
        ),
        "success",
    )
    return redirect(url_for("organizer.round_extra_time", round_id=round_id))


@bp.route("/rounds/<int:round_id>/extra-time/<int:user_id>/revoke", methods=["POST"])
@contest_organizer_required
def revoke_extra_time(round_id: int, user_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    if UsernameForm(prefix="revoke").validate_on_submit():
        try:
            extra_time.revoke_extra_time(round_, user_id, current_actor(), now())
            flash(_("The extra time was taken back."), "success")
        except QuizError as exc:
            flash(exc.localized(), "error")
    else:
        _form_expired()
    return redirect(url_for("organizer.round_extra_time", round_id=round_id))


@bp.route("/rounds/<int:round_id>/preview")
@contest_organizer_required
def preview(round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None
    language = request.args.get("lang") or current_language()
    if language not in round_.languages:
        language = round_.languages[0]
    seed = arg_int("seed", high=2**52 - 1)
    if seed is None:
        seed = secrets.randbits(52)
    try:
        questions = services.preview(round_, language, seed)
        problem = None
    except QuizError as exc:
        questions, problem = [], exc.localized()
    return render_template(
        "organizer/preview.html",
        contest=g.contest,
        round=round_,
        questions=questions,
        problem=problem,
        seed=seed,
        preview_language=language,
        kind_label=services.kind_label,
        category_names=category_names(round_.bank_id, current_language()),
    )


# The audit log -------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/audit")
@contest_organizer_required
def audit(contest_id: int) -> Any:
    before_id = arg_int("before", high=MAX_ID)
    rows, next_before = services.audit_page(g.contest, before_id)
    return render_template(
        "organizer/audit.html", contest=g.contest, rows=rows, next_before=next_before
    )
