"""Account forms (Flask-WTF gives every one a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quiz.forms import FlaskForm

REGION_REQUIRED = _l("Choose your banner, county or district.")
REGION_PLACEHOLDER = _l("Choose…")

LANGUAGE_CHOICES = [SelectChoice("zh", "中文"), SelectChoice("mn", "ᠮᠣᠩᠭᠣᠯ")]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=32)])
    region_code = SelectField(
        _l("Banner, county or district"),
        validators=[DataRequired(message=REGION_REQUIRED)],
    )
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, default="zh")
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[Length(max=254)],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


class RegisterForm(ProfileForm):
    email = None  # set later on the profile page (WTForms drops a field set to None)
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )


class TwoFactorCodeForm(FlaskForm):
    """The second step of a two-factor login."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class TwoFactorChangeForm(FlaskForm):
    """Turning two-factor login on or off: the password and a current code."""

    password = PasswordField(_l("Current password"), validators=[DataRequired()])
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"},
    )


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(
        _l("Username or e-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class NewPasswordForm(FlaskForm):
    """Setting a password through a link from an e-mail."""

    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )
