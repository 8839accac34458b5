"""Forms at the edge: the button-only form, and a service's errors put on a form.

A button that changes something (retire, freeze, log out, finish) posts nothing but its
CSRF token: every such button uses ``ButtonForm`` rather than a blueprint's own empty
class. A service refuses bad values with ``ValidationFailed`` naming fields;
``apply_errors`` shows each message beside its field and returns those that have no
field, which the route flashes (pages) or the API answers as JSON (``ValidationFailed``
is already the API's 422 body).
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import gettext as _

from quiz.errors import ValidationFailed
from quiz.forms import FlaskForm


class ButtonForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


def apply_errors(
    form: Any, failure: ValidationFailed, aliases: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Put a service's field problems on the form's fields (``aliases`` maps a service's
    name to the form's); return those without a field, so the caller can show them."""
    loose: dict[str, list[str]] = {}
    for name, messages in failure.field_messages().items():
        target = getattr(form, (aliases or {}).get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            shown = list(target.errors or [])
            target.errors = shown + [m for m in messages if m not in shown]
        else:
            loose[name] = list(messages)
    return loose


def loose_messages(loose: dict[str, list[str]]) -> list[str]:
    """The messages ``apply_errors`` found no field for, as one list (shown atop a form)."""
    return [message for messages in loose.values() for message in messages]


def show_errors(form: Any, failure: ValidationFailed) -> None:
    """``apply_errors``, flashing what has no field: for pages that re-render the form."""
    for messages in apply_errors(form, failure).values():
        flash(" ".join(messages), "error")


def flash_form_errors(form: Any) -> None:
    """Every message of a refused form as a flash: for forms whose page is not
    re-rendered (a button on a list, an upload beside an editor)."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


def csrf_expired(form: Any) -> bool:
    """Validate ``form``; True (with a message) when its CSRF token failed, so the caller
    answers 400 instead of acting on a stale page."""
    form.validate()
    if "csrf_token" in form.errors:
        flash(_("Your form expired. Please reload the page and try again."), "error")
        return True
    return False
