"""The one form base of the app: Flask-WTF's, with text typed in Menksoft converted.

Inner Mongolian organizers and teachers often type Mongolian with the Menksoft input
method, which produces glyph codes in the Private Use Area (U+E234–U+E34F) instead of
Unicode Mongolian: such text renders as boxes for everyone else and cannot be searched
or sorted. Every text field of every form (contest titles, question editor, school and
class names, rosters typed in) converts it on the way in, the same conversion as bank
imports (``question_bank.menksoft``). Passwords are left exactly as typed.
"""

from __future__ import annotations

from typing import Any

import flask_wtf
from wtforms import PasswordField, StringField

from question_bank.menksoft import to_unicode


def menksoft_to_unicode(value: Any) -> Any:
    return to_unicode(value) if isinstance(value, str) else value


class FlaskForm(flask_wtf.FlaskForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = (*options.get("filters", ()), menksoft_to_unicode)
            return unbound_field.bind(form=form, **options)
