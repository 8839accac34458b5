"""tools/check_css.py (run by ``make lint``): a stylesheet that does not parse cannot land."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_css", ROOT / "tools" / "check_css.py")
assert _spec and _spec.loader
check_css = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_css)


def test_the_project_stylesheets_parse(capsys):
    files = check_css.stylesheets([ROOT / "static"])
    assert {p.name for p in files} >= {"app.css", "schools.css"}
    assert check_css.main([str(ROOT / "static")]) == 0
    assert capsys.readouterr().err == ""


def test_an_unclosed_rule_is_reported_where_it_opens():
    """The bug this check was written for: the rules after it became nested, unused rules."""
    css = (
        ".grouped-choice li {\n  display: flex;\n  min-block-size: 2.75rem;\n"
        "/* Organizer console */\ntable.console {\n  inline-size: 100%;\n}\n"
        "svg.monitor-chart {\n  fill: #2f6fb3;\n}\n"
    )
    errors = check_css.check(css)
    messages = [message for _, _, message in errors]
    assert any("ends inside a block" in m and "line 1)" in m for m in messages), errors
    assert [line for line, _, m in errors if "rule inside .grouped-choice li" in m] == [5, 8]
    assert check_css.check(css.replace("2.75rem;\n", "2.75rem;\n}\n")) == []


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("a { color: red } }\nb { color: blue }", "Unmatched }"),
        ("a { color }", "a"),
        ("a { color: ; }", "empty value for 'color'"),
        ('a { content: "open }\n', "Bad string"),
        ("a { color: red } /* never closed", "ends inside"),
        ("a { inline-size: calc(1px + 2px; }", "ends inside"),
        ("@media (min-width: 40rem) { a { color: red }", "ends inside"),
        ("@media (min-width: 40rem) { a { color: red; b { margin: 0 } } }", "rule inside a"),
        ("@media screen;", "@media needs a block"),
        ("@font-face { font-family: x; src: url(x.woff2) format( }", "ends inside"),
        ("{ color: red }", "without a selector"),
    ],
)
def test_syntax_errors_fail(css, expected):
    errors = check_css.check(css)
    assert errors, css
    assert any(expected in message for _, _, message in errors), errors


def test_valid_modern_css_passes():
    css = """
    @font-face { font-family: "Q"; src: url("f.woff2") format("woff2");
                 unicode-range: U+1800-18AF, U+202F; }
    :root { --x: min(60vh, 28rem); }
    html[lang="mn-Mong-CN"] .a:has(input:checked) > b::before { content: "✓"; }
    @supports not selector(:focus-visible) { :focus { outline: 3px solid red; } }
    @media print { .a { display: none !important; } }
    """
    assert check_css.check(css) == []


def test_the_command_fails_with_file_and_line(tmp_path, capsys):
    (tmp_path / "ok.css").write_text("a { color: red }\n", encoding="utf-8")
    (tmp_path / "bad.css").write_text("a { color: red }\nb { margin: 0\n", encoding="utf-8")
    assert check_css.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.css'}:3:1: the file ends inside a block" in err
    assert "ok.css" not in err
    assert check_css.main([str(tmp_path / "ok.css")]) == 0
