"""Account forms (Flask-WTF gives every one a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

LANGUAGE_CHOICES = [SelectChoice("zh", "中文"), SelectChoice("mn", "ᠮᠣᠩᠭᠣᠯ")]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=32)])
    region_code = SelectField(_l("Banner, county or district"), validators=[DataRequired()])
    school_id = SelectField(_l("School (optional)"), coerce=str, default="")
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, default="zh")


class RegisterForm(ProfileForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])


class EmptyForm(FlaskForm):
    """Buttons that change state (logout, language) still need a CSRF token."""
