"""YAML node tree -> ``Bank``, checking every rule and collecting located problems.

``BankReader`` walks the tree once. Each method returns None for a value it could not
build (after reporting why, unless the node was simply missing, which ``fields`` already
reported) and goes on, so one pass finds every problem of a file.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank import messages as m
from question_bank import rules
from question_bank.errors import BankError, Problem
from question_bank.model import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Question,
    Version,
)
from question_bank.rules import Issue
from question_bank.text import normalize
from question_bank.yaml_nodes import INT_TAG, bool_value, is_null, line_of

_TOP_KEYS = ("format", "bank", "categories", "questions")
_BANK_KEYS = ("id", "title")
_CATEGORY_KEYS = ("id", "name")
_QUESTION_KEYS = ("id", "kind", "category", "difficulty", "answer", "source")
_QUESTION_OPTIONAL = ("tags",)
_VERSION_OPTIONAL = ("options", "explanation", "reviewed")
# Keys that look like a language code get "unknown language" rather than "unknown key".
_LANGUAGE_LIKE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]+)*")
_ALLOWED_LANGUAGES = ", ".join(LANGUAGES)


class BankReader:
    """Reads one file's node tree; ``bank(root)`` returns the Bank or raises BankError."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def report(self, node: Node, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.filename, line_of(node), message, params))

    def report_issues(self, node: Node, issues: list[Issue]) -> None:
        for message, params in issues:
            self.report(node, message, **params)

    # -- the file ---------------------------------------------------------------------

    def bank(self, root: Node) -> Bank:
        if not isinstance(root, MappingNode):
            raise BankError([Problem(self.filename, line_of(root), m.TOP_NOT_MAPPING, {})])
        top = self.fields(root, "file", _TOP_KEYS)
        assert top is not None  # root is a mapping
        if "format" in top:
            self.format(top["format"])
        bank_id, title = self.bank_header(top.get("bank"))
        categories, category_ids = self.categories(top.get("categories"))
        questions = self.questions(top.get("questions"), category_ids)
        if self.problems:
            self.problems.sort(key=lambda problem: problem.line or 0)
            raise BankError(self.problems)
        assert bank_id is not None and title is not None
        return Bank(bank_id, title, tuple(categories), tuple(questions), self.filename)

    def format(self, node: Node) -> None:
        value = self.text(node, "format")
        if value is not None and value != rules.FORMAT:
            self.report(node, m.BAD_FORMAT, value=value, expected=rules.FORMAT)

    def bank_header(self, node: Node | None) -> tuple[str | None, dict[str, str] | None]:
        if node is None:
            return None, None
        found = self.fields(node, "bank", _BANK_KEYS)
        if found is None:
            return None, None
        return self.slug(found.get("id"), "id"), self.language_map(found.get("title"), "title")

    def categories(self, node: Node | None) -> tuple[list[Category], set[str] | None]:
        """The categories, and the ids a question may use (None: unknown, don't check)."""
        items = self.sequence(node, "categories")
        if items is None:
            return [], None
        categories: list[Category] = []
        ids: set[str] = set()
        first_line: dict[str, int] = {}
        for number, item in enumerate(items, start=1):
            found = self.fields(item, f"categories #{number}", _CATEGORY_KEYS)
            if found is None:
                continue
            category_id = self.slug(found.get("id"), "id")
            name = self.language_map(found.get("name"), "name")
            if category_id is None:
                continue
            if category_id in first_line:
                self.report(
                    found["id"],
                    m.DUPLICATE_CATEGORY,
                    id=category_id,
                    first=first_line[category_id],
                )
                continue
            first_line[category_id] = line_of(found["id"])
            ids.add(category_id)
            if name is not None:
                categories.append(Category(category_id, name))
        return categories, ids

    def questions(self, node: Node | None, category_ids: set[str] | None) -> list[Question]:
        items = self.sequence(node, "questions")
        first_line: dict[str, int] = {}
        questions = []
        for number, item in enumerate(items or [], start=1):
            question = self.question(item, f"questions #{number}", category_ids, first_line)
            if question is not None:
                questions.append(question)
        return questions

    # -- one question -----------------------------------------------------------------

    def question(
        self,
        node: Node,
        key: str,
        category_ids: set[str] | None,
        first_line: dict[str, int],
    ) -> Question | None:
        problems_before = len(self.problems)
        found = self.fields(node, key, _QUESTION_KEYS, _QUESTION_OPTIONAL, languages=True)
        if found is None:
            return None

        question_id = self.slug(found.get("id"), "id")
        if question_id is not None:
            if question_id in first_line:
                self.report(
                    found["id"],
                    m.DUPLICATE_QUESTION,
                    id=question_id,
                    first=first_line[question_id],
                )
            else:
                first_line[question_id] = line_of(found["id"])
        kind = self.kind(found.get("kind"))
        category = self.text(found.get("category"), "category")
        if category is not None and category_ids is not None and category not in category_ids:
            self.report(found["category"], m.UNKNOWN_CATEGORY, category=category)
        difficulty = self.difficulty(found.get("difficulty"))
        source = self.text(found.get("source"), "source")
        tags = self.tags(found.get("tags"))

        languages = [language for language in LANGUAGES if language in found]
        if not languages:
            self.report(node, m.NO_LANGUAGE, key=key, allowed=_ALLOWED_LANGUAGES)
        versions: dict[str, Version] = {}
        option_keys: dict[str, tuple[str, ...]] = {}
        options_nodes: dict[str, Node] = {}
        for language in languages:
            version, keys, options_node = self.version(found[language], language, kind)
            if version is not None:
                versions[language] = version
            if keys is not None and options_node is not None:
                option_keys[language] = keys
                options_nodes[language] = options_node
        keys = self.same_option_keys(option_keys, options_nodes)
        if kind is Kind.TRUEFALSE:
            keys = TRUE_FALSE_KEYS
        answer = self.answer(found.get("answer"), kind, keys)

        if len(self.problems) > problems_before:
            return None
        assert question_id and kind and category and difficulty and source and answer and keys
        return Question(
            id=question_id,
            kind=kind,
            category=category,
            difficulty=difficulty,
            answer=answer,
            option_keys=keys,
            source=source,
            versions=versions,
            tags=tags,
            line=line_of(node),
        )

    def version(
        self, node: Node, language: str, kind: Kind | None
    ) -> tuple[Version | None, tuple[str, ...] | None, Node | None]:
        """One language block: its Version, and its option keys with their node."""
        found = self.fields(node, language, ("text",), _VERSION_OPTIONAL)
        if found is None:
            return None, None, None
        text = self.text(found.get("text"), "text")
        explanation = self.text(found.get("explanation"), "explanation", required=False)
        reviewed = self.flag(found.get("reviewed"), "reviewed", default=True)
        options_node = found.get("options")
        options: dict[str, str] | None = None
        if kind is Kind.TRUEFALSE:
            if options_node is not None:
                self.report(options_node, m.TRUEFALSE_OPTIONS)
            options = dict(TRUE_FALSE_LABELS[language])
        elif options_node is not None:
            options = self.options(options_node)
        elif kind is not None:
            self.report(node, m.MISSING_KEY, key="options")
        if text is None or options is None or reviewed is None:
            return None, None, None
        version = Version(text, options, explanation, reviewed)
        if kind is Kind.TRUEFALSE:
            return version, None, None
        return version, tuple(options), options_node

    def options(self, node: Node) -> dict[str, str] | None:
        """Options of one language in A-H order; None if any of them is wrong."""
        problems_before = len(self.problems)
        pairs = self.pairs(node, "options")
        if pairs is None:
            return None
        options: dict[str, str] = {}
        bad_keys = False
        for key_node, value_node in pairs:
            key = key_node.value
            issue = rules.option_key_issue(key)
            if issue is not None:
                self.report_issues(key_node, [issue])
                bad_keys = True
            value = self.text(value_node, key, empty_message=m.EMPTY_OPTION)
            if value is not None:
                options[key] = value
        if not bad_keys:  # with a mistyped key, "A is missing" would only add noise
            self.report_issues(node, rules.option_keys_issues([key.value for key, _ in pairs]))
        if len(self.problems) > problems_before:
            return None
        return {key: options[key] for key in rules.canonical_option_keys(list(options))}

    def same_option_keys(
        self, keys: dict[str, tuple[str, ...]], nodes: dict[str, Node]
    ) -> tuple[str, ...] | None:
        """The question's option keys: every language must offer the same ones."""
        if not keys:
            return None
        reference, *others = keys
        for language in others:
            if set(keys[language]) != set(keys[reference]):
                self.report(
                    nodes[language],
                    m.OPTIONS_DIFFER,
                    language=language,
                    keys=", ".join(keys[language]),
                    other=reference,
                    other_keys=", ".join(keys[reference]),
                )
        return keys[reference]

    def answer(
        self, node: Node | None, kind: Kind | None, option_keys: tuple[str, ...] | None
    ) -> tuple[str, ...] | None:
        if node is None or kind is None:
            return None
        if kind is Kind.TRUEFALSE:
            value = bool_value(node)
            if value is None:
                shown = node.value if isinstance(node, ScalarNode) else "…"
                self.report(node, m.TRUEFALSE_ANSWER, value=shown)
                return None
            return (TRUE_FALSE_KEYS[0],) if value else (TRUE_FALSE_KEYS[1],)
        keys = self.answer_keys(node)
        if keys is None:
            return None
        # With broken options, still check the answer against what options may be.
        issues = rules.answer_issues(kind, keys, option_keys or OPTION_KEYS)
        self.report_issues(node, issues)
        if issues or option_keys is None:
            return None
        return rules.canonical_answer(keys, option_keys)

    def answer_keys(self, node: Node) -> list[str] | None:
        """``B`` or ``[A, C]`` as a list of keys; nothing (``answer:``) is an empty list."""
        if is_null(node):
            return []
        if isinstance(node, ScalarNode):
            return [normalize(node.value)]
        if isinstance(node, SequenceNode) and all(
            isinstance(item, ScalarNode) and not is_null(item) for item in node.value
        ):
            return [normalize(item.value) for item in node.value]
        self.report(node, m.BAD_ANSWER)
        return None

    # -- single values ----------------------------------------------------------------

    def text(
        self,
        node: Node | None,
        key: str,
        *,
        required: bool = True,
        empty_message: str = m.EMPTY_TEXT,
    ) -> str | None:
        """Normalized text of a scalar (numbers and dates are kept as written)."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, m.NOT_SCALAR, key=key)
            return None
        value = "" if is_null(node) else normalize(node.value)
        if not value:
            if required:
                self.report(node, empty_message, key=key)
            return None
        return value

    def slug(self, node: Node | None, key: str) -> str | None:
        value = self.text(node, key)
        if value is None:
            return None
        issue = rules.slug_issue(key, value)
        if issue is not None:
            assert node is not None
            self.report_issues(node, [issue])
            return None
        return value

    def kind(self, node: Node | None) -> Kind | None:
        value = self.text(node, "kind")
        if value is None:
            return None
        try:
            return Kind(value)
        except ValueError:
            assert node is not None
            self.report(node, m.BAD_KIND, value=value)
            return None

    def difficulty(self, node: Node | None) -> int | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, m.NOT_SCALAR, key="difficulty")
            return None
        if node.tag == INT_TAG and node.value in {str(d) for d in rules.DIFFICULTIES}:
            return int(node.value)
        self.report(node, m.BAD_DIFFICULTY, value=node.value)
        return None

    def flag(self, node: Node | None, key: str, *, default: bool) -> bool | None:
        if node is None:
            return default
        value = bool_value(node)
        if value is None:
            shown = node.value if isinstance(node, ScalarNode) else "…"
            self.report(node, m.NOT_BOOL, key=key, value=shown)
        return value

    def tags(self, node: Node | None) -> tuple[str, ...]:
        tags: list[str] = []
        for item in self.sequence(node, "tags") or []:
            tag = self.text(item, "tags")
            if tag is None:
                continue
            if tag in tags:
                self.report(item, m.DUPLICATE_TAG, tag=tag)
            else:
                tags.append(tag)
        return tuple(tags)

    def language_map(self, node: Node | None, key: str) -> dict[str, str] | None:
        """``{zh: ..., mn: ...}``: at least one language, each with non-empty text."""
        if node is None:
            return None
        found = self.fields(node, key, (), languages=True)
        if found is None:
            return None
        if not found:
            self.report(node, m.NO_LANGUAGE, key=key, allowed=_ALLOWED_LANGUAGES)
            return None
        texts = {
            language: self.text(found[language], language)
            for language in LANGUAGES
            if language in found
        }
        if any(text is None for text in texts.values()):
            return None
        return {language: text for language, text in texts.items() if text is not None}

    # -- structure --------------------------------------------------------------------

    def sequence(self, node: Node | None, key: str) -> list[Node] | None:
        """Items of a list; ``key:`` with nothing after it is an empty list."""
        if node is None:
            return None
        if is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.report(node, m.NOT_LIST, key=key)
            return None
        return list(node.value)

    def pairs(self, node: Node, key: str) -> list[tuple[ScalarNode, Node]] | None:
        """Key and value nodes of a mapping, reporting non-name keys and duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(node, m.NOT_MAPPING, key=key)
            return None
        pairs: list[tuple[ScalarNode, Node]] = []
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, m.KEY_NOT_NAME)
                continue
            name = key_node.value
            if name in first_line:
                self.report(key_node, m.DUPLICATE_KEY, key=name, first=first_line[name])
                continue
            first_line[name] = line_of(key_node)
            pairs.append((key_node, value_node))
        return pairs

    def fields(
        self,
        node: Node,
        key: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        *,
        languages: bool = False,
    ) -> dict[str, Node] | None:
        """Value nodes by name of a mapping with known keys; unknown and missing keys reported.

        With ``languages``, the keys ``zh`` and ``mn`` are allowed too, and a key that
        looks like another language code is reported as an unknown language.
        """
        pairs = self.pairs(node, key)
        if pairs is None:
            return None
        allowed = (*required, *optional, *(LANGUAGES if languages else ()))
        found: dict[str, Node] = {}
        for key_node, value_node in pairs:
            name = key_node.value
            if name in allowed:
                found[name] = value_node
            elif languages and _LANGUAGE_LIKE.fullmatch(name):
                self.report(key_node, m.UNKNOWN_LANGUAGE, code=name, allowed=_ALLOWED_LANGUAGES)
            else:
                self.report(key_node, m.UNKNOWN_KEY, key=name, allowed=", ".join(allowed))
        for name in required:
            if name not in found:
                self.report(node, m.MISSING_KEY, key=name)
        return found
