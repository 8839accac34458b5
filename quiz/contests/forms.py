"""Contest forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField

from quiz.forms import FlaskForm


class EnrollForm(FlaskForm):
    league_id = RadioField(_l("League"), coerce=str, validate_choice=False)
    join_code = StringField(_l("Join code"))


class StartForm(FlaskForm):
    language = RadioField(_l("Language of the questions"), validate_choice=False)
