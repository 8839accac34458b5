#!/usr/bin/env python3
"""Fail on any syntax error in the project's stylesheets (``make lint`` runs it).

Why: a browser drops what it cannot parse without a word. One unclosed rule in
``static/css/app.css`` once swallowed every console rule after it (they became rules
nested in it, which match nothing), and nothing failed. This parses every ``*.css`` file
under the given folders with tinycss2 (the CSS Syntax Level 3 parser) and reports:

- a block, bracket, string or comment that is never closed (the file must end at the top
  level: a sentinel rule appended to the text must come out as a top-level rule);
- an unmatched ``}`` / ``)`` / ``]``, and anything the parser recovers from (a declaration
  without a colon, a rule without a block, ``@media`` without a block);
- a rule inside a style rule: CSS nesting is valid CSS, but this project does not use it,
  and an unclosed brace shows up exactly like this;
- an empty declaration value, and a declaration outside any rule.

Usage (from the repository root): ``.venv/bin/python tools/check_css.py [DIR_OR_FILE ...]``
(default: ``static``). Exit status 1 and one ``file:line:column: message`` per error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import tinycss2
from tinycss2 import ast

SENTINEL = "@quiz-end-of-file;"
# At-rules whose block holds rules, and those whose block holds declarations.
RULE_BLOCKS = {
    "media",
    "supports",
    "layer",
    "container",
    "document",
    "scope",
    "starting-style",
    "keyframes",
}
DECLARATION_BLOCKS = {"font-face", "page", "property", "counter-style", "font-palette-values"}
STATEMENTS = {"import", "charset", "namespace", "layer"}


def _errors_in_tokens(tokens: Iterable[ast.Node]) -> Iterator[ast.ParseError]:
    """ParseErrors anywhere in component values (inside blocks and functions too)."""
    for token in tokens:
        if isinstance(token, ast.ParseError):
            yield token
        content = getattr(token, "content", None) or getattr(token, "arguments", None)
        if isinstance(content, list):
            yield from _errors_in_tokens(content)


def _declarations(nodes: list[ast.Node], where: str) -> Iterator[tuple[ast.Node, str]]:
    for node in nodes:
        if isinstance(node, ast.ParseError):
            yield node, f"{node.message} (in {where})"
        elif isinstance(node, ast.Declaration):
            value = [t for t in node.value if t.type not in ("whitespace", "comment")]
            if not value:
                yield node, f"empty value for {node.name!r} (in {where})"
            for error in _errors_in_tokens(node.value):
                yield error, f"{error.message} (in {node.name!r} of {where})"
        elif isinstance(node, ast.AtRule) and node.at_keyword == SENTINEL[1:-1]:
            pass  # reported once by check(): the file ends inside this block
        elif isinstance(node, ast.QualifiedRule | ast.AtRule):
            yield (
                node,
                f"a rule inside {where}: a brace left open above? (nesting is not used here)",
            )


def _selector(rule: ast.QualifiedRule) -> str:
    return " ".join(tinycss2.serialize(rule.prelude).split()) or "(empty selector)"


def _rules(nodes: list[ast.Node]) -> Iterator[tuple[ast.Node, str]]:
    for node in nodes:
        if isinstance(node, ast.ParseError):
            yield node, node.message
        elif isinstance(node, ast.QualifiedRule):
            where = _selector(node)
            for error in _errors_in_tokens(node.prelude):
                yield error, f"{error.message} (in the selector {where})"
            if not [t for t in node.prelude if t.type not in ("whitespace", "comment")]:
                yield node, "a block without a selector"
            contents = tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            )
            yield from _declarations(contents, where)
        elif isinstance(node, ast.AtRule):
            name = node.lower_at_keyword
            where = f"@{node.at_keyword}"
            for error in _errors_in_tokens(node.prelude):
                yield error, f"{error.message} (in {where})"
            if name in RULE_BLOCKS and node.content is not None:
                yield from _rules(
                    tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
                )
            elif name in DECLARATION_BLOCKS and node.content is not None:
                contents = tinycss2.parse_blocks_contents(
                    node.content, skip_comments=True, skip_whitespace=True
                )
                yield from _declarations(contents, where)
            elif name in STATEMENTS and node.content is None:
                pass
            elif node.content is None:
                yield node, f"{where} needs a block"
            else:
                yield node, f"unknown at-rule {where}"


def check(css: str) -> list[tuple[int, int, str]]:
    """The errors in one stylesheet: (line, column, message), in file order."""
    nodes = tinycss2.parse_stylesheet(
        css + "\n" + SENTINEL, skip_comments=True, skip_whitespace=True
    )
    errors: list[tuple[int, int, str]] = []
    last = nodes[-1] if nodes else None
    if isinstance(last, ast.AtRule) and last.at_keyword == SENTINEL[1:-1]:
        nodes = nodes[:-1]
    else:
        start = f" (the last top-level rule starts at line {last.source_line})" if last else ""
        errors.append(
            (
                1 + css.count("\n"),
                1,
                f"the file ends inside a block, bracket, string or comment{start}",
            )
        )
    for node, message in _rules(nodes):
        errors.append((node.source_line, node.source_column, message))
    return sorted(set(errors))


def stylesheets(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.css")) if path.is_dir() else [path])
    return found


def main(argv: list[str] | None = None) -> int:
    args = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or [Path("static")]
    files = stylesheets(args)
    if not files:
        print(f"check_css: no .css files under {', '.join(map(str, args))}", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        for line, column, message in check(path.read_text(encoding="utf-8")):
            print(f"{path}:{line}:{column}: {message}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"check_css: {failed} error(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    print(f"check_css: {len(files)} stylesheet(s) parse cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
