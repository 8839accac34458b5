"""Every fixed Mongolian text the platform ships, with where it sits, for the checker.

``project_texts()`` walks the interface catalog, the bundled question banks, the region
names, templates and Python source with Mongolian literals, and the generated documents
with fixed Mongolian (the question-bank templates organizers download), yielding one
``Text`` per string with a ``file:line`` (or file and cell) location. ``project_findings``
runs ``question_bank.mongolian_check.check`` over them and ``glossary_findings`` compares
the catalog with the glossary: ``quiz i18n check-mongolian`` prints the result,
``tests/i18n/test_mongolian_texts.py`` counts the certain defects.
No Flask app is needed: only files are read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from question_bank.mongolian_check import Finding, check
from question_bank.mongolian_glossary import Term, mismatches

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path("quiz/translations/mn_Mong_CN/LC_MESSAGES/messages.po")
BANKS = Path("question_bank/banks")
REGIONS = Path("quiz/regions/data/inner_mongolia.csv")
SOURCES = ("catalog", "bank", "regions", "templates", "code", "documents")

_LETTER = re.compile("[\u1820-\u1878\u1880-\u18aa]")
# A string literal on one line of Python (enough for the constants that hold Mongolian).
_PY_STRING = re.compile(r"""(?P<q>["'])(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
IGNORE = "mongolian-check: ignore"  # a comment that keeps a line of source out of the check
_FROM_LATIN = re.compile(r"""\bfrom_latin\("([^"]+)"\)""")
_YAML_VALUE = re.compile(r"^\s*(?:-\s+)?(?:[A-Za-z_][\w-]*\s*:\s+)?(?P<value>.*)$")


@dataclass(frozen=True)
class Text:
    """One Mongolian string: which kind of source, where, and what it translates."""

    source: str  # one of SOURCES
    location: str  # path:line, or path and cell
    text: str
    context: str = ""  # the msgid, the Chinese name, the field


def _has_mongolian(text: str) -> bool:
    return bool(_LETTER.search(text))


def catalog_texts(root: Path = ROOT) -> Iterator[Text]:
    path = root / CATALOG
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for string in strings:
            if string:
                yield Text("catalog", f"{CATALOG}:{message.lineno}", string, msgid)


def bank_texts(root: Path = ROOT) -> Iterator[Text]:
    """Mongolian lines of the bundled YAML banks (the value after the key, unquoted)."""
    for path in sorted((root / BANKS).glob("*.yaml")):
        relative = path.relative_to(root)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#") or not _has_mongolian(line):
                continue
            match = _YAML_VALUE.match(line)
            value = (match.group("value") if match else line).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            yield Text("bank", f"{relative}:{number}", value, line.split(":", 1)[0].strip())


def region_texts(root: Path = ROOT) -> Iterator[Text]:
    path = root / REGIONS
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            if row.get("name_mn"):
                yield Text("regions", f"{REGIONS}:{number}", row["name_mn"], row["name_zh"])


def template_texts(root: Path = ROOT) -> Iterator[Text]:
    """Mongolian written straight into page templates (outside the catalog)."""
    for path in sorted((root / "templates").rglob("*.html")):
        relative = path.relative_to(root)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _has_mongolian(line):
                yield Text("templates", f"{relative}:{number}", line.strip())


def code_texts(root: Path = ROOT) -> Iterator[Text]:
    """String literals with Mongolian in the application and library source, and the
    words ``question_bank.formats.mongolian`` builds from a transliteration."""
    from question_bank.formats.mongolian import from_latin

    for top in ("quiz", "question_bank"):
        for path in sorted((root / top).rglob("*.py")):
            relative = path.relative_to(root)
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                if IGNORE in line:
                    continue
                for match in _FROM_LATIN.finditer(line):
                    yield Text("code", f"{relative}:{number}", from_latin(match.group(1)))
                if not _has_mongolian(line):
                    continue
                for match in _PY_STRING.finditer(line):
                    if _has_mongolian(match.group("body")):
                        yield Text("code", f"{relative}:{number}", match.group("body"))


def document_texts() -> Iterator[Text]:
    """The fixed Mongolian of generated documents: the question-bank templates in
    Mongolian (their headers, sheet names and words are built from a transliteration)."""
    from openpyxl import load_workbook

    from question_bank.formats.templates import SUFFIXES, TEMPLATE_FORMATS, template

    for fmt in TEMPLATE_FORMATS:
        data = template(fmt, "mn")
        name = f"question-bank-template-mn{SUFFIXES[fmt]}"
        if fmt == "xlsx":
            book = load_workbook(io.BytesIO(data), read_only=True)
            for sheet in book.worksheets:
                if _has_mongolian(sheet.title):
                    yield Text("documents", f"{name} {sheet.title}", sheet.title)
                for row in sheet.iter_rows():
                    for cell in row:
                        value = cell.value
                        if isinstance(value, str) and _has_mongolian(value):
                            where = f"{name} {sheet.title}!{cell.coordinate}"
                            yield Text("documents", where, value)
            book.close()
            continue
        if fmt == "docx":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                xml = archive.read("word/document.xml").decode("utf-8")
            lines = [
                "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))
                for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
            ]
        else:
            lines = data.decode("utf-8-sig").splitlines()
        for number, line in enumerate(lines, 1):
            if _has_mongolian(line):
                yield Text("documents", f"{name}:{number}", line)


def project_texts(root: Path = ROOT) -> Iterator[Text]:
    yield from catalog_texts(root)
    yield from bank_texts(root)
    yield from region_texts(root)
    yield from template_texts(root)
    yield from code_texts(root)
    if root == ROOT:  # the documents are generated by this checkout's code
        yield from document_texts()


def project_findings(root: Path = ROOT) -> list[tuple[Text, Finding]]:
    """Every finding of the checker over the shipped Mongolian, in file order."""
    return [
        (text, finding)
        for text in project_texts(root)
        for finding in check(text.text, context=text.context)
    ]


def glossary_findings(root: Path = ROOT) -> list[tuple[Text, Term]]:
    """Catalog entries whose msgid uses a glossary term while the translation lacks the
    glossary's form (or uses a form to avoid): ``docs/mongolian-glossary.md``."""
    return [
        (text, term) for text in catalog_texts(root) for term in mismatches(text.context, text.text)
    ]
