"""Reading comfort: the text size every page is shown in (issue 17 item 7).

Three sizes scale the root font size (``html.text-large``, ``html.text-larger`` in
``static/css/app.css``); every length in the stylesheet that should grow is in ``rem`` or
``em``, so the Chinese pages and the vertical Mongolian ones grow alike. The choice is kept
on the account (``users.text_size``, NULL = standard) so it follows the person to another
phone, and in a cookie for visitors who are not logged in (and until a login).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

STANDARD = "standard"
TEXT_SIZES = (STANDARD, "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def valid_text_size(value: Any) -> str | None:
    """The size named by ``value``, or None when it names none."""
    return value if isinstance(value, str) and value in TEXT_SIZES else None


def current_text_size() -> str:
    """The size for this request: the account's, else the cookie's, else standard."""
    if not has_request_context():
        return STANDARD
    try:
        if current_user.is_authenticated:
            return valid_text_size(getattr(current_user, "text_size", None)) or STANDARD
    except Exception:  # the user could not be loaded (database outage page): no account
        pass
    return valid_text_size(request.cookies.get(TEXT_SIZE_COOKIE)) or STANDARD


def stored_text_size(size: str) -> str | None:
    """What the column holds for ``size`` (NULL for standard)."""
    return None if size == STANDARD else size
