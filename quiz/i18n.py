"""Which language to speak, and small helpers for text in either script.

The order (issue 3): an explicit choice first, the one saved on the account (signed-in
users) or in the ``lang`` cookie (visitors; the switch on every page sets both); then the
browser's ``Accept-Language``; then ``QUIZ_DEFAULT_LANGUAGE`` (Chinese).

API clients that authenticate with a bearer token (mobile apps) state their user's
choice in ``Accept-Language``, so for them a ``zh*``/``mn*`` header comes first and the
account's setting second. A browser page calling the API with its cookie session (the
live leaderboard) follows the same order as the pages, so the polled rows speak the
page's language whatever the browser's own header says.

Werkzeug's ``best_match`` sends ``mn-CN`` or ``mn-Mong`` to Chinese and plain ``mn`` is
Cyrillic Mongolian in CLDR, so we map every ``mn*`` tag to traditional-script Mongolian
and every ``zh*`` tag to Simplified Chinese ourselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, g, has_request_context, request
from flask_login import current_user

LOCALES = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}
HTML_LANG = {"zh": "zh-Hans-CN", "mn": "mn-Mong-CN"}
LANGUAGES = tuple(LOCALES)
LANGUAGE_COOKIE = "lang"
# Each language's name in itself (the switch on every page); never translated.
LANGUAGE_NAMES = {"zh": "中文", "mn": "\u182e\u1823\u1829\u182d\u1823\u182f"}

_MONGOLIAN = re.compile("[\u1820-\u1878\u1880-\u18aa]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

T = TypeVar("T")


def language_from_header(header: str | None) -> str | None:
    """The first zh*/mn* tag of an Accept-Language header, by quality."""
    if not header:
        return None
    tags: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tags.append((-quality, index, tag))
    for quality, _index, tag in sorted(tags):
        if quality >= 0:  # q=0 means "not this one"
            continue
        primary = tag.split("-")[0].split("_")[0]
        if primary in LOCALES:
            return primary
    return None


def _bearer_request() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _explicit_choice() -> str | None:
    """The language the person picked: saved on the account, else in the cookie."""
    if (
        not g.get("quiz_database_down")  # loading the user needs the database
        and current_user
        and current_user.is_authenticated
        and current_user.language in LOCALES
    ):
        return current_user.language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie in LOCALES else None


def current_language() -> str:
    """'zh' or 'mn' for this request (cached on ``g``); the default outside requests."""
    if not has_request_context():
        return current_app.config["QUIZ_DEFAULT_LANGUAGE"]
    cached = getattr(g, "quiz_language", None)
    if cached:
        return cached
    header = request.headers.get("Accept-Language")
    if request.path.startswith("/api/") and _bearer_request():
        language = bearer_language(header, _explicit_choice)
    else:
        language = (
            _explicit_choice()
            or language_from_header(header)
            or current_app.config["QUIZ_DEFAULT_LANGUAGE"]
        )
    g.quiz_language = language
    return language


def bearer_language(header: str | None, explicit: Callable[[], str | None]) -> str:
    """The language of an API request with a bearer token: a zh*/mn* tag of its
    ``Accept-Language`` first, then ``explicit()`` (the account's choice, asked only
    when the header names neither), then the default. ``current_language`` and the
    lanes, which serve such requests outside Flask's request context (quiz/api/lane.py),
    both decide by it."""
    language = language_from_header(header) or explicit()
    return language or current_app.config["QUIZ_DEFAULT_LANGUAGE"]


def select_locale() -> str:
    return LOCALES[current_language()]


def script_of(text: str | None) -> str | None:
    """'mn' if the text has Mongolian letters, 'zh' if it has Han characters, else None."""
    if not text:
        return None
    if _MONGOLIAN.search(text):
        return "mn"
    if _HAN.search(text):
        return "zh"
    return None


def lang_attrs(text: str | None) -> dict[str, str]:
    """HTML attributes for a name shown as is: its ``lang``, and for Mongolian script the
    ``mn-label`` class that stands it upright in a horizontal place."""
    script = script_of(text)
    if script == "mn":
        return {"lang": HTML_LANG["mn"], "class": "mn-label"}
    if script == "zh":
        return {"lang": HTML_LANG["zh"]}
    return {}


@dataclass(frozen=True)
class TextWarning:
    """A finding of the Mongolian checker, put into the page's language for an organizer."""

    message: str
    certain: bool  # a mechanical defect; else for a native reviewer
    suggestion: str | None  # the word as the checker would write it
    lang: str  # the page's html lang (the list sits inside a Mongolian block)


def mongolian_warnings(text: str | None) -> list[TextWarning]:
    """What ``question_bank.mongolian_check`` finds in an organizer's Mongolian text,
    localized: shown beside the field, never blocking a save or an import."""
    if not text or not _MONGOLIAN.search(text):
        return []
    from flask_babel import gettext

    from question_bank.mongolian_check import check

    lang = HTML_LANG[current_language()]
    return [
        TextWarning(finding.localized(gettext), finding.certain, finding.corrected, lang)
        for finding in check(text)
    ]


def sort_names(
    items: Iterable[T], name: Callable[[T], str], language: str | None = None
) -> list[T]:
    """Items in the order a reader of ``language`` expects to find them.

    In Mongolian, by name with ``question_bank.sort_key`` (code-point order without the
    shaping characters FVS/MVS/ZWJ/ZWNJ, which is what ICU's ``mn`` collation gives).
    In Chinese the given order stays (regions and leagues come in the official GB/T 2260
    order that Chinese readers know).
    """
    from question_bank import sort_key

    items = list(items)
    if (language or current_language()) != "mn":
        return items
    return sorted(items, key=lambda item: sort_key(name(item)))
