"""Organizer console forms (Flask-WTF: every form carries a CSRF token).

The forms only parse; the rules (what a valid contest or a fair round edit is) are in
``quiz.organizer.services``, so the error messages come from one place. Times are typed
in the contests' time zone (``QUIZ_TIME_ZONE``) and stored as naive UTC (``quiz/dates.py``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Optional

from quiz.contests.models import LeagueScheme, Registration, ReviewPolicy, Stage
from quiz.edge.params import LocalDateTimeField, WholeNumberField, id_value
from quiz.forms import FlaskForm
from quiz.i18n import LANGUAGE_NAMES

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    """Check boxes instead of a multi-select (a select's list stays horizontal in
    Mongolian pages, MONGOLIAN.md)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ContestForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"))
    title_mn = StringField(_l("Title (Mongolian)"))
    slug = StringField(_l("Short name for links"))
    description_zh = TextAreaField(_l("Description (Chinese)"))
    description_mn = TextAreaField(_l("Description (Mongolian)"))
    starts_at = LocalDateTimeField(
        _l("Starts at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Give a date and time."))],
    )
    published = BooleanField(_l("Published (participants can see it)"))
    league_scheme = RadioField(
        _l("Leagues"),
        choices=[
            SelectChoice(LeagueScheme.REGION.value, _l("One per league or city")),
            SelectChoice(LeagueScheme.AGE_GROUP.value, _l("Age groups")),
            SelectChoice(LeagueScheme.SCHOOL.value, _l("One per school")),
            SelectChoice(LeagueScheme.CUSTOM.value, _l("Custom leagues")),
        ],
        default=LeagueScheme.REGION.value,
        validate_choice=False,
    )
    registration = RadioField(
        _l("Who can join"),
        choices=[
            SelectChoice(Registration.OPEN.value, _l("Everyone")),
            SelectChoice(Registration.JOIN_CODE.value, _l("People with the join code")),
            SelectChoice(Registration.ALLOW_LIST.value, _l("Only invited usernames")),
        ],
        default=Registration.OPEN.value,
        validate_choice=False,
    )
    join_code = StringField(_l("Join code (left empty: a random one)"))


class UsernameForm(FlaskForm):
    username = StringField(_l("Username"))


class ExtraTimeForm(FlaskForm):
    """Grant one participant extra time in a round (quiz/organizer/extra_time.py)."""

    username = StringField(_l("Participant's username"))
    extra_minutes = WholeNumberField(_l("Extra minutes"), validators=[Optional()])
    reason = StringField(_l("Reason (shown in the audit log)"))


class InviteForm(FlaskForm):
    usernames = TextAreaField(_l("Usernames, one per line"))
    file = FileField(_l("Or a CSV file (usernames in the first column)"))


class RemoveInviteForm(FlaskForm):
    username_key = StringField()


class LeagueForm(FlaskForm):
    code = StringField(_l("Code"))
    name_zh = StringField(_l("Name (Chinese)"))
    name_mn = StringField(_l("Name (Mongolian)"))


class PresetForm(FlaskForm):
    preset = RadioField(
        _l("Add a ready-made set"),
        choices=[
            SelectChoice("regions", _l("The 12 leagues and cities")),
            SelectChoice("age_groups", _l("Primary school, middle school and public groups")),
            SelectChoice("schools", _l("One league per school of a league or city")),
        ],
        validate_choice=False,
    )
    region_code = SelectField(_l("League or city (for schools)"), validate_choice=False)


class RoundForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"))
    title_mn = StringField(_l("Title (Mongolian)"))
    stage = RadioField(
        _l("Stage"),
        choices=[
            SelectChoice(Stage.PRELIMINARY.value, _l("Preliminary round")),
            SelectChoice(Stage.SEMIFINAL.value, _l("Semifinal")),
            SelectChoice(Stage.FINAL.value, _l("Final")),
            SelectChoice(Stage.PRACTICE.value, _l("Practice")),
        ],
        default=Stage.PRELIMINARY.value,
        validate_choice=False,
    )
    opens_at = LocalDateTimeField(
        _l("Opens at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Give a date and time."))],
    )
    closes_at = LocalDateTimeField(
        _l("Closes at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Give a date and time."))],
    )
    time_limit_minutes = WholeNumberField(
        _l("Time limit (minutes)"),
        validators=[InputRequired(message=_l("Give a whole number."))],
    )
    bank_id = SelectField(_l("Question bank"), coerce=id_value, validate_choice=False)
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_NAMES.items()],
        validate_choice=False,
    )
    max_attempts = WholeNumberField(
        _l("Attempts allowed"),
        default=1,
        validators=[InputRequired(message=_l("Give a whole number."))],
    )
    review_policy = RadioField(
        _l("Show answers and explanations"),
        choices=[
            SelectChoice(ReviewPolicy.AFTER_FINISH.value, _l("When the participant has finished")),
            SelectChoice(ReviewPolicy.AFTER_CLOSE.value, _l("When the round has closed")),
            SelectChoice(ReviewPolicy.NEVER.value, _l("Never")),
        ],
        default=ReviewPolicy.AFTER_FINISH.value,
        validate_choice=False,
    )
    partial_credit = BooleanField(_l("Partial credit for multiple choice"))
    live_scores = BooleanField(_l("Live scores (answers are final once given)"))
    speed_bonus = BooleanField(_l("Speed bonus for finishing early"))
    points_1 = WholeNumberField(_l("Points, difficulty 1"), default=10, validators=[Optional()])
    points_2 = WholeNumberField(_l("Points, difficulty 2"), default=15, validators=[Optional()])
    points_3 = WholeNumberField(_l("Points, difficulty 3"), default=20, validators=[Optional()])
    certificate_min_points = WholeNumberField(
        _l("Minimum score for a certificate"),
        default=1,
        validators=[InputRequired(message=_l("Give a whole number."))],
    )
