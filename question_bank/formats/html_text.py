"""HTML from Moodle (questions, answers, feedback) to the plain text the bank stores.

A parser, not regular expressions: tags are dropped, entities decoded, scripts and
styles dropped with their content, ``<br>`` and block ends become line breaks, and runs
of white space collapse as a browser would show them. Nothing is ever executed or
fetched; images, sounds and links are only noticed, so the importer can warn that the
question refers to something it does not carry.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_MEDIA = frozenset({"img", "audio", "video", "object", "embed", "iframe", "source"})
_SPACE = re.compile(r"[ \t\n\r\f\v]+")

# What makes a "moodle auto-format" text HTML rather than text that happens to hold '<'.
_LOOKS_LIKE_HTML = re.compile(
    r"</?(?:a|b|br|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|span|strong|sub|sup|table|td|"
    r"th|tr|u|ul|audio|video)\b[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);",
    re.IGNORECASE,
)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.media = False
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre += 1
        if tag in _MEDIA - {"img"} or (tag == "a" and any(name == "href" for name, _ in attrs)):
            self.media = True
        if tag == "img" and not self.skipping:
            values = dict(attrs)
            self.images.append((values.get("src") or "", values.get("alt") or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.parts.append(data if self.pre else _SPACE.sub(" ", data))


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def html_parts(html: str) -> tuple[str, list[tuple[str, str]], bool]:
    """Plain text of an HTML fragment, its pictures as (src, alt) (the alt text is kept
    for the picture, not glued onto the text), and whether it referred to other media
    (sound, video) or links."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [line.strip(" ") for line in "".join(parser.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.images, parser.media


def html_to_text(html: str) -> tuple[str, bool]:
    """Plain text of an HTML fragment, and whether it referred to media or links."""
    text, images, other = html_parts(html)
    return text, other or bool(images)
