"""Files people download: named in the reader's language, sent with a safe header.

A download's name is what lands in someone's Downloads folder, so it speaks their
language like the page did (``成绩-初赛.xlsx``, not ``results-round3.xlsx``); the
header carries a plain ASCII fallback for old clients and the full name per RFC 5987.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response, g


def content_disposition(ascii_name: str, full_name: str) -> str:
    """``attachment`` with a plain ASCII ``filename`` and the full name per RFC 5987, so
    every browser saves a sensible name and none can be tricked by quotes or slashes."""
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in ascii_name
    )
    cleaned = "".join(
        ch for ch in full_name if unicodedata.category(ch)[0] != "C" and ch not in '/\\"'
    )
    return (
        f"attachment; filename=\"{safe or 'download'}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
    )


def file_name(*parts: str | None, suffix: str) -> str:
    """The reader's name for a file: its non-empty parts joined by ``-``, then ``suffix``."""
    words = [" ".join(str(p).split()) for p in parts if p and str(p).strip()]
    return "-".join(words) + suffix


def download(
    body: bytes, mimetype: str, ascii_name: str, full_name: str, *, private: bool = False
) -> Response:
    """A response that saves ``body`` under ``full_name`` (``ascii_name`` for old clients).

    ``private``: the file holds passwords or personal data, so no cache may keep it.
    """
    if private:
        g.no_store = True
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(ascii_name, full_name)
    return response
