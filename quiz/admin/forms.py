"""Admin console forms (Flask-WTF: every form that changes something carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, Length
from wtforms.widgets import CheckboxInput, ListWidget

from quiz.forms import FlaskForm


class UserSearchForm(FlaskForm):
    """The account search (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Username, name or e-mail"), validators=[Length(max=64)])
    role = SelectField(_l("Role"), default="")
    region = SelectField(_l("Banner, county or district"), default="")
    school = StringField(_l("School"), validators=[Length(max=64)])
    disabled = BooleanField(_l("Disabled accounts only"))


class RoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(["admin", "organizer", "teacher"])])
    action = HiddenField(validators=[AnyOf(["grant", "revoke"])])


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])


class RegionForm(FlaskForm):
    name_mn = StringField(_l("Mongolian name"), validators=[Length(max=128)])
    reviewed = BooleanField(_l("Reviewed by a native speaker"))


class TwoFactorPolicyForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Require two-factor login of"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


class ReviewSheetForm(FlaskForm):
    """Upload a reviewed Mongolian sheet (quiz.admin.translation_review)."""

    sheet = FileField(_l("Reviewed sheet (XLSX)"), validators=[FileRequired(_l("Choose a file."))])
    skip_conflicts = BooleanField(
        _l("Apply the other rows when some entries changed since the export")
    )
