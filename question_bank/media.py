"""Pictures in question banks: their type found by their first bytes, their size checked.

Only PNG, JPEG, GIF and WebP are kept, each at most ``MAX_MEDIA_BYTES``; an SVG (a
document that can carry scripts and fetch other files) is refused, and so is anything
whose bytes are not one of the four, whatever its name says. The library never fetches
a URL: a picture given only by its address is kept as the address and reported as not
fetched.
"""

from __future__ import annotations

from question_bank import messages as m
from question_bank.model import MAX_MEDIA_BYTES, Media
from question_bank.rules import Issue
from question_bank.text import human_size

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_URL_SCHEMES = ("http://", "https://", "ftp://", "//", "data:")


def sniff(data: bytes) -> str | None:
    """The picture type of ``data`` by its magic bytes (PNG, JPEG, GIF, WebP), else None."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)


def is_url(ref: str) -> bool:
    return ref.strip().lower().startswith(_URL_SCHEMES)


def checked_media(data: bytes, name: str = "", alt: str = "") -> Media | Issue:
    """A ``Media`` for picture bytes, or the issue that refuses them (type or size)."""
    if looks_like_svg(data) or name.lower().endswith((".svg", ".svgz")):
        return m.MEDIA_SVG, {"name": name}
    mime = sniff(data)
    if mime is None:
        return m.MEDIA_TYPE, {"name": name}
    if len(data) > MAX_MEDIA_BYTES:
        return m.MEDIA_TOO_LARGE, {
            "name": name,
            "size": human_size(len(data)),
            "limit": human_size(MAX_MEDIA_BYTES),
        }
    return Media(data=data, mime=mime, alt=alt, name=name)
