"""Pictures of questions, served by their content address.

The address is the SHA-256 of the stored bytes, so a response never changes: browsers
and proxies may keep it for a year (``immutable``), and every app server answers the same
from SQL, or streams it from the S3-compatible store when one is configured (same
address, same headers: ``quiz/banks/media_store.py``). The route is public like a static
file: an address is only learnt from a page or API response that showed the question (a
hash cannot be guessed), and a picture carries no answer key (an option's picture is
shown with its option, in the shuffled order).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, has_request_context, request, url_for

from quiz.accounts.access import public
from quiz.banks.media_store import media_store
from quiz.banks.pictures import EXTENSION

bp = Blueprint("media", __name__)

SHA256 = re.compile(r"[0-9a-f]{64}")
YEAR = 365 * 24 * 3600


def media_url(entry: dict) -> str:
    """The address of a stored picture (an entry of ``Question.media``)."""
    name = f"{entry['sha256']}.{EXTENSION.get(str(entry['mime']), 'bin')}"
    if not has_request_context():  # live games publish from their timer thread too
        return f"/media/{name}"
    return url_for("media.picture", name=name)


def shown(entries: list[dict] | None, option: str | None) -> list[dict]:
    """What a page or the API shows of a question's (``option=None``) or an option's
    pictures: address, alternative text and size (so the layout does not jump)."""
    return [
        {"url": media_url(e), "alt": e.get("alt") or "", "width": e["width"], "height": e["height"]}
        for e in entries or ()
        if e.get("option") == option
    ]


@bp.get("/media/<name>")
@public
def picture(name: str) -> Response:
    sha256, _, extension = name.partition(".")
    if not SHA256.fullmatch(sha256):
        abort(404)
    if request.if_none_match.contains(sha256):
        return _cached(Response(status=304), sha256)
    stored = media_store().open(sha256)
    if stored is None:
        abort(404)
    if EXTENSION.get(stored.mime) != extension:
        stored.close()
        abort(404)
    response = Response(stored.chunks, mimetype=stored.mime, direct_passthrough=True)
    response.content_length = stored.size
    return _cached(response, sha256)


def _cached(response: Response, sha256: str) -> Response:
    response.set_etag(sha256)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
