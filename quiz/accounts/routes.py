"""Account pages: register, log in, log out, profile, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import SelectChoice

from quiz.accounts import services
from quiz.accounts.access import login_required, public
from quiz.accounts.forms import EmptyForm, LoginForm, ProfileForm, RegisterForm
from quiz.clock import now
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGE_COOKIE, LANGUAGES, current_language
from quiz.regions.services import counties_by_league
from quiz.schools.models import School

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect would help phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host": refuse backslashes and control characters too.
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return None
    return target


def _fill_choices(form: ProfileForm) -> None:
    language = current_language()
    # Counties grouped by their 盟市 (<optgroup>); WTForms reads groups only from SelectChoice.
    form.region_code.choices = [
        SelectChoice(c.code, c.name(language), optgroup=league.name(language))
        for league, counties in counties_by_league()
        for c in counties
    ]
    schools = db.session.scalars(select(School).order_by(School.name_zh)).all()
    form.school_id.choices = [("", _("None"))] + [(str(s.id), s.name(language)) for s in schools]


def _apply_errors(form: Any, exc: ValidationFailed) -> None:
    for name, messages in exc.field_messages().items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + messages
        else:
            flash(" ".join(messages), "error")


@bp.route("/register", methods=["GET", "POST"])
@public
def register() -> Any:
    form = RegisterForm()
    _fill_choices(form)
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                username=form.username.data,
                password=form.password.data,
                display_name=form.display_name.data,
                region_code=form.region_code.data,
                language=form.language.data,
                now=now(),
                school_id=int(form.school_id.data) if form.school_id.data else None,
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            session.clear()
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(url_for("contests.index"))
    return render_template("accounts/register.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong username or password."), "error")
            return render_template("accounts/login.html", form=form), 401
        session.clear()  # a fresh session at login: no fixation
        login_user(user)
        return redirect(safe_next(request.args.get("next")) or url_for("contests.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Any:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("contests.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    form = ProfileForm(obj=current_user)
    _fill_choices(form)
    if request.method == "GET":
        form.school_id.data = str(current_user.school_id or "")
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                display_name=form.display_name.data,
                region_code=form.region_code.data,
                language=form.language.data,
                school_id=int(form.school_id.data) if form.school_id.data else None,
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            flash(_("Your profile is saved."), "success")
            response = make_response(redirect(url_for("accounts.profile")))
            response.set_cookie(
                LANGUAGE_COOKIE,
                current_user.language,
                max_age=365 * 86400,
                samesite="Lax",
                httponly=True,
            )
            return response
    return render_template("accounts/profile.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str) -> Any:
    """The language switch on every page: saved on the account and in a cookie."""
    form = EmptyForm()
    if code not in LANGUAGES or not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    target = safe_next(request.form.get("next")) or url_for("contests.index")
    response = make_response(redirect(target))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
