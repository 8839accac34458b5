"""Certificates and login cards: real PDFs read back with pypdf.

The app fixture supplies the app context the labels are translated in. Sample PDFs (and,
when ``pdftoppm`` exists, PNGs of their first pages) land in tests/artifacts/ for a look.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from pypdf.generic import NameObject

from quiz.documents import fonts
from quiz.documents.certificates import Certificate, render_certificates
from quiz.documents.fonts import PdfFontMissing
from quiz.documents.layout import NothingToPrint
from quiz.documents.login_cards import LoginCard, render_login_cards

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# "Mongolian contest" and a name, built from code points (no typed Mongolian in code).
MN_CONTEST = "\u182e\u1823\u1829\u182d\u1823\u182f \u1830\u1820\u1829\u1826\u1828"
MN_NAME = "\u182a\u1820\u1832\u1825\u1837"
MN_JOINED = "\u182e\u1823\u1829\u182d\u1823\u182f"  # a word whose letters must join

ZH = Certificate(
    language="zh",
    participant_name="王小明",
    contest_title="2026年科学素养竞赛",
    round_title="决赛",
    league_name="初中组",
    score_text="85 / 100",
    rank=3,
    award="一等奖",
    issued_on=date(2026, 9, 20),
    serial="QZ-7F3K-92XA",
)
MN = Certificate(
    language="mn",
    participant_name=MN_NAME,
    contest_title=MN_CONTEST,
    round_title=None,
    league_name=MN_JOINED,
    score_text="72 / 100",
    rank=12,
    award=None,
    issued_on=date(2026, 9, 20),
    serial="QZ-MN01-0042",
)


def _card(number: int, language: str) -> LoginCard:
    return LoginCard(
        language=language,
        school_name="第一中学" if language == "zh" else MN_CONTEST,
        class_name="初二(3)班" if language == "zh" else "8-3",
        student_name="学生" + str(number) if language == "zh" else MN_NAME,
        username=f"s2026-{number:04d}",
        one_time_password=f"K7Q{number:02d}-X0lO",
        login_url="https://quiz.example.cn/login",
    )


def _save(name: str, data: bytes) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(data)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path)],
            check=True,
            timeout=60,
        )
    return path


def _reader(data: bytes) -> PdfReader:
    """pypdf reading ``data``; fpdf2 writes a CFF font's identity encoding as an embedded
    CMap stream, which pypdf's text extraction misreads, so name it ``/Identity-H``
    (the same mapping) first. Poppler's pdftotext reads the file as written."""
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if not isinstance(font.get("/Encoding"), NameObject):
                font[NameObject("/Encoding")] = NameObject("/Identity-H")
    return reader


def _font_names(reader: PdfReader, page: int = 0) -> set[str]:
    resources = reader.pages[page]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in resources.values()}


def _content(reader: PdfReader, page: int = 0) -> bytes:
    return reader.pages[page].get_contents().get_data()


def test_chinese_certificate_has_extractable_text_and_embedded_font(app: Flask) -> None:
    with app.app_context():
        data = render_certificates([ZH, ZH], issuer="内蒙古科学技术协会")
    _save("certificate-zh.pdf", data)
    reader = _reader(data)
    assert len(reader.pages) == 2
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = page.extract_text()
    for expected in ("王小明", "科学素养竞赛", "一等奖", "内蒙古科学技术协会", "QZ-7F3K-92XA"):
        assert expected in text
    assert "证书" in text  # the translated title, not the English msgid
    assert "Certificate" not in text
    assert any("NotoSansCJK" in name for name in _font_names(reader))
    assert not re.search(rb"0 -1 1 0 |6\.12323", _content(reader))  # no rotation in zh


def test_mongolian_certificate_is_shaped_vertical_text_in_the_bundled_font(app: Flask) -> None:
    with app.app_context():
        data = render_certificates([MN], issuer="Issuer")
    _save("certificate-mn.pdf", data)
    reader = _reader(data)
    assert len(reader.pages) == 1
    names = _font_names(reader)
    assert any("NotoSansMongolian" in name for name in names)
    # Every line is turned 90° clockwise: fpdf2 writes the rotation as a cm matrix.
    content = _content(reader).decode("latin-1")
    assert re.search(r"q\n0 -1 1 0 [-\d.]+ [-\d.]+ cm", content), content[:500]
    # Shaping: a Mongolian letter takes a different glyph at the start, middle and end of
    # a word. Unshaped text uses one (nominal) glyph per letter, so the font's ToUnicode map
    # would send one code to each letter; shaped text has several codes for one letter.
    mongolian = next(
        font.get_object()
        for font in reader.pages[0]["/Resources"]["/Font"].values()
        if "NotoSansMongolian" in str(font.get_object()["/BaseFont"])
    )
    to_unicode = mongolian["/ToUnicode"].get_data().decode("ascii")
    codes_per_letter: dict[str, set[str]] = {}
    for code, letter in re.findall(r"<([0-9A-F]+)> <([0-9A-F]+)>", to_unicode):
        codes_per_letter.setdefault(letter, set()).add(code)
    shaped = {
        chr(int(letter, 16))
        for letter, codes in codes_per_letter.items()
        if len(letter) == 4 and len(codes) > 1
    }
    assert shaped & set(MN_JOINED), codes_per_letter


def test_login_cards_eight_per_page_in_each_students_language(app: Flask) -> None:
    cards = [_card(n, "zh" if n % 2 else "mn") for n in range(1, 10)]
    with app.app_context():
        data = render_login_cards(cards)
    _save("login-cards.pdf", data)
    reader = _reader(data)
    assert len(reader.pages) == 2
    page = reader.pages[0]
    assert page.mediabox.height > page.mediabox.width  # portrait
    text = page.extract_text()
    assert "用户名" in text and "一次性密码" in text
    for number in range(1, 9):
        assert f"s2026-{number:04d}" in text
    assert "s2026-0009" in reader.pages[1].extract_text()
    assert any("NotoSansMongolian" in name for name in _font_names(reader))
    assert re.search(rb"\[[\d.]+ [\d.]+\] [\d.]+ d", _content(reader))  # dashed cut lines


def test_missing_chinese_font_is_a_clear_503(app: Flask, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", (str(tmp_path / "none.ttc"),))
    monkeypatch.setattr(fonts, "USE_FC_MATCH", False)
    monkeypatch.delenv("QUIZ_PDF_CJK_FONT", raising=False)
    app.config["QUIZ_PDF_CJK_FONT"] = str(fonts.MONGOLIAN_WOFF2)  # a font, but not Chinese
    with app.test_request_context(), pytest.raises(PdfFontMissing) as caught:
        render_login_cards([_card(1, "zh")])
    assert caught.value.status == 503
    assert caught.value.code == "pdf_font_missing"
    assert "PDF fonts" in caught.value.localized()  # names the section of the docs


def test_configured_font_path_wins(app: Flask, monkeypatch) -> None:
    found = fonts.cjk_font()
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", ())
    monkeypatch.setattr(fonts, "USE_FC_MATCH", False)
    app.config["QUIZ_PDF_CJK_FONT"] = found.path
    with app.app_context():
        assert fonts.cjk_font() == found


def test_empty_list_and_unknown_language_are_refused(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(NothingToPrint):
            render_login_cards([])
        with pytest.raises(NothingToPrint):
            render_certificates([], issuer="x")
        with pytest.raises(ValueError, match="language"):
            render_login_cards([LoginCard("en", "s", "c", "n", "u", "p", "url")])


def _shown_text(reader: PdfReader, page: int = 0) -> list[tuple[str, list[float], str]]:
    """(text, transformation matrix, font) of every piece of text drawn on a page."""
    found: list[tuple[str, list[float], str]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            found.append((text, list(cm), str(font.get("/BaseFont")) if font else ""))

    reader.pages[page].extract_text(visitor_text=visit)
    return found


def test_mongolian_login_card_codes_are_upright_and_copyable(app: Flask) -> None:
    """Username, password and address are horizontal Latin text (not turned on their
    side like the Mongolian words) and come out of the PDF as typed."""
    card = _card(2, "mn")
    with app.app_context():
        data = render_login_cards([card])
    _save("login-card-mn.pdf", data)
    reader = _reader(data)
    shown = _shown_text(reader)
    for code in (card.username, card.one_time_password, card.login_url):
        matches = [item for item in shown if item[0].strip() == code]
        assert len(matches) == 1, (code, shown)
        [(_, matrix, font)] = matches
        a, b, c, d = matrix[:4]
        assert (b, c) == (0, 0) and a > 0 and d > 0, (code, matrix)  # not rotated
        assert "Courier" in font
    assert card.one_time_password in reader.pages[0].extract_text()
    # The Mongolian words are still vertical lines in the bundled font.
    words = [m for text, m, font in shown if "NotoSansMongolian" in font]
    assert words and all(abs(m[1]) == 1 and m[0] == 0 for m in words), words
