"""Account pages: register, log in (with a second factor), log out, profile, password,
two-factor set-up, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from quiz import mail
from quiz.accounts import recovery, services, sessions, two_factor
from quiz.accounts.access import login_required, public, roles_required
from quiz.accounts.comfort import TEXT_SIZE_COOKIE, stored_text_size, valid_text_size
from quiz.accounts.forms import (
    REGION_PLACEHOLDER,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    TwoFactorChangeForm,
    TwoFactorCodeForm,
)
from quiz.accounts.models import Role, User
from quiz.clock import now
from quiz.edge.client import current_actor
from quiz.edge.forms import ButtonForm, show_errors
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGE_COOKIE, LANGUAGES, LOCALES, current_language, sort_names
from quiz.regions.services import counties_by_league

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
    # Chinese keeps the official code order; Mongolian is sorted by name (sort_names).
    # A placeholder first, so nobody joins a league by not choosing (the first county).
    form.region_code.choices = [SelectChoice("", str(REGION_PLACEHOLDER))] + [
        SelectChoice(c.code, c.name(language), optgroup=league.name(language))
        for league, counties in sort_names(
            counties_by_league(), lambda pair: pair[0].name(language), language
        )
        for c in sort_names(counties, lambda county: county.name(language), language)
    ]


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
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            sessions.start(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(url_for("contests.index"))
    return render_template("accounts/register.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.check_credentials(form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong username or password."), "error")
            return render_template("accounts/login.html", form=form), 401
        target = safe_next(request.args.get("next"))
        if user.two_factor_enabled:
            # Half-way: a fresh session that only remembers who still owes a code.
            session.clear()
            session[PENDING_USER] = user.id
            session[PENDING_VERSION] = user.session_version
            session[PENDING_SINCE] = sessions.epoch(now())
            session[PENDING_NEXT] = target
            return redirect(url_for("accounts.login_two_factor"))
        sessions.start(user)  # a fresh session at login: no fixation
        return redirect(target or url_for("contests.index"))
    return render_template("accounts/login.html", form=form)


PENDING_USER = "2fa_uid"
PENDING_VERSION = "2fa_version"
PENDING_SINCE = "2fa_since"
PENDING_NEXT = "2fa_next"
PENDING_SECONDS = 300  # the code must follow the password within 5 minutes


def _pending_user() -> User | None:
    """The account that gave its password in this session and still owes a code."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if sessions.epoch(now()) - since > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != session.get(PENDING_VERSION):
        return None
    return user


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def login_two_factor() -> Any:
    """The second step of the login for accounts with two-factor login on."""
    g.no_store = True
    user = _pending_user()
    if user is None:
        for key in (PENDING_USER, PENDING_VERSION, PENDING_SINCE, PENDING_NEXT):
            session.pop(key, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data, now()):
            target = safe_next(session.get(PENDING_NEXT))
            sessions.start(user)
            return redirect(target or url_for("contests.index"))
        form.code.errors = [_("This code is not right. Enter the 6 digits your app shows now.")]
        return render_template("accounts/login_two_factor.html", form=form), 401
    return render_template("accounts/login_two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Any:
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.end_sessions(current_user)  # every copy of the cookie, on every device
    sessions.end()
    flash(_("You are logged out."), "info")
    return redirect(url_for("contests.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    form = ProfileForm(obj=current_user)
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                display_name=form.display_name.data,
                region_code=form.region_code.data,
                language=form.language.data,
                email=form.email.data,
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            flash(_("Your profile is saved."), "success")
            response = make_response(redirect(url_for("accounts.profile")))
            response.set_cookie(
                LANGUAGE_COOKIE,
                current_user.language,
                max_age=365 * 86400,
                samesite="Lax",
                httponly=True,
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
            return response
    return _profile_page(form)


def _profile_page(form: ProfileForm) -> Any:
    """The profile form, with the person's browser sessions and apps (each can be ended)."""
    moment = now()
    return render_template(
        "accounts/profile.html",
        form=form,
        sessions=sessions.active_sessions(current_user, moment),
        current_session=sessions.current_key_hash(),
        tokens=services.active_tokens(current_user, moment),
        end_form=ButtonForm(),
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int) -> Any:
    """End one of the person's browser sessions (this one too: then they are logged out)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not sessions.revoke(current_user, now(), session_id):
        abort(404)
    db.session.commit()
    flash(_("The session was ended."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    sessions.revoke(current_user, now(), keep=sessions.current_key_hash() or "")
    db.session.commit()
    flash(_("Your other sessions were ended."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Any:
    """Revoke one app's access (a bearer token of the person's)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not services.revoke_token(current_user, token_id=token_id):
        abort(404)
    db.session.commit()
    flash(_("The app's access was revoked."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/text-size/<size>", methods=["POST"])
@public
def set_text_size(size: str) -> Any:
    """The text-size switch on every page: saved on the account and in a cookie."""
    form = ButtonForm()
    if valid_text_size(size) is None or not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.text_size = stored_text_size(size)
        db.session.commit()
    target = safe_next(request.form.get("next")) or url_for("contests.index")
    response = make_response(redirect(target))
    response.set_cookie(
        TEXT_SIZE_COOKIE,
        size,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str) -> Any:
    """The language switch on every page: saved on the account and in a cookie."""
    form = ButtonForm()
    if code not in LANGUAGES or not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    target = safe_next(request.form.get("next")) or url_for("contests.index")
    response = make_response(redirect(target))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change the password; every other session and every API token of the account ends."""
    g.no_store = True
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                now=now(),
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            sessions.start(current_user)  # this browser stays in, on the new version
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), (422 if form.errors else 200)


PENDING_SECRET = "2fa_new_secret"


@bp.route("/account/two-factor")
@roles_required(Role.TEACHER, Role.ORGANIZER)
def two_factor_settings() -> Any:
    """Two-factor status; while it is off, a secret to enrol (kept until enabled)."""
    g.no_store = True
    if current_user.two_factor_enabled:
        return render_template(
            "accounts/two_factor.html",
            form=TwoFactorChangeForm(),
            unused_codes=two_factor.unused_recovery_codes(current_user),
        )
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str):
        secret = session[PENDING_SECRET] = two_factor.new_secret()
    return _enrol_page(TwoFactorChangeForm(), secret)


def _enrol_page(form: TwoFactorChangeForm, secret: str, status: int = 200) -> Any:
    uri = two_factor.provisioning_uri(current_user, secret, current_app.config["QUIZ_TOTP_ISSUER"])
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template("accounts/two_factor.html", form=form, secret=grouped, uri=uri), status


@bp.route("/account/two-factor/enable", methods=["POST"])
@roles_required(Role.TEACHER, Role.ORGANIZER)
def two_factor_enable() -> Any:
    g.no_store = True
    form = TwoFactorChangeForm()
    secret = session.get(PENDING_SECRET)
    if current_user.two_factor_enabled or not isinstance(secret, str):
        return redirect(url_for("accounts.two_factor_settings"))
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(
                current_user,
                secret=secret,
                code=form.code.data,
                password=form.password.data,
                now=now(),
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            sessions.start(current_user)  # other sessions ended; this one goes on
            flash(_("Two-factor login is on."), "success")
            # Shown once, on this response only (no-store); only hashes are kept.
            return render_template("accounts/recovery_codes.html", codes=codes)
    return _enrol_page(form, secret, 422)


@bp.route("/account/two-factor/disable", methods=["POST"])
@roles_required(Role.TEACHER, Role.ORGANIZER)
def two_factor_disable() -> Any:
    g.no_store = True
    form = TwoFactorChangeForm()
    if not current_user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor_settings"))
    if form.validate_on_submit():
        try:
            two_factor.disable(
                current_user, password=form.password.data, code=form.code.data, now=now()
            )
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            sessions.start(current_user)
            flash(_("Two-factor login is off."), "info")
            return redirect(url_for("accounts.two_factor_settings"))
    unused = two_factor.unused_recovery_codes(current_user)
    return (
        render_template("accounts/two_factor.html", form=form, unused_codes=unused),
        422,
    )


# -- forgotten passwords (quiz/accounts/recovery.py) ---------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> Any:
    """Ask for a link by e-mail. The same answer whether or not an account matches."""
    g.no_store = True
    config = current_app.config
    form = ForgotPasswordForm()
    if not mail.configured(config):
        return render_template("accounts/forgot_password.html", form=None)
    if form.validate_on_submit():
        links = recovery.request_links(form.identifier.data, now(), current_actor())
        db.session.commit()
        for user, token in links:
            mail.send_later(config, _reset_mail(user, token))
        flash(
            _(
                "If an account with an e-mail address matches, a link to set a new password "
                "is on its way. It works once, for 30 minutes."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _reset_mail(user: User, token: str) -> Any:
    link = url_for("accounts.reset_password_link", token=token, _external=True)
    with force_locale(LOCALES.get(user.language, LOCALES["zh"])):
        subject = _("Set a new password")
        body = "\n\n".join(
            [
                _(
                    "Someone, hopefully you, asked to set a new password for the account "
                    "%(username)s.",
                    username=user.username,
                ),
                link,
                _(
                    "The link works once, for 30 minutes. If you did not ask for it, ignore "
                    "this e-mail: your password stays as it is."
                ),
            ]
        )
    return mail.compose(current_app.config["QUIZ_MAIL_FROM"], user.email or "", subject, body)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password_link(token: str) -> Any:
    """Set a new password through a link from an e-mail (once, within 30 minutes)."""
    g.no_store = True
    user = recovery.account_for_link(token, now())  # 404 page when used or expired
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_link(token, form.new_password.data, now(), current_actor())
        except ValidationFailed as exc:
            db.session.rollback()
            show_errors(form, exc)
        else:
            db.session.commit()
            sessions.end()
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form, user=user), status
