"""The admin console (``/admin``, admins only): accounts, roles, regions, settings.

Routes parse the form, call one service of ``quiz.admin.services`` (the same ones the
``quiz users`` commands call) and redirect; the request commits (``commit_request``), a
refused change rolls back before its page is drawn again. Every write is audited with the
admin and their address. ``ADMIN_NAV`` is the console's navigation: a page of another
feature joins it with one line (its endpoint and label) and extends
``admin/_layout.html``.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from quiz.accounts import sessions as login_sessions
from quiz.accounts import two_factor
from quiz.accounts.access import roles_required
from quiz.accounts.models import Role, User
from quiz.accounts.services import active_tokens
from quiz.admin import services, translation_review
from quiz.admin.forms import (
    ActiveForm,
    RegionForm,
    ReviewSheetForm,
    RoleForm,
    TwoFactorPolicyForm,
    UserSearchForm,
)
from quiz.admin.settings_view import setting_rows
from quiz.clock import now
from quiz.edge.client import current_actor
from quiz.edge.downloads import download, file_name
from quiz.edge.forms import ButtonForm
from quiz.edge.params import MAX_ID, arg_int
from quiz.errors import QuizError, ValidationFailed
from quiz.extensions import db
from quiz.i18n import current_language, sort_names
from quiz.regions.models import LEAGUE_LEVEL, Region
from quiz.regions.services import all_regions, bundled_regions, counties_by_league

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The console's navigation, in order: (endpoint, label). One line adds a page.
ADMIN_NAV: list[tuple[str, Any]] = [
    ("admin.users", _l("Accounts")),
    ("admin.regions", _l("Regions")),
    ("admin.settings", _l("Settings")),
    ("admin.translations", _l("Mongolian review")),
]


@bp.record_once
def _register_nav(state: Any) -> None:
    app: Flask = state.app
    app.jinja_env.globals["admin_nav"] = ADMIN_NAV


def role_labels() -> dict[str, str]:
    return {
        "participant": _("Participant"),
        "teacher": _("Teacher"),
        "organizer": _("Organizer"),
        "admin": _("Admin"),
    }


def _before_arg() -> int | None:
    return arg_int("before", high=MAX_ID)


# -- accounts -------------------------------------------------------------------------


def _region_choices(language: str) -> list[Any]:
    """All regions (a 盟市 stands for its banners and counties), grouped by 盟市."""
    choices: list[Any] = [SelectChoice("", _("All"))]
    for league, counties in sort_names(
        counties_by_league(), lambda pair: pair[0].name(language), language
    ):
        group = league.name(language)
        choices.append(SelectChoice(league.code, group, optgroup=group))
        choices.extend(
            SelectChoice(c.code, c.name(language), optgroup=group)
            for c in sort_names(counties, lambda county: county.name(language), language)
        )
    return choices


@bp.route("")
@roles_required(Role.ADMIN)
def users() -> Any:
    """Find accounts by username, name, e-mail, role, region and school (paged)."""
    language = current_language()
    form = UserSearchForm(request.args)
    labels = role_labels()
    form.role.choices = [("", _("All")), *labels.items()]
    form.region.choices = _region_choices(language)
    query = services.UserQuery()
    if form.validate():
        query = services.UserQuery(
            text=form.q.data or "",
            role=form.role.data or "",
            region=form.region.data or "",
            school=form.school.data or "",
            disabled_only=bool(form.disabled.data),
        )
    status = 200 if not form.errors else 422
    found, next_before = services.find_users(query, _before_arg())
    arguments = {k: v for k, v in request.args.items() if k != "before"}
    return render_template(
        "admin/users.html",
        form=form,
        users=found,
        labels=labels,
        next_url=(url_for("admin.users", before=next_before, **arguments) if next_before else None),
    ), status


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _account_page(user: User, status: int = 200, password: str | None = None) -> Any:
    moment = now()
    trail, next_before = services.account_trail(user, _before_arg())
    return render_template(
        "admin/user.html",
        user=user,
        labels=role_labels(),
        staff_roles=services.STAFF_ROLES,
        trail=trail,
        next_before=next_before,
        sessions=login_sessions.active_sessions(user, moment),
        tokens=active_tokens(user, moment),
        password=password,
        form=ButtonForm(),
    ), status


@bp.route("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int) -> Any:
    """One account: roles, state, sessions and apps, and its audit trail."""
    return _account_page(_user_or_404(user_id))


def _refused(user: User, exc: QuizError) -> Any:
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        for messages in exc.field_messages().values():
            for message in messages:
                flash(message, "error")
    else:
        flash(exc.localized(), "error")
    db.session.refresh(user)
    return _account_page(user, exc.status)


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_required(Role.ADMIN)
def change_role(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return _account_page(user, 400)
    change = services.grant_role if form.action.data == "grant" else services.revoke_role
    try:
        changed = change(user, form.role.data, actor=current_actor(), now=now())
    except QuizError as exc:
        return _refused(user, exc)
    if changed:
        flash(_("The roles are saved."), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def change_active(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return _account_page(user, 400)
    active = form.active.data == "1"
    try:
        services.set_active(user, active, actor=current_actor(), now=now())
    except QuizError as exc:
        return _refused(user, exc)
    flash(
        _("The account is enabled.")
        if active
        else _("The account is disabled: its sessions and apps were logged out."),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> Any:
    """A one-time password, shown on this response only (never stored in clear)."""
    g.no_store = True
    user = _user_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return _account_page(user, 400)
    password = services.reset_password(user, actor=current_actor(), now=now())
    return _account_page(user, password=password)


# -- regions ----------------------------------------------------------------------------


@bp.route("/regions")
@roles_required(Role.ADMIN)
def regions() -> Any:
    return render_template(
        "admin/regions.html", regions=all_regions(), bundled=bundled_regions(), LEAGUE=LEAGUE_LEVEL
    )


@bp.route("/regions/<code>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def region(code: str) -> Any:
    """Edit a region's Mongolian name and its review mark (kept across upgrades)."""
    found = db.session.get(Region, code) if len(code) <= 6 else None
    if found is None:
        abort(404)
    form = RegionForm(obj=found) if request.method == "GET" else RegionForm()
    if request.method == "GET":
        form.reviewed.data = found.mn_reviewed
    if form.validate_on_submit():
        try:
            services.update_region(
                code,
                name_mn=form.name_mn.data,
                reviewed=bool(form.reviewed.data),
                actor=current_actor(),
                now=now(),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            for name, messages in exc.field_messages().items():
                getattr(form, name).errors = messages
        else:
            flash(_("The region is saved."), "success")
            return redirect(url_for("admin.regions"))
    elif request.method == "POST" and "csrf_token" in form.errors:
        flash(_("Your form expired. Please reload the page and try again."), "error")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/region.html", region=found, form=form, bundled=bundled_regions().get(code)
    ), status


# -- settings ---------------------------------------------------------------------------


def _policy_form() -> TwoFactorPolicyForm:
    form = TwoFactorPolicyForm()
    labels = role_labels()
    form.roles.choices = [(role, labels[role]) for role in services.STAFF_ROLES]
    return form


@bp.route("/settings")
@roles_required(Role.ADMIN)
def settings() -> Any:
    form = _policy_form()
    form.roles.data = two_factor.required_roles()
    return _settings_page(form)


def _settings_page(form: TwoFactorPolicyForm, status: int = 200) -> Any:
    return render_template(
        "admin/settings.html", form=form, rows=setting_rows(current_app.config)
    ), status


@bp.route("/settings/two-factor", methods=["POST"])
@roles_required(Role.ADMIN)
def two_factor_policy() -> Any:
    form = _policy_form()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return _settings_page(form, 400)
    try:
        services.set_two_factor_required_roles(
            form.roles.data or [], actor=current_actor(), now=now()
        )
    except ValidationFailed:
        db.session.rollback()
        form.roles.errors = [_("Choose admin, organizer or teacher.")]
        return _settings_page(form, 422)
    flash(_("The settings are saved."), "success")
    return redirect(url_for("admin.settings"))


# -- Mongolian review sheet ---------------------------------------------------------------


def _review_sources() -> translation_review.Sources:
    return current_app.config.get("QUIZ_REVIEW_SOURCES") or translation_review.Sources()


def _translations_page(form: ReviewSheetForm, report: Any = None, status: int = 200) -> Any:
    return render_template(
        "admin/translations.html",
        form=form,
        counts=translation_review.counts(_review_sources()),
        report=report,
    ), status


@bp.route("/translations")
@roles_required(Role.ADMIN)
def translations() -> Any:
    """Reviewed versus machine-drafted Mongolian; the review sheet out and back in."""
    return _translations_page(ReviewSheetForm())


@bp.route("/translations/review.xlsx")
@roles_required(Role.ADMIN)
def translations_sheet() -> Any:
    data = translation_review.export_review(_review_sources())
    return download(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mongolian-review.xlsx",
        file_name(_("Mongolian review"), suffix=".xlsx"),
    )


@bp.route("/translations/import", methods=["POST"])
@roles_required(Role.ADMIN)
def translations_import() -> Any:
    form = ReviewSheetForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("Your form expired. Please reload the page and try again."), "error")
        return _translations_page(form, status=400)
    upload = form.sheet.data
    report = translation_review.import_review(
        upload.read(),
        upload.filename or "sheet.xlsx",
        _review_sources(),
        skip_conflicts=bool(form.skip_conflicts.data),
        actor=current_actor(),
        now=now(),
    )
    if not report.applied:
        db.session.rollback()
        return _translations_page(form, report, 422 if report.errors or report.conflicts else 200)
    flash(
        _(
            "Sheet applied: %(changed)d texts changed, %(reviewed)d entries marked reviewed.",
            changed=report.changed,
            reviewed=report.reviewed,
        ),
        "success",
    )
    return _translations_page(ReviewSheetForm(), report)
