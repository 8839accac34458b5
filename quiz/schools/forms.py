"""School console forms (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quiz.accounts.forms import LANGUAGE_CHOICES
from quiz.edge.params import WholeNumberField, id_value
from quiz.forms import FlaskForm


class TeacherFields(FlaskForm):
    """Either an existing account's username, or a new account (username and name)."""

    existing_username = StringField(_l("Existing account (username)"), validators=[Optional()])
    username = StringField(_l("New account: username"), validators=[Optional(), Length(max=32)])
    display_name = StringField(_l("New account: name"), validators=[Optional(), Length(max=32)])
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, default="zh")


class SchoolForm(TeacherFields):
    name_zh = StringField(_l("School name (Chinese)"), validators=[DataRequired(), Length(max=128)])
    name_mn = StringField(_l("School name (Mongolian)"), validators=[Optional(), Length(max=256)])
    region_code = SelectField(_l("Banner, county or district"), validators=[DataRequired()])


class ClassForm(FlaskForm):
    grade = WholeNumberField(_l("Grade (1-12)"), validators=[InputRequired(), NumberRange(1, 12)])
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=32)])
    school_year = WholeNumberField(
        _l("School year (starting year)"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )


class CardsForm(FlaskForm):
    """Where one-time passwords are made: print them as a page, or get a PDF."""

    pdf = BooleanField(_l("Login cards as PDF (one card per student, in their language)"))


class RosterForm(CardsForm):
    file = FileField(_l("Class list (XLSX or CSV)"), validators=[FileRequired()])


class EnrollClassForm(FlaskForm):
    contest_id = SelectField(_l("Contest"), coerce=id_value, validators=[InputRequired()])
    join_code = StringField(_l("Join code (if the contest has one)"), validators=[Optional()])


class DeleteStudentForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: the name and login are removed for good; results stay, nameless."),
        validators=[DataRequired()],
    )
