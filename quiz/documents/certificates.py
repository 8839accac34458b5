"""Contest certificates: one A4 landscape page per participant, in their own language.

Pure over plain data: the caller (a route or a CLI command) loads results, formats the
score and localizes the award, then calls ``render_certificates`` inside a Flask app
context (the fixed labels are translated with Flask-Babel in each certificate's language).
Raises ``PdfFontMissing`` (503) when the host has no Chinese font, ``NothingToPrint`` (422)
for an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from quiz.dates import format_day
from quiz.documents.layout import Line, NothingToPrint, draw, pdf_document, speaking

A4_LANDSCAPE = (297.0, 210.0)
_ACCENT = (150, 30, 30)
_INK = (30, 30, 30)
_MUTED = (90, 90, 90)


@dataclass(frozen=True)
class Certificate:
    """What one certificate says; every field is already in the participant's language."""

    language: str  # "zh" or "mn"
    participant_name: str
    contest_title: str
    round_title: str | None
    league_name: str
    score_text: str  # already formatted, e.g. "85 / 100"
    rank: int | None  # rank in league; None for a participation certificate
    award: str | None  # e.g. a prize name, already localized by the caller
    issued_on: date  # the day in the contests' time zone (quiz.dates.local_day)
    serial: str  # verification code printed on the certificate


def _lines(cert: Certificate, issuer: str) -> list[Line]:
    """The certificate's text, top to bottom (Chinese) or left to right (Mongolian)."""
    with speaking(cert.language):
        if cert.rank is not None or cert.award:
            title = _("Certificate of Achievement")
        else:
            title = _("Certificate of Participation")
        if cert.rank is not None:
            standing = _("Rank %(rank)d in %(league)s", rank=cert.rank, league=cert.league_name)
        else:
            standing = _("League: %(league)s", league=cert.league_name)
        lines = [
            Line(title, 36, _ACCENT),
            Line("", 10),
            Line(_("Awarded to"), 13, _MUTED),
            Line(cert.participant_name, 28, _INK),
            Line("", 6),
            Line(cert.contest_title, 17, _INK),
        ]
        if cert.round_title:
            lines.append(Line(cert.round_title, 13, _INK))
        lines += [Line(standing, 13, _INK), Line(_("Score: %(score)s", score=cert.score_text), 13)]
        if cert.award:
            lines.append(Line(cert.award, 20, _ACCENT))
        lines += [
            Line("", 12),
            Line(issuer, 13, _INK),
            Line(
                _("Issued on %(date)s", date=format_day(cert.issued_on, cert.language)), 11, _MUTED
            ),
            Line(_("Verification code: %(serial)s", serial=cert.serial), 9, _MUTED),
        ]
        return lines


def render_certificates(certificates: Sequence[Certificate], issuer: str) -> bytes:
    """One A4 landscape page per certificate, as PDF bytes (needs an app context).

    ``issuer`` (the organizing body) is printed as given on every page.
    """
    if not certificates:
        raise NothingToPrint()
    with pdf_document("L", "Certificates") as pdf:
        width, height = A4_LANDSCAPE
        for cert in certificates:
            lines = _lines(cert, issuer)
            pdf.add_page()
            pdf.set_draw_color(*_ACCENT)
            pdf.set_line_width(1.2)
            pdf.rect(10, 10, width - 20, height - 20)
            pdf.set_line_width(0.3)
            pdf.rect(13, 13, width - 26, height - 26)
            draw(pdf, lines, cert.language, (30, 25, width - 60, height - 50), spacing=1.9)
        return bytes(pdf.output())
