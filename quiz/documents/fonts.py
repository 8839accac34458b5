"""Where the PDF fonts come from: the bundled Mongolian font and a Chinese font on the host.

fpdf2 embeds TrueType/OpenType fonts but not WOFF2, so the bundled Noto Sans Mongolian
(``static/fonts/*.woff2``, the same file the web pages use) is decompressed once with
fontTools and cached as a TTF, keyed by the WOFF2's hash (a new font file gets a new
cache entry; a stale one is never reused).

No CJK font is bundled (tens of megabytes). The Chinese font is looked up in this order:
``QUIZ_PDF_CJK_FONT`` (app config, then environment), the usual system paths
(``CJK_FONT_CANDIDATES``; Debian's fonts-noto-cjk first), then ``fc-match``. A candidate
is used only if it really covers Chinese; when none does, ``PdfFontMissing`` (503,
``pdf_font_missing``) tells the operator what to install (docs/operations.md, "PDF fonts").
The CJK font also supplies Latin letters and digits, which the Mongolian subset lacks, so
every document, Mongolian ones included, needs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from fontTools.ttLib import TTCollection, TTFont

from quiz.errors import QuizError

MONGOLIAN_WOFF2 = (
    Path(__file__).resolve().parent.parent.parent
    / "static"
    / "fonts"
    / "noto-sans-mongolian-mongolian-400-normal.woff2"
)
if not MONGOLIAN_WOFF2.exists():  # installed wheel: static/ travels as quiz/static
    MONGOLIAN_WOFF2 = (
        Path(__file__).resolve().parent.parent
        / "static"
        / "fonts"
        / "noto-sans-mongolian-mongolian-400-normal.woff2"
    )

# Checked in order after QUIZ_PDF_CJK_FONT; tests replace this tuple.
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
# Whether fc-match may be asked (tests switch it off to simulate a bare machine).
USE_FC_MATCH = True
_PROBE = "中文证书"  # a font must cover these to count as a Chinese font


class PdfFontMissing(QuizError):
    """No Chinese font on the server, so no PDF can be made; the operator must install one."""

    status = 503
    code = "pdf_font_missing"

    def __init__(self) -> None:
        super().__init__(
            _l(
                "PDF documents cannot be made: the server has no Chinese font. An administrator "
                "can install one (see PDF fonts in the operations guide)."
            )
        )


@dataclass(frozen=True)
class FontFile:
    """A font file fpdf2 can embed, and which face of a collection (.ttc) to use."""

    path: str
    index: int = 0


def _cache_dir() -> Path:
    if has_app_context():
        return Path(current_app.instance_path) / "font-cache"
    return Path(tempfile.gettempdir()) / "quiz-font-cache"


def mongolian_font() -> FontFile:
    """The bundled Noto Sans Mongolian as a TTF, converted on first use and cached."""
    data = MONGOLIAN_WOFF2.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = _cache_dir() / f"noto-sans-mongolian-{digest}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".ttf")
        os.close(fd)
        with TTFont(str(MONGOLIAN_WOFF2)) as font:
            font.flavor = None
            font.save(tmp)
        os.replace(tmp, target)  # atomic: a concurrent render never sees half a file
    return FontFile(str(target))


@lru_cache(maxsize=16)
def _chinese_face(path: str, mtime: float) -> int | None:
    """Index of the face in ``path`` that covers Chinese, preferring Simplified (SC)."""
    del mtime  # part of the cache key only: a replaced file is examined again
    try:
        if path.lower().endswith((".ttc", ".otc")):
            collection = TTCollection(path, lazy=True)
            fonts, close = collection.fonts, collection.close
        else:
            single = TTFont(path, lazy=True)
            fonts, close = [single], single.close
    except Exception:  # not a font, unreadable: not a candidate
        return None
    found = None
    try:
        for index, font in enumerate(fonts):
            cmap = font.getBestCmap() or {}
            if not all(ord(char) in cmap for char in _PROBE):
                continue
            family = str(font["name"].getDebugName(1) or "")
            if family.endswith((" SC", " CN")) or "GB" in family:
                return index
            if found is None:
                found = index
    finally:
        close()
    return found


def _usable(path: str | None) -> FontFile | None:
    if not path or not os.path.isfile(path):
        return None
    index = _chinese_face(path, os.path.getmtime(path))
    return None if index is None else FontFile(path, index)


def _fc_match() -> str | None:
    if not USE_FC_MATCH or not shutil.which("fc-match"):
        return None
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def cjk_font() -> FontFile:
    """The Chinese font to embed, or ``PdfFontMissing`` when the host has none."""
    configured = current_app.config.get("QUIZ_PDF_CJK_FONT") if has_app_context() else None
    for path in (configured, os.environ.get("QUIZ_PDF_CJK_FONT"), *CJK_FONT_CANDIDATES):
        found = _usable(path)
        if found:
            return found
    found = _usable(_fc_match())
    if found:
        return found
    raise PdfFontMissing()
