"""Every user-visible string is marked for translation, and both catalogs translate all.

* Templates: after removing Jinja blocks and expressions, no text node and no
  user-visible attribute (title, alt, aria-label, placeholder, button values and the
  texts our scripts show) may still contain a letter, apart from ALLOWED.
* Python under quiz/: flash(), ValidationFailed and every QuizError subclass get their
  message through _() / _l() (or a constant from question_bank.messages), never as a
  bare string literal.
* The zh_Hans_CN and mn_Mong_CN catalogs have no empty or fuzzy entry, keep every
  placeholder, are NFC, and the Mongolian entries are in Mongolian script.
* messages.pot and both .po files list exactly the msgids the sources have now
  (`make messages` was run after the last change).
"""

from __future__ import annotations

import ast
import re
import shlex
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from quiz.i18n import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "quiz" / "translations"
LOCALES = ("zh_Hans_CN", "mn_Mong_CN")

# Text that is the same in every language: each language's name written in itself.
ALLOWED = frozenset(LANGUAGE_NAMES.values())

LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")
MONGOLIAN = re.compile("[\u1820-\u1878\u1880-\u18aa]")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")

# Attributes whose values people read or hear.
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}
SCRIPT_TEXT_ATTRIBUTE = re.compile(r"^data-(text-[\w-]+|[\w-]+-text|announce)$")


# --------------------------------------------------------------------------- templates


def strip_jinja(source: str) -> str:
    """The template with comments and blocks removed and expressions replaced by '0'."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    # Blocks that fill an attribute (e.g. {% block body_class %}projector{% endblock %}).
    source = re.sub(
        r"\{%-?\s*block\s+\w*_class\s*-?%\}.*?\{%-?\s*endblock", "{%", source, flags=re.S
    )
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}", "0", source, flags=re.S)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or SCRIPT_TEXT_ATTRIBUTE.match(name)
            if name == "value" and tag == "input":  # a <button>'s value is never shown
                visible = values.get("type") in ("submit", "button", "reset")
            if visible and value:
                self._check(f"{tag}[{name}]", value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check("text", data)

    def _check(self, where: str, text: str) -> None:
        text = text.strip()
        if text and text not in ALLOWED and LETTER.search(text):
            self.found.append((self.getpos()[0], f"{where}: {text!r}"))


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    parser = _VisibleText()
    parser.feed(strip_jinja(source))
    parser.close()
    return parser.found


def test_the_template_check_finds_bare_text() -> None:
    bad = """<p>Hello {{ name }}</p><button aria-label="Close">{{ _("x") }}</button>
    <span data-text-saved="Saved"></span><input type="submit" value="Go">"""
    found = [message for _line, message in untranslated_template_text(bad)]
    assert found == [
        "text: 'Hello 0'",
        "button[aria-label]: 'Close'",
        "span[data-text-saved]: 'Saved'",
        "input[value]: 'Go'",
    ]
    good = """{# a comment with words #}{% if x %}<p class="card" title="{{ _('Title') }}">
    {{ _("Hello %(n)s", n=name) }} · 3 / 20 ✓ – {{ q.text }}</p>{% endif %}
    <input type="hidden" name="next" value="/contests"><button name="nav" value="next">0</button>
    <body class="{% block body_class %}projector{% endblock %}">"""
    assert untranslated_template_text(good) == []
    for name in ALLOWED:
        assert untranslated_template_text(f"<button>{name}</button>") == []


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_mark_every_visible_string(path: Path) -> None:
    found = untranslated_template_text(path.read_text(encoding="utf-8"))
    assert not found, "wrap in _(): " + "; ".join(f"line {n}: {m}" for n, m in found)


# --------------------------------------------------------------------------- Python


def _python_files() -> list[Path]:
    return sorted(p for p in (ROOT / "quiz").rglob("*.py") if "migrations" not in p.parts)


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of QuizError and every class that inherits from it (by name, transitively)."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"QuizError"}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                changed = True
    return found


def _bare_strings(node: ast.AST) -> list[ast.AST]:
    """String literals (and f-strings, concatenations) that reach the user untranslated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node] if LETTER.search(node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.BinOp):
        return _bare_strings(node.left) + _bare_strings(node.right)
    if isinstance(node, ast.Dict):  # ValidationFailed({"field": [message, ...]})
        return [bad for value in node.values for bad in _bare_strings(value)]
    if isinstance(node, ast.List | ast.Tuple):
        return [bad for item in node.elts for bad in _bare_strings(item)]
    if isinstance(node, ast.IfExp):
        return _bare_strings(node.body) + _bare_strings(node.orelse)
    return []


def untranslated_messages(source: str, error_classes: set[str]) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "flash":
            messages = node.args[:1] + [k.value for k in node.keywords if k.arg == "message"]
        elif name in error_classes:
            messages = node.args[:2] + [
                k.value for k in node.keywords if k.arg in ("message", "fields")
            ]
        else:
            continue
        for bad in (b for m in messages for b in _bare_strings(m)):
            problems.append(f"line {bad.lineno}: {name}({ast.unparse(bad)})")
    return problems


def test_the_python_check_finds_bare_messages() -> None:
    classes = {"QuizError", "NotFound", "ValidationFailed"}
    source = """
flash("Saved!", "success")
flash(_("Saved!"), "success")
raise NotFound("No such thing.")
raise NotFound(_l("No such thing."), code="thing_not_found")
raise ValidationFailed({"name": ["Too long."]})
raise ValidationFailed({"name": [_l("Too long.")]})
raise errors.QuizError(f"bad {x}")
raise QuizError(messages.FILE_EMPTY, code="empty")
"""
    assert untranslated_messages(source, classes) == [
        "line 2: flash('Saved!')",
        "line 4: NotFound('No such thing.')",
        "line 6: ValidationFailed('Too long.')",
        "line 8: QuizError(f'bad {x}')",
    ]


def test_python_messages_are_marked_for_translation() -> None:
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in _python_files()}
    classes = _error_classes(trees)
    assert {"QuizError", "ValidationFailed", "NotFound", "Conflict"} <= classes
    problems = []
    for path in trees:
        for problem in untranslated_messages(path.read_text(encoding="utf-8"), classes):
            problems.append(f"{path.relative_to(ROOT)} {problem}")
    assert not problems, "wrap in _() or _l(): " + "; ".join(problems)


# --------------------------------------------------------------------------- catalogs


def _catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, list | tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_translates_every_entry(locale: str) -> None:
    catalog = _catalog(locale)
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    problems = []
    for message in catalog:
        if not message.id:
            assert "fuzzy" not in message.flags, "the header is fuzzy"
            continue
        msgid, strings = _ids(message)[0], _strings(message)
        if not all(strings):
            problems.append(f"untranslated: {msgid!r}")
            continue
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {msgid!r}")
        wanted = {p for i in _ids(message) for p in PLACEHOLDER.findall(i)}
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {msgid!r} -> {text!r}")
            if text != unicodedata.normalize("NFC", text):
                problems.append(f"not NFC: {msgid!r}")
            words = PLACEHOLDER.sub("", text)
            if locale.startswith("mn"):
                if LETTER.search(PLACEHOLDER.sub("", msgid)) and not MONGOLIAN.search(words):
                    problems.append(f"not in Mongolian script: {msgid!r} -> {text!r}")
                if HAN.search(words) and not HAN.search(msgid):
                    problems.append(f"Chinese in the Mongolian catalog: {msgid!r}")
            elif LETTER.search(PLACEHOLDER.sub("", msgid)) and not HAN.search(words):
                problems.append(f"not in Chinese: {msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def _extract_pot(tmp_path: Path) -> Path:
    """Run the extractor exactly as `make messages` does, into a temporary file."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    command = re.search(
        r"pybabel extract (.*?) -o quiz/translations/messages.pot \.", makefile, re.S
    )
    assert command, "the Makefile's messages target changed: update this test"
    options = shlex.split(command.group(1).replace("\\\n", " "))
    target = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", *options, "-o", str(target), str(ROOT)])
    return target


def _msgids(path: Path) -> set[tuple[str, ...]]:
    with open(path, "rb") as handle:
        return {_ids(m) for m in read_po(handle) if m.id}


def test_catalogs_are_up_to_date_with_the_sources(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # babel.cfg patterns are relative to the repository
    fresh = _msgids(_extract_pot(tmp_path))
    assert fresh, "the extractor found nothing"
    committed = _msgids(TRANSLATIONS / "messages.pot")
    assert not fresh - committed, f"run `make messages`: new msgids {sorted(fresh - committed)}"
    assert not committed - fresh, f"run `make messages`: gone msgids {sorted(committed - fresh)}"
    for locale in LOCALES:
        in_po = {_ids(m) for m in _catalog(locale) if m.id}
        assert in_po == fresh, f"{locale}: run `make messages` (differs by {sorted(in_po ^ fresh)})"
