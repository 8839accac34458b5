"""Printable PDFs in Chinese and traditional Mongolian: contest certificates, login cards.

Pure functions over plain dataclasses (no request, no database): the caller gathers the
data, then calls ``render_certificates`` / ``render_login_cards`` inside a Flask app
context (fixed labels are translated with Flask-Babel into each document's language) and
sends the bytes as ``application/pdf``. Mongolian documents are laid out in vertical
lines (top to bottom, lines left to right), Chinese ones horizontally.

Errors (``QuizError`` subclasses, which the app's handlers already render as a page or
JSON): ``PdfFontMissing`` (503, ``pdf_font_missing``) when the server has no Chinese font
(docs/operations.md, "PDF fonts"), ``NothingToPrint`` (422) for an empty list. Rendering
takes about a second (loading the CJK font dominates), so routes should render one class
or one league per request, not a whole contest.
"""

from quiz.documents.certificates import Certificate, render_certificates
from quiz.documents.fonts import PdfFontMissing
from quiz.documents.layout import NothingToPrint
from quiz.documents.login_cards import LoginCard, render_login_cards

__all__ = [
    "Certificate",
    "LoginCard",
    "NothingToPrint",
    "PdfFontMissing",
    "render_certificates",
    "render_login_cards",
]
