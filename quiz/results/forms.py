"""Forms of the results console: buttons that change a round (CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from quiz.forms import FlaskForm


class ConfirmForm(FlaskForm):
    """Close and publish cannot be undone: the organizer ticks a box first."""

    confirm = BooleanField(_l("I understand this cannot be undone."))
