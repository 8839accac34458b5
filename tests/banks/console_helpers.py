"""Shared steps of the question-bank console tests: log in, upload, count rows."""

from __future__ import annotations

import io
import re
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from quiz.accounts.models import Role
from quiz.banks.forms import NEW_BANK
from quiz.extensions import db
from tests.factories import log_in

LOCALES = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def organizer_client(app: Any, make: Any, username: str = "org", language: str = "zh") -> Any:
    """A browser logged in as an organizer who reads ``language``."""
    from tests.conftest import FreshContextClient

    user = make.user(username, roles=(Role.ORGANIZER,), language=language)
    app.test_client_class = FreshContextClient  # each request in its own app context
    browser = app.test_client()
    log_in(browser, user)
    browser.user = user
    return browser


def upload(browser: Any, data: bytes, filename: str, **fields: Any) -> Any:
    form: dict[str, Any] = {
        "fmt": "auto",
        "bank": NEW_BANK,
        "new_slug": "web-bank",
        "title_zh": "网页题库",
        "title_mn": "",
        "category": "",
        "language": "zh",
    }
    form.update(fields)
    form["file"] = (io.BytesIO(data), filename)
    return browser.post("/console/banks/import", data=form, content_type="multipart/form-data")


def token_of(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/console/banks/import/([A-Za-z0-9_-]+)", response.location)
    assert match, response.location
    return match.group(1)


def digest_of(html: str) -> str:
    match = re.search(r'name="digest"[^>]*value="([0-9a-f]*)"', html) or re.search(
        r'value="([0-9a-f]*)"[^>]*name="digest"', html
    )
    assert match, "no confirm form on the preview"
    return match.group(1)


def translated(language: str, message: str, **params: Any) -> str:
    """``message`` in ``language`` as the page shows it (escaped like Jinja would)."""
    from markupsafe import escape

    with force_locale(LOCALES[language]):
        text = gettext(message)
    return str(escape(text % params if params else text))


def translated_head(language: str, message: str) -> str:
    """The translated text of a msgid with placeholders, up to its first placeholder."""
    from markupsafe import escape

    with force_locale(LOCALES[language]):
        text = gettext(message)
    head = text.split("%(")[0]
    assert len(head) >= 3, (message, text)
    return str(escape(head))


def own_banks(browser: Any) -> None:
    """Make the browser's organizer the owner of every bank so far: an organizer changes
    only banks they own or that their contests use (quiz/banks/console.py: may_edit)."""
    from sqlalchemy import update

    from quiz.banks.models import QuestionBank

    db.session.execute(update(QuestionBank).values(created_by_id=browser.user.id))
    db.session.commit()
