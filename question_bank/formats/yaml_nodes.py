"""From bytes to a YAML node tree, turning every failure into a located ``Problem``.

The loader works on PyYAML's node tree (compose) rather than on Python objects (load)
because nodes remember their line, and because at node level duplicate keys are still
visible: ``yaml.safe_load`` silently keeps the last of two equal keys.
"""

from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank import messages as m
from question_bank.errors import BankError, Problem
from question_bank.formats import base

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
# A bank is at most a few levels deep (questions, a question, a language block, options).
MAX_DEPTH = 20


def line_of(node: Node) -> int:
    """1-based line where ``node`` starts (PyYAML counts from 0)."""
    return node.start_mark.line + 1


def decode_utf8(data: bytes, filename: str) -> str:
    """UTF-8 text of a file (a BOM is tolerated); a bad byte is reported with its line."""
    try:
        return base.decode_utf8(data)
    except base.Failed as failed:
        problem = Problem(filename, failed.where, failed.message, failed.params)
        raise BankError([problem]) from None


def compose(text: str, filename: str) -> Node:
    """The document's root node; syntax errors and an empty file stop here, with a line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = str(error.problem or "")
        if error.context and error.context_mark is not None:
            # "while parsing a flow sequence (from line 13): expected ',' or ']'": the
            # problem is often noticed a line after the cause, so name both.
            detail = f"{error.context} (from line {error.context_mark.line + 1}): {detail}"
        problem = Problem(filename, line, m.YAML_SYNTAX, {"detail": detail})
        raise BankError([problem]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        detail = f"character U+{error.character:04X}: {error.reason}"
        raise BankError([Problem(filename, line, m.YAML_SYNTAX, {"detail": detail})]) from None
    except RecursionError:  # PyYAML composes recursively: a deep enough file overflows
        root = None
        deep = True
    else:
        deep = root is not None and _too_deep(root)
    if deep:
        detail = f"lists or mappings nested more than {MAX_DEPTH} levels deep"
        raise BankError([Problem(filename, None, m.YAML_SYNTAX, {"detail": detail})])
    if root is None:
        raise BankError([Problem(filename, None, m.FILE_EMPTY, {})])
    return root


def _too_deep(root: Node) -> bool:
    """Whether the tree nests deeper than any bank needs (the readers walk it recursively)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return False


def is_null(node: Node) -> bool:
    """``key:`` with nothing after it, ``~`` or ``null``."""
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def bool_value(node: Node) -> bool | None:
    """The boolean a scalar spells in YAML 1.1 (true/false/yes/no/on/off), else None."""
    if isinstance(node, ScalarNode) and node.tag == BOOL_TAG:
        return SafeConstructor.bool_values[node.value.lower()]
    return None
