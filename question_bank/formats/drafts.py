"""From what a reader found (drafts) to a ``Bank``: the one checker of every format.

Each reader (YAML included) only understands its file's structure and vocabulary: it
turns the file into ``Draft`` questions with the location of every field, declares the
categories, and reports what it cannot read at all (a YAML key that is missing, a cell
that is no kind it knows). ``Assembler`` then checks the drafts with
``question_bank.rules``: ids, kinds, difficulties, options, answers, categories, tags,
texts. It gives ids to questions that have none, fills in defaults, and reports problems
at each draft's location. One problem anywhere and no bank comes out: all or nothing.

Where formats are meant to differ, it is a named setting of the assembler (``strict``:
the YAML format, written by hand for this platform, refuses what an import from
another tool forgives), never a second copy of a rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from question_bank import messages as m
from question_bank import rules
from question_bank.formats.base import (
    DEFAULT_CATEGORY_ID,
    DEFAULT_CATEGORY_NAME,
    DEFAULT_DIFFICULTY,
    Collector,
    ImportResult,
    Location,
    Note,
    ReadOptions,
    script_language,
)
from question_bank.literacy import BENCHMARKS, Part, part_of
from question_bank.media import checked_media, is_url
from question_bank.menksoft import has_menksoft, to_unicode
from question_bank.model import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Bank,
    Category,
    Kind,
    Media,
    Question,
    Version,
)
from question_bank.text import fold_key, normalize

# Keys for options of list-based formats (GIFT, Moodle XML): A-H, then more so that a
# question with too many options is reported as such rather than cut short.
LIST_KEYS: tuple[str, ...] = (*OPTION_KEYS, *"IJKLMNOPQRSTUVWXYZ")


def list_keys(count: int) -> tuple[str, ...]:
    return LIST_KEYS[: min(count, len(LIST_KEYS))]


@dataclass
class DraftVersion:
    """One language of a draft question, as read (normalised by the assembler).

    ``options`` None: the format has a place for options and the file left it out
    (YAML); formats without such a place give ``{}``.
    """

    text: str | None
    options: dict[str, str] | None = field(default_factory=dict)
    explanation: str | None = None
    reviewed: bool = True
    cells: dict[str, Location] = field(default_factory=dict)
    blanks: tuple[tuple[str, ...], ...] = ()


@dataclass
class DraftMedia:
    """A picture as a reader found it: bytes from the file (Word, Moodle XML, YAML), or a
    reference (a file name in the upload's .zip, or a web address) to resolve."""

    where: Location
    data: bytes | None = None
    ref: str = ""
    alt: str = ""


@dataclass
class Draft:
    """A question as a reader found it. ``answer`` None: not given; ``()``: none correct.

    ``kind`` and ``difficulty`` are what the file says once the format's own words are
    mapped (a ``Kind``, an int); anything else is kept as written and reported by the
    assembler. ``category`` is an id or a name, as written. ``source`` None: not given
    (the file name is used); ``""``: given empty, an error. ``answer_by``: ``keys`` when
    the file lists the right keys, ``marks`` when it marks options right (GIFT, Moodle),
    which decides how an empty answer is reported. ``strict_id``: a given id that is not
    a valid id is an error (typed by the organizer) rather than replaced with a generated
    one (Moodle's idnumbers). ``broken``: fields the reader already reported as
    unreadable; the assembler checks nothing that depends on them, and builds no
    question. ``cells`` locates single fields (``answer``, ``id``, ``tags``, ...) more
    precisely than ``where`` (a spreadsheet cell rather than the row). ``label``: how
    a message names the question where the file has a name for it (``questions #3``).
    ``extra``: fields of ``Question`` that no rule checks beyond what the reader read
    (``reserved``), given to the question as they are: a new optional field of the
    model needs a reader to fill it and nothing here.
    """

    where: Location
    kind: Kind | str | None
    versions: dict[str, DraftVersion]
    answer: tuple[str, ...] | None
    title: str | None = None
    id: str | None = None
    strict_id: bool = False
    category: str | None = None
    difficulty: int | str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    cells: dict[str, Location] = field(default_factory=dict)
    answer_by: str = "keys"
    broken: set[str] = field(default_factory=set)
    points: float | str | None = None
    media: list[DraftMedia] = field(default_factory=list)
    option_media: dict[str, list[DraftMedia]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    label: str = "question"
    benchmark: str | None = None
    literacy_part: str | None = None

    def at(self, name: str) -> Location:
        return self.cells.get(name, self.where)


# -- duplicates ---------------------------------------------------------------------


def apply_weights(
    draft: Draft,
    keys: tuple[str, ...],
    weights: list[float],
    single: bool,
    collector: Collector,
    where: Location,
) -> bool:
    """Turn Moodle-style answer weights (GIFT, Moodle XML) into a kind and an answer key.

    Single choice: the option weighted 100 % is right (several are an error); multiple
    choice: every positively weighted option is right. Partial weights cannot be kept
    (grading is all or nothing unless a round grants partial credit), so they are
    reported as simplified. Returns False when the question must be dropped.
    """
    if single:
        draft.kind = Kind.SINGLE
        right = tuple(k for k, w in zip(keys, weights, strict=False) if w >= 0.99999)
        if len(right) > 1:
            collector.error(where, m.SEVERAL_FULLY_CORRECT, count=len(right))
            return False
        if any(0 < w < 0.99999 for w in weights):
            collector.warn(where, m.WEIGHTS_SIMPLIFIED)
    else:
        draft.kind = Kind.MULTIPLE
        right = tuple(k for k, w in zip(keys, weights, strict=False) if w > 0)
        positive = [w for w in weights if w > 0]
        if positive and (max(positive) - min(positive) > 0.0001 or abs(sum(positive) - 1) > 0.001):
            collector.warn(where, m.WEIGHTS_SIMPLIFIED)
    draft.answer = right
    draft.answer_by = "marks"
    return True


def duplicate_key(language: str, text: str, options: Iterable[str]) -> str:
    """Two questions are the same when a language has the same text and the same option
    texts (in any order), compared by ``fold_key``: Mongolian spellings a reader cannot
    tell apart (o/u, ö/ü, t/d, FVS, MVS, NNBSP) count as equal."""
    folded = sorted(fold_key(option) for option in options)
    return "\x1f".join([language, fold_key(text), *folded])


def question_keys(question: Question) -> list[str]:
    return [
        duplicate_key(language, version.text, version.options.values())
        for language, version in question.versions.items()
    ]


def generated_id(text: str) -> str:
    """A stable id from the folded text: importing the same file twice gives the same ids."""
    return "q-" + hashlib.sha1(fold_key(text).encode("utf-8")).hexdigest()[:10]


# -- categories ---------------------------------------------------------------------

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug_for(name: str) -> str:
    """An id for a category name: the name itself when it is plain ASCII, else a hash."""
    if name.isascii():
        slug = _NON_SLUG.sub("-", name.lower()).strip("-")[: rules.MAX_ID_LENGTH].strip("-")
        if slug:
            return slug
    return "c-" + hashlib.sha1(fold_key(name).encode("utf-8")).hexdigest()[:8]


_MOODLE_CONTEXTS = ("$course$", "$system$", "$module$", "$cat$", "$coursecategory$")


def moodle_category_name(path: str) -> str:
    """``$course$/top/Iota/Kappa`` -> ``Iota/Kappa``: Moodle's context and top level go."""
    name = path.strip()
    for context in _MOODLE_CONTEXTS:
        if name.startswith(context + "/"):
            name = name[len(context) + 1 :]
            break
    if name.startswith("top/") and len(name) > len("top/"):
        name = name[len("top/") :]
    return name.strip() or path.strip()


class Categories:
    """Categories of one read: declared by the file, named by questions, or the default.

    ``known`` categories (the stored ones of the target bank) are found by id or name but
    only become part of the bank when a question uses them; names the file gives win.
    """

    def __init__(self, known: tuple[Category, ...] = ()) -> None:
        self._names: dict[str, dict[str, str]] = {}
        self._by_name: dict[str, str] = {}
        self._declared: list[str] = []
        self.used: set[str] = set()
        for category in known:
            self.add(category, declared=False)

    def __contains__(self, category_id: str) -> bool:
        return category_id in self._names

    def lookup(self, value: str) -> str | None:
        """The id of a category given by its id or any of its names (folded)."""
        if value in self._names:
            return value
        return self._by_name.get(fold_key(value))

    def reserve(self, category_id: str) -> None:
        """A declared id whose names could not be read: known, so not reported again."""
        self._names.setdefault(category_id, {})

    def resolve(self, value: str, language: str) -> str:
        """The id of the category a question names by id or name; a new one if none."""
        found = self.lookup(value)
        if found is not None:
            return found
        if rules.slug_issue("category", value) is None:
            return self.declare(None, language, value, declared=False)
        return self.declare(value, script_language(value, language), declared=False)

    def add(self, category: Category, *, declared: bool = True, override: bool = False) -> str:
        names = self._names.setdefault(category.id, {})
        for language, name in category.name.items():
            if override:
                names[language] = name
            else:
                names.setdefault(language, name)
            self._by_name.setdefault(fold_key(name), category.id)
        if declared and category.id not in self._declared:
            self._declared.append(category.id)
        return category.id

    def declare(
        self,
        name: str | None,
        language: str,
        category_id: str | None = None,
        *,
        declared: bool = True,
    ) -> str:
        """The id of the category with this id, or else with this name; new if none."""
        name = normalize(to_unicode(name)) if name else None
        if category_id is None and name:
            found = self._by_name.get(fold_key(name))
            if found is not None:
                return self.add(Category(found, {}), declared=declared)
            category_id = self._free_id(slug_for(name), name)
        assert category_id is not None
        if name:
            category = Category(category_id, {language: name})
            return self.add(category, declared=declared, override=True)
        if category_id in self._names:
            return self.add(Category(category_id, {}), declared=declared)
        return self.add(Category(category_id, {language: category_id}), declared=declared)

    def _free_id(self, wanted: str, name: str) -> str:
        candidate = wanted
        if candidate in self._names:
            candidate = slug_for(name + "\x00")  # an ASCII name clashing after slugging
        number = 2
        while candidate in self._names:
            candidate = f"{wanted[: rules.MAX_ID_LENGTH - 4]}-{number}"
            number += 1
        return candidate

    def default(self, option: Any, language: str) -> str:
        """The category for questions that name none: the caller's choice, or the default."""
        if isinstance(option, Category):
            return self.add(option, declared=False)
        if isinstance(option, str) and normalize(option):
            return self.resolve(normalize(option), language)
        if DEFAULT_CATEGORY_ID in self._names:
            return DEFAULT_CATEGORY_ID
        return self.add(Category(DEFAULT_CATEGORY_ID, dict(DEFAULT_CATEGORY_NAME)), declared=False)

    def categories(self) -> tuple[Category, ...]:
        """Declared categories in file order, then the others questions use."""
        ids = list(self._declared)
        ids += [category_id for category_id in self._names if category_id in self.used]
        seen: set[str] = set()
        result = []
        for category_id in ids:
            if category_id in seen:
                continue
            seen.add(category_id)
            names = self._names[category_id]
            ordered = {lang: names[lang] for lang in LANGUAGES if lang in names}
            result.append(Category(category_id, ordered or {LANGUAGES[0]: category_id}))
        return tuple(result)


# -- assembling ---------------------------------------------------------------------


def _location_key(where: Location) -> tuple[int, int, int]:
    if where is None:
        return (0, 0, 0)
    if isinstance(where, int):
        return (1, where, 0)
    cell = where.rsplit("!", 1)[-1]
    match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    if not match:
        return (1, 0, 0)
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return (1, int(match.group(2)), column)


def sort_by_location(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: _location_key(item.line))


class Assembler:
    """Checks drafts and builds the bank; see the module docstring.

    ``strict`` (the YAML format): a question's category must be one the file declares
    (an import creates categories by name), and a tag written twice is an error (an
    import keeps it once).
    """

    def __init__(
        self,
        collector: Collector,
        categories: Categories,
        options: ReadOptions,
        *,
        strict: bool = False,
        pictures: Mapping[str, bytes] | None = None,
    ):
        self.collector = collector
        self.categories = categories
        self.options = options
        self.strict = strict
        pictures = pictures if pictures is not None else options.pictures
        self.pictures = {fold_key(name): data for name, data in (pictures or {}).items()}
        self._category_lines: dict[str, Location] = {}
        self.converted = 0  # fields converted from Menksoft to Unicode Mongolian

    def _clean(self, text: str) -> str:
        """Stored form of a text field: Menksoft glyph codes converted (and counted)."""
        if self.options.menksoft and has_menksoft(text):
            self.converted += 1
            text = to_unicode(text)
        return normalize(text)

    # -- what a file declares ----------------------------------------------------------

    def bank_id(self, value: str | None, where: Location) -> str | None:
        """A bank id the file gives, checked; None (after reporting) when it is not valid."""
        if value is None:
            return None
        issue = rules.slug_issue("id", value)
        if issue is not None:
            self.collector.error(where, issue[0], **issue[1])
            return None
        return value

    def declare_category(
        self, category_id: str | None, names: dict[str, str] | None, where: Location
    ) -> str | None:
        """A category the file lists: its id checked and unique, its names kept.

        ``names`` None: the names could not be read (already reported); the id still
        counts as declared, so questions using it are not reported a second time.
        """
        if category_id is not None:
            issue = rules.slug_issue("id", category_id)
            if issue is not None:
                self.collector.error(where, issue[0], **issue[1])
                return None
            if category_id in self._category_lines:
                self.collector.error(
                    where,
                    m.DUPLICATE_CATEGORY,
                    id=category_id,
                    first=self._category_lines[category_id],
                )
                return None
            self._category_lines[category_id] = where
        if names is None:
            if category_id is not None:
                self.categories.reserve(category_id)
            return category_id
        if not names:
            assert category_id is not None
            return self.categories.declare(None, self.options.language, category_id)
        (language, name), *others = names.items()
        declared = self.categories.declare(name, language, category_id)
        for other, other_name in others:
            self.categories.declare(other_name, other, declared)
        return declared

    # -- the bank ----------------------------------------------------------------------

    def build(
        self,
        fmt: str,
        drafts: list[Draft],
        *,
        bank_id: str | None = None,
        bank_title: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> ImportResult:
        collector = self.collector
        ids = self._ids(drafts)
        questions: list[Question] = []
        titles: dict[str, str] = {}
        locations: dict[str, Location] = {}
        first_key: dict[str, Location] = {}
        for draft, question_id in zip(drafts, ids, strict=True):
            before = len(collector.problems)
            question = self._question(draft, question_id)
            if question is None or len(collector.problems) > before:
                continue
            questions.append(question)
            locations[question.id] = draft.where
            if draft.title:
                titles[question.id] = draft.title
            for key in question_keys(question):
                if key in first_key:
                    collector.warn(draft.where, m.DUPLICATE_IN_FILE, first=first_key[key])
                    break
            for key in question_keys(question):
                first_key.setdefault(key, draft.where)
        result = ImportResult(
            format=fmt,
            filename=collector.filename,
            problems=sort_by_location(collector.problems),
            warnings=sort_by_location(collector.warnings),
            unsupported=sort_by_location(collector.unsupported),
            questions=questions,
            titles=titles,
            locations=locations,
            encoding=encoding,
            converted=self.converted,
        )
        if self.converted:
            result.warnings.insert(0, Note(None, m.MENKSOFT_CONVERTED, {"count": self.converted}))
        if not result.problems:
            title = bank_title or self.options.bank_title or {LANGUAGES[0]: bank_id or "?"}
            result.bank = Bank(
                id=bank_id or self.options.bank_id,
                title=title,
                categories=self.categories.categories(),
                questions=tuple(questions),
                filename=collector.filename,
            )
        return result

    # -- ids ---------------------------------------------------------------------------

    def _ids(self, drafts: list[Draft]) -> list[str | None]:
        """Given ids first (checked), then generated ones that do not clash with them.

        ``""``: the draft's id is wrong (reported) or unreadable; it gets no question.
        """
        ids: list[str | None] = [None] * len(drafts)
        first: dict[str, Location] = {}
        for number, draft in enumerate(drafts):
            if "id" in draft.broken:
                ids[number] = ""
                continue
            if not draft.id:
                continue
            value = normalize(draft.id)
            issue = rules.slug_issue("id", value)
            if issue is not None:
                if draft.strict_id:
                    self.collector.error(draft.at("id"), issue[0], **issue[1])
                    ids[number] = ""
                continue
            if value in first:
                self.collector.error(
                    draft.at("id"), m.DUPLICATE_QUESTION, id=value, first=first[value]
                )
                ids[number] = ""
                continue
            first[value] = draft.at("id")
            ids[number] = value
        taken = set(first)
        for number, draft in enumerate(drafts):
            if ids[number] is not None:
                continue
            text = next(
                (
                    normalize(draft.versions[lang].text or "")
                    for lang in LANGUAGES
                    if lang in draft.versions and normalize(draft.versions[lang].text or "")
                ),
                "",
            )
            base = generated_id(text)
            value, suffix = base, 2
            while value in taken:
                value, suffix = f"{base}-{suffix}", suffix + 1
            taken.add(value)
            ids[number] = value
            if draft.id:
                self.collector.warn(draft.at("id"), m.ID_REPLACED, value=draft.id, id=value)
        return ids

    # -- one question ------------------------------------------------------------------

    def _question(self, draft: Draft, question_id: str | None) -> Question | None:
        """Every check of one draft (all of them, so one pass reports everything)."""
        error = self.collector.error
        before = len(self.collector.problems)
        kind = self._kind(draft)
        category = self._category(draft)
        difficulty = self._difficulty(draft)
        points = self._points(draft)
        source = self._source(draft)
        tags = self._tags(draft)
        literacy = self._literacy(draft)
        if not draft.versions and "versions" not in draft.broken:
            error(draft.where, m.NO_LANGUAGE, key=draft.label, allowed=", ".join(LANGUAGES))
        versions: dict[str, Version] = {}
        option_keys: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            if language not in draft.versions:
                continue
            built = self._version(draft, language, kind)
            if built is not None:
                versions[language], keys = built
                if keys is not None:
                    option_keys[language] = keys
        keys = self._same_keys(draft, option_keys)
        if kind is Kind.TRUEFALSE:
            keys = TRUE_FALSE_KEYS
        answer: tuple[str, ...] | None
        if kind is Kind.FILL:
            keys, answer = (), () if self._same_blanks(draft, versions) else None
        else:
            answer = self._answer(draft, kind, keys) if kind is not None else None
        media = self._media(draft.media)
        option_media = {
            key: found for key, items in draft.option_media.items() if (found := self._media(items))
        }
        if (
            len(self.collector.problems) > before
            or draft.broken
            or not question_id
            or kind is None
            or answer is None
            or keys is None
            or category is None
            or difficulty is None
            or points is False
            or len(versions) != len(draft.versions)
            or literacy is None
        ):
            return None
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
            line=draft.where if isinstance(draft.where, int) else None,
            points=points if isinstance(points, float) else None,
            media=media,
            option_media=option_media,
            benchmark=literacy[0],
            literacy_part=literacy[1],
            **draft.extra,
        )

    def _media(self, items: list[DraftMedia]) -> tuple[Media, ...]:
        """Checked pictures; a web address is kept as one and reported as not fetched."""
        found: list[Media] = []
        for item in items:
            data, name = item.data, item.ref
            if data is None:
                if is_url(item.ref):
                    self.collector.warn(item.where, m.MEDIA_NOT_FETCHED, url=item.ref)
                    found.append(Media(url=item.ref, alt=item.alt, name=item.ref))
                    continue
                data = self.pictures.get(fold_key(item.ref.replace("\\", "/").rsplit("/", 1)[-1]))
                if data is None:
                    self.collector.error(item.where, m.MEDIA_MISSING, name=item.ref)
                    continue
            checked = checked_media(data, name, item.alt)
            if isinstance(checked, Media):
                found.append(checked)
            else:
                self.collector.error(item.where, checked[0], **checked[1])
        return tuple(found)

    def _same_blanks(self, draft: Draft, versions: dict[str, Version]) -> bool:
        """Every language of a fill-in question has answers for the same number of blanks."""
        counts = {language: len(version.blanks) for language, version in versions.items()}
        if not counts:
            return False
        if any(count == 0 for count in counts.values()):
            self.collector.error(draft.at("answer"), m.FILL_NO_BLANKS)
            return False
        reference, *others = counts
        for language in others:
            if counts[language] != counts[reference]:
                self.collector.error(
                    draft.at("answer"),
                    m.BLANKS_DIFFER,
                    language=language,
                    count=counts[language],
                    other=reference,
                    other_count=counts[reference],
                )
                return False
        return True

    def _kind(self, draft: Draft) -> Kind | None:
        if draft.kind is None or isinstance(draft.kind, Kind):
            return draft.kind
        issue = rules.kind_issue(draft.kind)
        if issue is not None:
            self.collector.error(draft.at("kind"), issue[0], **issue[1])
            return None
        return Kind(draft.kind)

    def _category(self, draft: Draft) -> str | None:
        if "category" in draft.broken:
            return None
        value = self._clean(draft.category or "")
        if not value:
            category = self.categories.default(self.options.category, self.options.language)
        elif self.strict:
            if value not in self._category_lines:
                self.collector.error(draft.at("category"), m.UNKNOWN_CATEGORY, category=value)
                return None
            category = value
        else:
            category = self.categories.resolve(value, self.options.language)
        self.categories.used.add(category)
        return category

    def _difficulty(self, draft: Draft) -> int | None:
        if "difficulty" in draft.broken:
            return None
        if draft.difficulty is None:
            return DEFAULT_DIFFICULTY
        issue = rules.difficulty_issue(draft.difficulty)
        if issue is not None:
            self.collector.error(draft.at("difficulty"), issue[0], **issue[1])
            return None
        assert isinstance(draft.difficulty, int)
        return draft.difficulty

    def _literacy(self, draft: Draft) -> tuple[str | None, str | None] | None:
        """The benchmark and part (the part defaults to the benchmark's usual one);
        None after reporting a value outside ``question_bank.literacy``."""
        benchmark = (draft.benchmark or "").strip().upper() or None
        part = (draft.literacy_part or "").strip().lower() or None
        ok = True
        if benchmark is not None and benchmark not in BENCHMARKS:
            self.collector.error(draft.at("benchmark"), m.BAD_BENCHMARK, value=draft.benchmark)
            ok = False
        if part is not None and part not in {p.value for p in Part}:
            self.collector.error(draft.at("part"), m.BAD_LITERACY_PART, value=draft.literacy_part)
            ok = False
        if part is not None and benchmark is None and ok:
            self.collector.error(draft.at("part"), m.PART_WITHOUT_BENCHMARK)
            ok = False
        if not ok:
            return None
        found = part_of(benchmark, part)
        return benchmark, found.value if found else None

    def _points(self, draft: Draft) -> float | bool | None:
        """The points a file gives (None: none given); False after reporting bad ones."""
        if draft.points is None:
            return None
        if "points" in draft.broken:
            return False
        issue = rules.points_issue(draft.points)
        if issue is not None:
            self.collector.error(draft.at("points"), issue[0], **issue[1])
            return False
        return float(draft.points)

    def _source(self, draft: Draft) -> str:
        if draft.source is not None:
            source = self._clean(draft.source)
            if not source:
                self.collector.error(draft.at("source"), m.EMPTY_TEXT, key="source")
            return source
        source = self.collector.filename + (f": {draft.title}" if draft.title else "")
        return self._clean(source) or "import"

    def _tags(self, draft: Draft) -> tuple[str, ...]:
        tags: list[str] = []
        for number, tag in enumerate(draft.tags):
            tag = self._clean(tag)
            where = draft.cells.get(f"tags#{number}", draft.at("tags"))
            if not tag:
                if self.strict:
                    self.collector.error(where, m.EMPTY_TEXT, key="tags")
                continue
            if tag in tags:
                if self.strict:
                    self.collector.error(where, m.DUPLICATE_TAG, tag=tag)
                continue
            tags.append(tag)
        return tuple(tags)

    def _version(
        self, draft: Draft, language: str, kind: Kind | None
    ) -> tuple[Version, tuple[str, ...] | None] | None:
        """One language's wording, and its option keys (None: no options to compare)."""
        error = self.collector.error
        found = draft.versions[language]

        def at(name: str) -> Location:
            return found.cells.get(name, draft.where)

        ok = True
        text = self._clean(found.text or "")
        if not text and "text" not in draft.broken:
            error(at("text"), m.EMPTY_TEXT, key="text")
            ok = False
        explanation = self._clean(found.explanation or "") or None
        given = {key: self._clean(value) for key, value in (found.options or {}).items()}
        if kind is Kind.TRUEFALSE:
            if any(given.values()):
                first = next((key for key, value in given.items() if value), "options")
                error(found.cells.get(first, at("options")), m.TRUEFALSE_OPTIONS)
                return None
            options = dict(TRUE_FALSE_LABELS[language])
            keys: tuple[str, ...] | None = None
        elif kind is Kind.FILL:
            if any(given.values()):
                first = next(key for key, value in given.items() if value)
                error(found.cells.get(first, at("options")), m.FILL_OPTIONS)
                return None
            blanks = tuple(
                accepted
                for blank in found.blanks
                if (accepted := tuple(dict.fromkeys(a for a in map(self._clean, blank) if a)))
            )
            version = Version(text, {}, explanation, found.reviewed, blanks)
            return (version, None) if ok else None
        elif found.options is None or (kind is None and not given):
            if kind is not None:
                error(at("version"), m.MISSING_KEY, key="options")
                return None
            return (Version(text, {}, explanation, found.reviewed), None) if ok else None
        else:
            for key, value in given.items():
                if not value:
                    error(at(key), m.EMPTY_OPTION, key=key)
                    ok = False
            issues = rules.option_keys_issues(list(given))
            for message, params in issues:
                bad_key = message == m.BAD_OPTION_KEY
                error(at(params["key"]) if bad_key else at("options"), message, **params)
            if issues or not ok:
                return None
            keys = rules.canonical_option_keys(list(given))
            options = {key: given[key] for key in keys}
        if not ok:
            return None
        return Version(text, options, explanation, found.reviewed), keys

    def _same_keys(
        self, draft: Draft, option_keys: dict[str, tuple[str, ...]]
    ) -> tuple[str, ...] | None:
        if not option_keys:
            return None
        reference, *others = option_keys
        for language in others:
            if set(option_keys[language]) != set(option_keys[reference]):
                self.collector.error(
                    draft.versions[language].cells.get("options", draft.where),
                    m.OPTIONS_DIFFER,
                    language=language,
                    keys=", ".join(option_keys[language]),
                    other=reference,
                    other_keys=", ".join(option_keys[reference]),
                )
                return None
        return option_keys[reference]

    def _answer(
        self, draft: Draft, kind: Kind, keys: tuple[str, ...] | None
    ) -> tuple[str, ...] | None:
        error = self.collector.error
        where = draft.at("answer")
        if "answer" in draft.broken:
            return None
        if draft.answer is None:
            error(where, m.NO_ANSWER)
            return None
        if kind is Kind.TRUEFALSE:
            if draft.answer in (("T",), ("F",)):
                return draft.answer
            error(where, m.TRUEFALSE_ANSWER, value=", ".join(draft.answer))
            return None
        if not draft.answer and draft.answer_by == "marks":
            error(where, m.NO_CORRECT_OPTION)
            return None
        # With broken options, still check the answer against what options may be.
        issues = rules.answer_issues(kind, draft.answer, keys or OPTION_KEYS)
        for message, params in issues:
            error(where, message, **params)
        if issues or keys is None:
            return None
        return rules.canonical_answer(draft.answer, keys)


def drop_duplicates(
    result: ImportResult,
    existing: dict[str, str],
    updatable: Iterable[str] = (),
) -> list[Any]:
    """Skip questions already stored: ``existing`` maps ``duplicate_key`` values to a label
    of the stored question (e.g. ``bank/q-001``); ids in ``updatable`` are updates of a
    stored question (same id), never duplicates. Returns the skip notes; the result's
    bank and questions lose the skipped ones."""
    from question_bank.formats.base import Note

    updatable = set(updatable)
    kept: list[Question] = []
    notes: list[Note] = []
    for question in result.questions:
        label = None
        if question.id not in updatable:
            label = next((existing[k] for k in question_keys(question) if k in existing), None)
        if label is None:
            kept.append(question)
            continue
        notes.append(
            Note(
                result.location(question),
                m.DUPLICATE_OF_EXISTING,
                {"existing": label},
                title=result.title(question),
            )
        )
    result.questions = kept
    if result.bank is not None:
        from dataclasses import replace

        result.bank = replace(result.bank, questions=tuple(kept))
    return notes
