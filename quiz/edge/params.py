"""Numbers, dates and JSON from a request: parsed here, once, at the edge.

Python's ``int()`` accepts any Unicode digit (``"١٢٣"`` and full-width ``"７"`` are
123 and 7) and numbers thousands of digits long, ``str.isdigit()`` also says yes to
``"²"`` (which ``int()`` then refuses), and a database column holds 32 or 64 bits. A
date in year 1 overflows when it is moved from Beijing time to UTC. So every number or
date a person or a script sends goes through this module: ASCII digits only, within
the bounds the caller names, and a date within the years a contest can have. A value
outside them is ``None`` (query strings: the default) or a field error in the caller's
language (forms), never an exception further in.

JSON bodies are read by ``StrictJSONProvider`` (the app's ``app.json``): a document
nested deeper than ``MAX_JSON_DEPTH`` (Python's parser overflows its stack at about a
thousand) or holding an unpaired surrogate (``"\\ud800"``: valid JSON, but no UTF-8
can store it) or a NUL character (no PostgreSQL text column can) is unreadable, like
malformed JSON, so the API answers 400. ``refuse_unstorable_text`` refuses NUL in query
strings and forms (422) for the same reason; a form cannot carry a lone surrogate.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, ValidationError

from quiz.errors import ValidationFailed

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns (PostgreSQL ``integer``)
MAX_INT = 2**31 - 1  # every other integer column too
MAX_JSON_DEPTH = 32
# Unpaired surrogates (no UTF-8 holds them) and NUL (no PostgreSQL text holds it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_WHOLE = re.compile(r"-?[0-9]{1,10}")
# Years a contest, a round or a deadline can fall in: enough both ways, and far from
# datetime's limits (year 1 and 9999), which a time-zone shift would cross.
FIRST_YEAR, LAST_YEAR = 2000, 2199


def whole_number(raw: Any, *, low: int = 0, high: int = MAX_INT) -> int | None:
    """``raw`` as an int if it is ASCII digits (a minus sign allowed when ``low`` is
    negative) between ``low`` and ``high``; ``None`` for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if low <= raw <= high else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _WHOLE.fullmatch(text) or (text.startswith("-") and low >= 0):
        return None
    value = int(text)
    return value if low <= value <= high else None


def arg_int(name: str, default: int | None = None, *, low: int = 0, high: int = MAX_INT):
    """A query-string number: the default when it is missing or not a number in range."""
    value = whole_number(request.args.get(name, ""), low=low, high=high)
    return default if value is None else value


def form_int(name: str, default: int | None = None, *, low: int = 0, high: int = MAX_INT):
    """A form field's number, as ``arg_int``."""
    value = whole_number(request.form.get(name, ""), low=low, high=high)
    return default if value is None else value


def json_int(data: dict, name: str, *, low: int = 0, high: int = MAX_INT) -> int | None:
    """A JSON body's number: ``None`` when absent; a JSON integer within ``low``–``high``
    (not a string, not ``true``), or a 422 naming the field."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationFailed({name: [_l("Must be a whole number.")]})
    return value


def id_value(raw: Any) -> int:
    """``coerce`` of a select field holding ids: a bad one fails like any bad choice."""
    value = whole_number(raw, high=MAX_ID)
    if value is None:
        raise ValueError(raw)
    return value


def in_years(moment: datetime | None) -> bool:
    return moment is None or FIRST_YEAR <= moment.year <= LAST_YEAR


class WholeNumberField(IntegerField):
    """An integer form field that takes ASCII digits only, within ``low``–``high``,
    and says so in the page's language (WTForms' own message is English only)."""

    def __init__(self, *args: Any, low: int = 0, high: int = MAX_INT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            return
        self.data = whole_number(valuelist[0], low=self.low, high=self.high)
        if self.data is None:
            raise ValueError(_l("Give a whole number."))


class LocalDateTimeField(DateTimeLocalField):
    """``datetime-local`` input within the years a contest can have."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Give a date and time.")) from None
        if not in_years(self.data):
            self.data = None
            raise ValueError(_l("Give a date and time."))

    def pre_validate(self, form: Any) -> None:
        if not in_years(self.data):
            raise ValidationError(_l("Give a date and time."))


def _check_json(value: Any) -> None:
    """Raise ValueError for nesting beyond MAX_JSON_DEPTH or an unpaired surrogate."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise ValueError("NUL or an unpaired surrogate in a JSON string")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError("JSON nested too deeply")
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if key is not None:
                    stack.append((key, depth))
                stack.append((child, depth + 1))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what no handler further in could use (see the module)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check_json(value)
        return value


def refuse_unstorable_text() -> None:
    """Request hook: a NUL character in a query string or form field is refused (422)."""
    sources = [request.args]
    if request.mimetype in _FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in value or "\x00" in name:
                field = name.replace("\x00", "")
                raise ValidationFailed({field: [_l("Must be text.")]}, _l("Must be text."))
