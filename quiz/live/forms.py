"""Forms of the live pages: a round's live settings, a new game, the PIN, joining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from quiz.edge.params import WholeNumberField
from quiz.forms import FlaskForm
from quiz.live.models import Teams
from quiz.live.services import PODIUM_MAX, PODIUM_MIN, SECONDS_MAX, SECONDS_MIN


class ModeForm(FlaskForm):
    mode = RadioField(
        _l("How the round is played"),
        choices=[
            SelectChoice("self_paced", _l("Self-paced")),
            SelectChoice("live", _l("Live, paced by a host")),
        ],
        validators=[InputRequired()],
    )
    question_seconds = WholeNumberField(
        _l("Seconds per question"),
        validators=[InputRequired(), NumberRange(SECONDS_MIN, SECONDS_MAX)],
    )


class GameForm(FlaskForm):
    seconds = WholeNumberField(
        _l("Seconds per question"),
        validators=[Optional(), NumberRange(SECONDS_MIN, SECONDS_MAX)],
    )
    speed_points = BooleanField(_l("Speed points: faster right answers score more"), default=True)
    streaks = BooleanField(_l("Streak bonus: right answers in a row score more"))
    teams = RadioField(
        _l("Teams"),
        choices=[
            SelectChoice(Teams.NONE.value, _l("No teams")),
            SelectChoice(Teams.LEAGUE.value, _l("By league")),
            SelectChoice(Teams.SCHOOL.value, _l("By school")),
            SelectChoice(Teams.CUSTOM.value, _l("Custom teams")),
        ],
        default=Teams.NONE.value,
    )
    team_names = TextAreaField(_l("Custom team names, one a line"))
    podium = WholeNumberField(
        _l("Places on the podium"),
        default=3,
        validators=[InputRequired(), NumberRange(PODIUM_MIN, PODIUM_MAX)],
    )
    allow_guests = BooleanField(_l("Guests without an account may join with a nickname"))
    question_ids = StringField(
        _l("Hand-picked question ids (optional; comma-separated, from the round's bank)")
    )


class PinForm(FlaskForm):
    pin = StringField(_l("Game PIN"), validators=[InputRequired()])


class JoinForm(FlaskForm):
    language = RadioField(_l("Language of the questions"), choices=[], validators=[Optional()])
    display_name = StringField(_l("Your nickname"))
    team = RadioField(_l("Your team"), choices=[], validators=[Optional()])
