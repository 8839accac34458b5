"""Login cards: eight per A4 portrait page (2 × 4) with dashed cut lines.

Teachers print them and hand each student their card: school, class, name, username,
one-time password and where to log in, each card in its student's language. A Mongolian
card writes its words in vertical lines, and the username, password and address upright
(horizontal Latin text, as the student types it, and copyable from the PDF), each beside
its vertical label. Pure over plain data; needs a Flask app context for
the translated labels. Raises ``PdfFontMissing`` (503) without a Chinese font on the host
and ``NothingToPrint`` (422) for an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from quiz.documents.layout import Line, NothingToPrint, draw, pdf_document, speaking

PAGE = (210.0, 297.0)
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
PADDING = 8.0  # mm inside each card: also keeps text clear of printers' dead margins
_MUTED = (100, 100, 100)


@dataclass(frozen=True)
class LoginCard:
    """One student's card; names are printed as given."""

    language: str  # "zh" or "mn"
    school_name: str
    class_name: str
    student_name: str
    username: str
    one_time_password: str
    login_url: str


def _lines(card: LoginCard) -> list[Line]:
    with speaking(card.language):
        return [
            Line(f"{card.school_name} · {card.class_name}", 9, _MUTED),
            Line(card.student_name, 15),
            Line(_("Username"), 8, _MUTED),
            Line(card.username, 13, code=True),
            Line(_("One-time password"), 8, _MUTED),
            Line(card.one_time_password, 14, code=True),
            Line(_("Log in at"), 8, _MUTED),
            Line(card.login_url, 9, code=True),
        ]


MN_WORDS_SHARE = 0.24  # of a Mongolian card's width: school, class and name
MN_LABEL_WIDTH = 11.0  # mm: a vertical label beside each upright code


def _draw_mongolian(pdf, card: LoginCard, box: tuple[float, float, float, float]) -> None:
    """Vertical words on the left; on the right one row per code: its label (vertical)
    and the code itself, upright."""
    x, y, width, height = box
    words = width * MN_WORDS_SHARE
    with speaking("mn"):
        head = [
            Line(f"{card.school_name} · {card.class_name}", 9, _MUTED),
            Line(card.student_name, 15),
        ]
        rows = [
            (_("Username"), Line(card.username, 13, code=True)),
            (_("One-time password"), Line(card.one_time_password, 14, code=True)),
            (_("Log in at"), Line(card.login_url, 8, code=True)),
        ]
    draw(pdf, head, "mn", (x, y, words, height), align="L", spacing=1.3)
    left = x + words + 2
    row_height = height / len(rows)
    for index, (label, code) in enumerate(rows):
        top = y + index * row_height
        label_box = (left, top, MN_LABEL_WIDTH, row_height)
        draw(pdf, [Line(label, 7, _MUTED)], "mn", label_box, align="C", spacing=1.2)
        code_x = left + MN_LABEL_WIDTH + 1
        code_box = (code_x, top, x + width - code_x, row_height)
        draw(pdf, [code], "mn", code_box, align="L", spacing=1.3, upright=True)


def _cut_lines(pdf) -> None:
    width, height = PAGE
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=2)
        for column in range(1, COLUMNS):
            pdf.line(width * column / COLUMNS, 0, width * column / COLUMNS, height)
        for row in range(1, ROWS):
            pdf.line(0, height * row / ROWS, width, height * row / ROWS)


def render_login_cards(cards: Sequence[LoginCard]) -> bytes:
    """PDF bytes: cards in the given order, left to right then down, 8 per page."""
    if not cards:
        raise NothingToPrint()
    with pdf_document("P", "Login cards") as pdf:
        card_w, card_h = PAGE[0] / COLUMNS, PAGE[1] / ROWS
        for index, card in enumerate(cards):
            slot = index % PER_PAGE
            if slot == 0:
                pdf.add_page()
                _cut_lines(pdf)
            x = (slot % COLUMNS) * card_w + PADDING
            y = (slot // COLUMNS) * card_h + PADDING
            box = (x, y, card_w - 2 * PADDING, card_h - 2 * PADDING)
            if card.language == "mn":
                _draw_mongolian(pdf, card, box)
            else:
                draw(pdf, _lines(card), card.language, box, align="L", spacing=1.3)
        return bytes(pdf.output())
