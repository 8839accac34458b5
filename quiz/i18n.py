"""Which language to speak: the person's explicit choice first, then the browser's.

Werkzeug's ``best_match`` sends ``mn-CN`` or ``mn-Mong`` to Chinese and plain ``mn`` is
Cyrillic Mongolian in CLDR, so we map every ``mn*`` tag to traditional-script Mongolian
and every ``zh*`` tag to Simplified Chinese ourselves.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user

LOCALES = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}
HTML_LANG = {"zh": "zh-Hans-CN", "mn": "mn-Mong-CN"}
LANGUAGES = tuple(LOCALES)
LANGUAGE_COOKIE = "lang"


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
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tags.append((-quality, index, tag))
    for quality, _index, tag in sorted(tags):
        if quality >= 0:
            continue
        primary = tag.split("-")[0].split("_")[0]
        if primary in LOCALES:
            return primary
    return None


def current_language() -> str:
    """'zh' or 'mn' for this request (cached on ``g``); the default outside requests."""
    if not has_request_context():
        return current_app.config["QUIZ_DEFAULT_LANGUAGE"]
    cached = getattr(g, "quiz_language", None)
    if cached:
        return cached
    language = None
    header_language = language_from_header(request.headers.get("Accept-Language"))
    if request.path.startswith("/api/") and header_language:
        language = header_language
    if not language and current_user and current_user.is_authenticated:
        language = current_user.language
    if not language:
        cookie = request.cookies.get(LANGUAGE_COOKIE)
        language = cookie if cookie in LOCALES else None
    language = language or header_language or current_app.config["QUIZ_DEFAULT_LANGUAGE"]
    g.quiz_language = language
    return language


def select_locale() -> str:
    return LOCALES[current_language()]
