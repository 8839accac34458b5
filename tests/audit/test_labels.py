"""Every event name the code records, and every field a snapshot can hold, has a label in
the reader's language (issue 14): the log pages never show ``certificates.export`` or
``frozen_at``. The names are read from the code itself, so a new event without a label
fails here, not in front of an organizer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from quiz.audit import labels

ROOT = Path(__file__).resolve().parents[2] / "quiz"

# Helpers that record an event, and where their action argument is: (position, prefix,
# suffix). A call to ``record`` itself passes ``action=``.
RECORDERS = {
    "record": (None, "", ""),
    "_record": (1, "", ""),  # quiz/admin/services.py
    "_record_league": (0, "", ""),  # quiz/organizer/services.py
    "_audit_export": (0, "", ".export"),  # quiz/results/routes.py
    "_set_flag": (3, "", ""),  # quiz/banks/console.py (retire, reserve)
    "_record_picture_change": (1, "", ""),  # quiz/banks/picture_editing.py
}
# ``_audit`` is two helpers: the admin one (actor, "user.x", ...) and the live one
# (game, actor, "advance", ...), which records "live.<action>".
AUDIT_HELPERS = {
    "quiz/admin/services.py": (1, "", ""),
    "quiz/live/services.py": (2, "live.", ""),
}
# Inside these helper definitions the action is a variable passed through.
PASS_THROUGH = {
    "_record",
    "_record_league",
    "_audit_export",
    "_audit",
    "_set_flag",
    "_record_picture_change",
}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST) -> list[str] | None:
    """The string constants an expression can be ("a" or "a" if x else "b"); None: dynamic."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, other = _strings(node.body), _strings(node.orelse)
        if body is not None and other is not None:
            return body + other
    return None


def _sources() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(ROOT.parent)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _recorded() -> tuple[set[str], list[str], set[str]]:
    """(event names, calls whose name cannot be read, field names) found in the code."""
    actions: set[str] = set()
    unreadable: list[str] = []
    fields: set[str] = set()
    for filename, tree in _sources():
        constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        helpers = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name in PASS_THROUGH
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in helpers:
                continue
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            spec = AUDIT_HELPERS.get(filename) if name == "_audit" else RECORDERS.get(name or "")
            if spec is None:
                continue
            if name == "record" and not any(k.arg == "action" for k in node.keywords):
                continue  # another function called record (e.g. a fixture)
            index, prefix, suffix = spec
            argument = (
                next((k.value for k in node.keywords if k.arg == "action"), None)
                if index is None
                else (node.args[index] if len(node.args) > index else None)
            )
            found = _strings(argument) if argument is not None else None
            inside = _enclosing(tree, node)
            if found is None:
                if inside in helpers or (inside or "").startswith("_record"):
                    continue
                unreadable.append(f"{filename}:{node.lineno}")
                continue
            actions.update(prefix + value + suffix for value in found)
            # Field names: dict literals passed as before/after (keyword or positional),
            # and keyword arguments that an export helper puts into ``after``.
            values = [k.value for k in node.keywords if k.arg in ("before", "after")]
            values += [a for a in node.args if isinstance(a, ast.Dict)]
            for value in values:
                if isinstance(value, ast.Dict):
                    fields.update(k.value for k in value.keys if isinstance(k, ast.Constant))
            if name in ("_audit_export", "_audit"):
                fields.update(k.arg for k in node.keywords if k.arg not in (None, "after"))
        # snapshot(obj, FIELDS) and snapshot(obj, ("a", "b")): what a snapshot holds.
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "snapshot" and len(node.args) > 1:
                names = node.args[1]
                if isinstance(names, ast.Name) and names.id in constants:
                    names = constants[names.id]
                if isinstance(names, ast.Tuple | ast.List):
                    fields.update(e.value for e in names.elts if isinstance(e, ast.Constant))
        # Fixed keys inside helpers' own ``after={...}`` (export format, live phase).
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in helpers:
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.keyword)
                        and inner.arg in ("before", "after")
                        and isinstance(inner.value, ast.Dict)
                    ):
                        fields.update(
                            k.value for k in inner.value.keys if isinstance(k, ast.Constant)
                        )
    return actions, unreadable, fields


def _enclosing(tree: ast.Module, target: ast.AST) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(child is target for child in ast.walk(node)):
            return node.name
    return None


def test_the_scan_finds_the_events_it_should():
    actions, unreadable, fields = _recorded()
    assert unreadable == [], "an event name the test cannot read: name it in RECORDERS"
    # Known events from each kind of helper, so the scan itself cannot silently miss.
    assert {
        "round.update",
        "certificates.export",
        "results.export",
        "live.skip",
        "user.disable",
        "league.create",
        "question.unretire",
        "settings.two_factor_roles",
    } <= actions
    assert {"frozen_at", "format", "phase", "certificate_min_points", "focus_limit"} <= fields
    assert len(actions) >= 45


def test_every_recorded_event_and_field_has_a_label():
    actions, _unreadable, fields = _recorded()
    assert sorted(actions - set(labels.ACTIONS)) == []
    assert sorted(fields - set(labels.FIELDS)) == []


@pytest.mark.parametrize(
    ("locale", "script"),
    [
        ("zh_Hans_CN", re.compile(r"[\u4e00-\u9fff]")),
        ("mn_Mong_CN", re.compile(r"[\u1820-\u18af]")),
    ],
)
def test_every_label_is_translated(app, locale, script):
    with force_locale(locale):
        for catalog in (labels.ACTIONS, labels.FIELDS, labels.OBJECT_TYPES):
            for name, label in catalog.items():
                text = str(label)
                assert script.search(text), (locale, name, text)
