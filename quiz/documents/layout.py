"""The drawing both documents share: fonts, language switching, and text in either direction.

A document is a list of ``Line``s laid out in a box. Chinese lines run left to right and
stack downwards. Traditional Mongolian is written in vertical lines, top to bottom, the
lines running left to right: each Mongolian line is drawn as horizontal, harfbuzz-shaped
text rotated 90° clockwise, so the glyphs join and stand exactly as in vertical writing,
and the lines stack rightwards. Latin words and digits inside Mongolian lie on their side,
like ``text-orientation: mixed`` on the web pages.

Fonts: ``mong`` (bundled Noto Sans Mongolian) and ``cjk`` (the host's Chinese font, which
also supplies Latin and digits); each is the other's fallback, so a Mongolian name on a
Chinese certificate (or the reverse) still prints. ASCII credentials use the PDF core font
Courier so that 0/O and 1/l stay apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from quiz.documents.fonts import cjk_font, mongolian_font
from quiz.errors import QuizError
from quiz.i18n import LOCALES

PT = 25.4 / 72  # millimetres per point


class NothingToPrint(QuizError):
    """An empty list was asked for: there is no page to make."""

    status = 422
    code = "nothing_to_print"

    def __init__(self) -> None:
        super().__init__(_l("There is nothing to print."))


@dataclass(frozen=True)
class Line:
    """One piece of text: its size in points, colour, and whether it is a code (Courier)."""

    text: str
    size: float
    color: tuple[int, int, int] = (0, 0, 0)
    code: bool = False


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate fixed labels into ``language`` ('zh'/'mn'); needs a Flask app context."""
    if language not in LOCALES:
        raise ValueError(f"unknown document language {language!r}")
    if not has_app_context():
        raise RuntimeError("PDF labels are translated with Flask-Babel: push an app context")
    with force_locale(LOCALES[language]):
        yield


def new_pdf(orientation: str, title: str) -> FPDF:
    """An A4 document with both fonts loaded and text shaping on (``PdfFontMissing``)."""
    cjk, mongolian = cjk_font(), mongolian_font()
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("quiz")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.add_font("cjk", fname=cjk.path, collection_font_number=cjk.index)
    pdf.add_font("mong", fname=mongolian.path)
    pdf.set_text_shaping(True)
    return pdf


@contextmanager
def pdf_document(orientation: str, title: str) -> Iterator[FPDF]:
    """``new_pdf`` whose font files are closed when the block ends, output or error: fpdf2
    keeps them open for lazy fontTools reads until garbage collection otherwise."""
    pdf = new_pdf(orientation, title)
    try:
        yield pdf
    finally:
        for font in pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def _use(pdf: FPDF, line: Line, language: str) -> None:
    """Select the font for ``line``: Courier for ASCII codes, else the language's font."""
    if line.code and line.text.isascii():
        pdf.set_font("Courier", "B", line.size)
    else:
        primary, fallback = ("mong", "cjk") if language == "mn" else ("cjk", "mong")
        pdf.set_font(primary, size=line.size)
        pdf.set_fallback_fonts([fallback])
    pdf.set_text_color(*line.color)


def _wrapped(pdf: FPDF, line: Line, language: str, length: float) -> list[str]:
    """``line`` broken into pieces no longer than ``length`` mm (one piece if it fits)."""
    if not line.text:
        return [""]
    if len(line.text) * line.size * PT <= length:
        return [line.text]  # no glyph is wider than 1 em: it fits, skip shaping it twice
    _use(pdf, line, language)
    return pdf.multi_cell(length, text=line.text, dry_run=True, output="LINES")


def draw(
    pdf: FPDF,
    lines: Sequence[Line],
    language: str,
    box: tuple[float, float, float, float],
    *,
    align: str = "C",
    spacing: float = 1.45,
    upright: bool = False,
) -> None:
    """Lay ``lines`` out in ``box`` (x, y, width, height, mm) in the language's direction.

    The block is centred across the lines (vertically for Chinese, horizontally for
    Mongolian); ``align`` places text along each line: "C" centred, "L" at its start.
    ``upright`` writes horizontal lines whatever the language (Latin codes on a
    Mongolian card: read and copied as they are typed, not turned on their side).
    """
    x, y, width, height = box
    vertical = language == "mn" and not upright
    length = height if vertical else width  # how long one written line may be
    pieces = [(line, text) for line in lines for text in _wrapped(pdf, line, language, length)]
    depth = sum(line.size * PT * spacing for line, _ in pieces)
    offset = ((width if vertical else height) - depth) / 2
    for line, text in pieces:
        thickness = line.size * PT * spacing
        if text:
            _use(pdf, line, language)
            if vertical:
                # Rotating clockwise about (px, y) puts the cell in [px - thickness, px].
                px = x + offset + thickness
                with pdf.rotation(-90, px, y):
                    pdf.set_xy(px, y)
                    pdf.cell(length, thickness, text, align=align)
            else:
                pdf.set_xy(x, y + offset)
                pdf.cell(length, thickness, text, align=align)
        offset += thickness
