"""What the organizer console does with question banks: upload, preview and confirm an
import, create a bank, browse and search it, edit, retire and export questions.

Plain functions with explicit arguments (the acting user's id, ``now``). A bank or
question edit flushes with its audit event and the edge commits (the request's
``commit_request``, on its success): a refused edit leaves nothing. A whole file (an
upload kept for its preview, its confirmed import) is still one unit of work committed
here (docs/architecture.md, "Transactions"). Reading and checking a file is
``quiz.banks.importing.check_data`` and storing it ``quiz.banks.services.store_bank``:
the very path ``quiz bank import`` takes, so the page and the CLI cannot disagree.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from question_bank import (
    LANGUAGES,
    OPTION_KEYS,
    TRUE_FALSE_KEYS,
    TRUE_FALSE_LABELS,
    Kind,
    dump_bank,
    fold_key,
    human_size,
)
from question_bank import messages as m
from question_bank.formats import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS
from question_bank.literacy import BENCHMARKS, Part
from question_bank.rules import answer_issues, moved_options, option_keys_issues, slug_issue
from quiz.audit.services import changed, record, snapshot
from quiz.banks import usage
from quiz.banks.importing import Checked, check_data
from quiz.banks.models import BankCategory, BankUpload, Question, QuestionBank, QuestionText
from quiz.banks.services import search_key_of, store_bank
from quiz.banks.usage import contests_using, used_questions
from quiz.edge.client import Actor
from quiz.edge.downloads import file_name
from quiz.errors import Conflict, Forbidden, NotFound, QuizError, ValidationFailed
from quiz.extensions import db
from quiz.i18n import LANGUAGE_NAMES

UPLOAD_TTL = timedelta(hours=1)
"""How long an uploaded file waits for its confirm (the route may pass another)."""

PER_PAGE = 50


PART_NAMES: dict[str, Any] = {
    Part.KNOWLEDGE.value: _l("Scientific knowledge"),
    Part.METHOD.value: _l("Scientific method"),
    Part.SPIRIT.value: _l("Scientific spirit and thinking"),
    Part.APPLICATION.value: _l("Applying science"),
}
"""The survey's four parts as the console names them (``question_bank.literacy.Part``)."""


def benchmark_names(language: str) -> dict[str, str]:
    """The 26 benchmarks' names in ``language``, by id, for the bank page's filter and the
    question's tag (the organizer sees which benchmark a question counts towards)."""
    return {key: benchmark.name(language) for key, benchmark in BENCHMARKS.items()}


class UploadExpired(QuizError):
    status = 410
    code = "upload_expired"


def _tr(message: str, **params: Any) -> str:
    """A library msgid (question_bank.messages) in the current language."""
    return gettext(message) % params if params else gettext(message)


# -- uploads ------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadChoice:
    """What the organizer picked on the upload form."""

    fmt: str = "auto"
    bank_slug: str = ""  # an existing bank's slug, or the new bank's
    new_bank: bool = False
    title_zh: str = ""
    title_mn: str = ""
    category: str | None = None
    language: str = "zh"


def _display_name(filename: str) -> str:
    """The uploaded name as text to show: its last path part, no control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "upload"


def store_upload(
    *,
    user_id: int,
    data: bytes,
    filename: str,
    choice: UploadChoice,
    now: datetime,
    max_bytes: int,
    ttl: timedelta = UPLOAD_TTL,
) -> BankUpload:
    """Keep an uploaded file for its preview; refuse what cannot be imported at all.

    Expired uploads (anyone's) are deleted in the same transaction, so abandoned files
    do not pile up.
    """
    problems: dict[str, list[Any]] = {}
    if not data:
        problems["file"] = [_tr(m.FILE_EMPTY)]
    elif len(data) > max_bytes:
        problems["file"] = [
            _tr(m.FILE_TOO_LARGE, size=human_size(len(data)), limit=human_size(max_bytes))
        ]
    if choice.fmt != "auto" and choice.fmt not in IMPORT_FORMATS:
        problems["fmt"] = [
            _tr(m.UNSUPPORTED_FORMAT, value=choice.fmt, allowed=", ".join(IMPORT_FORMATS))
        ]
    if choice.language not in LANGUAGES:
        problems["language"] = [
            _tr(m.UNKNOWN_LANGUAGE, code=choice.language, allowed=", ".join(LANGUAGES))
        ]
    existing = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == choice.bank_slug))
    if choice.new_bank:
        problems.update(_new_bank_problems(choice.bank_slug, choice.title_zh, "new_slug"))
    elif existing is None:
        problems["bank"] = [_l("Choose a bank.")]
    if problems:
        raise ValidationFailed(problems)
    db.session.execute(delete(BankUpload).where(BankUpload.expires_at < now))
    upload = BankUpload(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        filename=_display_name(filename),
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        fmt=choice.fmt,
        bank_slug=choice.bank_slug,
        new_bank=choice.new_bank,
        title_zh=choice.title_zh.strip(),
        title_mn=choice.title_mn.strip(),
        category=(choice.category or "").strip() or None,
        language=choice.language,
        created_at=now,
        expires_at=now + ttl,
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def _new_bank_problems(slug: str, title_zh: str, slug_field: str) -> dict[str, list[Any]]:
    problems: dict[str, list[Any]] = {}
    issue = slug_issue("id", slug)
    if issue is not None:
        problems[slug_field] = [_tr(issue[0], **issue[1])]
    elif db.session.scalar(select(QuestionBank.id).where(QuestionBank.slug == slug)) is not None:
        problems[slug_field] = [_l("A bank with this id exists already.")]
    if not title_zh.strip():
        problems["title_zh"] = [_l("Give the bank a Chinese title.")]
    return problems


def get_upload(token: str, user_id: int | None, now: datetime) -> BankUpload:
    """The caller's own upload, still waiting. Another person's token is "not found" (a
    token reveals nothing); an expired one says so, and is deleted."""
    upload = db.session.scalar(select(BankUpload).where(BankUpload.token == token))
    if upload is None or upload.user_id != user_id:
        raise NotFound(_l("No such upload: it was imported already, or it is not yours."))
    if upload.expires_at < now:
        db.session.delete(upload)
        db.session.commit()
        raise UploadExpired(_l("This upload has expired. Please upload the file again."))
    return upload


def check_upload(upload: BankUpload) -> Checked:
    """Read and check the stored file exactly as the import will (nothing is written)."""
    title = {"zh": upload.title_zh, "mn": upload.title_mn} if upload.new_bank else None
    return check_data(
        upload.data,
        upload.filename,
        fmt=upload.fmt,
        category=upload.category,
        bank_slug=upload.bank_slug,
        language=upload.language,
        bank_title={k: v for k, v in (title or {}).items() if v} or None,
    )


def digest_of(checked: Checked) -> str:
    """A fingerprint of what an import would store: the confirm must match the preview."""
    if not checked.ok or checked.result.bank is None:
        return ""
    return hashlib.sha256(dump_bank(checked.result.bank).encode("utf-8")).hexdigest()


def frozen_changes(checked: Checked) -> list[str]:
    """Ids of stored questions, already drawn in attempts, whose kind, answer key or
    options the file would change: the same rule as the edit page (unfair to those who
    answered them), so the console refuses such an import. Wording updates pass."""
    bank = checked.result.bank
    if not checked.ok or bank is None or not checked.updates:
        return []
    rows = list(
        db.session.scalars(
            select(Question)
            .join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(QuestionBank.slug == bank.id, Question.external_id.in_(checked.updates))
        )
    )
    used = used_questions([row.id for row in rows])
    incoming = {q.id: q for q in checked.result.questions}
    return sorted(
        row.external_id
        for row in rows
        if row.id in used
        and (
            row.kind != str(incoming[row.external_id].kind)
            or list(row.answer) != list(incoming[row.external_id].answer)
            or list(row.option_keys) != list(incoming[row.external_id].option_keys)
            or _options_moved(
                row,
                {
                    language: dict(version.options)
                    for language, version in incoming[row.external_id].versions.items()
                },
            )
            or _accepted_answers_differ(row, incoming[row.external_id])
        )
    )


def _options_moved(question: Question, options: dict[str, dict[str, str]]) -> list[str]:
    """``language:key`` of the options whose text the edit changes in more than form
    (``question_bank.rules.moved_options``): a swap of option texts between keys keeps
    the key letter but changes which answer was right for those who answered."""
    moved = []
    for text in question.texts:
        new = options.get(text.language)
        if new is not None:
            moved += [f"{text.language}:{k}" for k in moved_options(text.options or {}, new)]
    return moved


def _accepted_answers_differ(row: Question, incoming: Any) -> bool:
    """A fill-in question's accepted answers are its key: frozen like a choice key."""
    for text in row.texts:
        version = incoming.versions.get(text.language)
        if version is not None and [list(b) for b in version.blanks] != (text.blanks or []):
            return True
    return False


@dataclass(frozen=True)
class Imported:
    bank: QuestionBank
    added: int
    updated: int
    skipped: int


def confirm_upload(
    token: str,
    *,
    actor: Actor,
    digest: str,
    now: datetime,
    accepted: set[str] | frozenset[str] = frozenset(),
) -> Imported:
    """Import exactly what the preview showed, all or nothing, with its audit event.

    The file is read again from the stored bytes; if the result differs from the preview
    (``digest``: another import changed the bank meanwhile) nothing is stored and the
    organizer is sent back to a fresh preview. A stored question the file would change is
    changed only when its id is in ``accepted`` (the organizer ticked that row); the
    others keep their stored wording and key and count as skipped.
    """
    upload = get_upload(token, actor.user_id, now)
    checked = check_upload(upload)
    outdated = Conflict(
        _l("The bank changed since the preview. Check the new preview and confirm again."),
        code="preview_outdated",
    )
    if digest and digest != digest_of(checked):
        raise outdated  # (first: the file may have become a duplicate of what was stored)
    if not checked.ok or frozen_changes(checked):
        raise Conflict(_l("The file has errors: nothing was imported."), code="import_failed")
    if not digest:
        raise outdated
    bank = checked.result.bank
    assert bank is not None
    changing = {change["id"] for change in checked.changes}
    declined = changing - set(accepted)
    if declined:
        bank = replace(bank, questions=tuple(q for q in bank.questions if q.id not in declined))
    existed = db.session.scalar(select(QuestionBank.id).where(QuestionBank.slug == bank.id))
    row, added, updated = store_bank(bank, now)
    if existed is None:
        row.created_by_id = actor.user_id  # a bank made by this import is the importer's
    skipped = checked.report["skipped"] + len(declined)
    record(
        actor,
        action="bank.import",
        object_type="bank",
        object_id=row.id,
        now=now,
        after={
            "bank": row.slug,
            "file": upload.filename,
            "sha256": upload.sha256,
            "format": checked.result.format,
            "added": added,
            "updated": updated,
            "skipped": skipped,
            "revision": row.revision,
            "changed": sorted(changing & set(accepted)),
            "declined": sorted(declined),
            "contests": contests_using(row.id),
        },
    )
    db.session.delete(upload)
    db.session.commit()
    return Imported(row, added, updated, skipped)


# -- banks --------------------------------------------------------------------------


def create_bank(
    *, slug: str, title_zh: str, title_mn: str, actor: Actor, now: datetime
) -> QuestionBank:
    """An empty bank with its audit event, flushed (the edge commits). A concurrent
    request that took the id first is refused like a taken id, in a savepoint, so the
    caller's transaction stays usable."""
    slug = slug.strip()
    problems = _new_bank_problems(slug, title_zh, "slug")
    if problems:
        raise ValidationFailed(problems)
    row = QuestionBank(
        slug=slug,
        title_zh=title_zh.strip(),
        title_mn=title_mn.strip(),
        revision=1,
        created_at=now,
        created_by_id=actor.user_id,
    )
    try:
        with db.session.begin_nested():  # a savepoint: a lost race leaves the rest intact
            db.session.add(row)
    except IntegrityError as exc:  # a concurrent request took the id first
        raise ValidationFailed({"slug": [_l("A bank with this id exists already.")]}) from exc
    record(
        actor,
        action="bank.create",
        object_type="bank",
        object_id=row.id,
        now=now,
        after=snapshot(row, ("slug", "title_zh", "title_mn")),
    )
    db.session.flush()  # the edge commits
    return row


def get_bank(bank_id: int) -> QuestionBank:
    row = db.session.get(QuestionBank, bank_id)
    if row is None:
        raise NotFound(_l("No such question bank."))
    return row


def bank_choices(user: Any = None) -> list[QuestionBank]:
    """Banks, by slug; with ``user``, only those the user may change (``may_edit``)."""
    rows = list(db.session.scalars(select(QuestionBank).order_by(QuestionBank.slug)))
    return rows if user is None else [row for row in rows if may_edit(user, row)]


def check_import_target(bank_slug: str, user: Any) -> None:
    """An import into an existing bank needs the right to change it (``may_edit``)."""
    row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if row is not None:
        editable_bank(row.id, user)


def may_edit(user: Any, bank: QuestionBank) -> bool:
    """Who changes a bank (its questions, imports into it): admins; an organizer only for
    a bank they created or a bank a contest they run draws from. Any organizer may still
    read and export every bank and build rounds on it (red-team finding: any organizer
    could rewrite the banks of other organizers' running contests)."""
    from quiz.accounts.models import Role

    roles = getattr(user, "roles", ())
    if Role.ADMIN in roles:
        return True
    if Role.ORGANIZER not in roles:
        return False
    if bank.created_by_id is not None and bank.created_by_id == user.id:
        return True
    return usage.runs_contest_drawing_from(bank.id, user.id)


def editable_bank(bank_id: int, user: Any) -> QuestionBank:
    """The bank, if ``user`` may change it (404 if missing, 403 if not theirs)."""
    row = get_bank(bank_id)
    if not may_edit(user, row):
        raise Forbidden(
            _l(
                "Only the organizer who created this bank, the organizers of contests "
                "that use it and admins can change it."
            ),
            code="bank_not_yours",
        )
    return row


def categories_of(bank_id: int) -> list[BankCategory]:
    return list(
        db.session.scalars(
            select(BankCategory).where(BankCategory.bank_id == bank_id).order_by(BankCategory.slug)
        )
    )


@dataclass(frozen=True)
class BankSummary:
    """One line of the bank list: sizes, language coverage and how much is reviewed."""

    bank: QuestionBank
    active: int
    retired: int
    languages: dict[str, int]  # active questions with a version in the language
    reviewed: dict[str, int]  # ... of which that version is reviewed

    def share(self, language: str) -> int | None:
        """Per cent of the language's versions that are reviewed (None: no version)."""
        total = self.languages.get(language, 0)
        return None if not total else math.floor(100 * self.reviewed.get(language, 0) / total)


def bank_summaries() -> list[BankSummary]:
    """Every bank with its counts, in three grouped queries whatever the bank sizes."""
    banks = bank_choices()
    counts = {
        (bank_id, retired): n
        for bank_id, retired, n in db.session.execute(
            select(Question.bank_id, Question.retired, func.count()).group_by(
                Question.bank_id, Question.retired
            )
        )
    }
    languages: dict[int, dict[str, int]] = {}
    reviewed: dict[int, dict[str, int]] = {}
    for bank_id, language, is_reviewed, n in db.session.execute(
        select(Question.bank_id, QuestionText.language, QuestionText.reviewed, func.count())
        .join(QuestionText, QuestionText.question_id == Question.id)
        .where(Question.retired.is_(False))
        .group_by(Question.bank_id, QuestionText.language, QuestionText.reviewed)
    ):
        per = languages.setdefault(bank_id, {})
        per[language] = per.get(language, 0) + n
        if is_reviewed:
            done = reviewed.setdefault(bank_id, {})
            done[language] = done.get(language, 0) + n
    return [
        BankSummary(
            bank=b,
            active=counts.get((b.id, False), 0),
            retired=counts.get((b.id, True), 0),
            languages=languages.get(b.id, {}),
            reviewed=reviewed.get(b.id, {}),
        )
        for b in banks
    ]


# -- browsing and searching ---------------------------------------------------------

COVERAGE = ("has-mn", "missing-mn", "has-zh", "missing-zh")
REVIEW = ("mn-reviewed", "mn-unreviewed", "zh-reviewed", "zh-unreviewed")
STATUS = ("active", "retired")


@dataclass(frozen=True)
class Filters:
    """The bank page's search box and filters; unknown values are ignored (a link from an
    old page must not fail)."""

    q: str = ""
    category: str = ""
    difficulty: int | None = None
    coverage: str = ""
    review: str = ""
    status: str = ""
    benchmark: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        difficulty = args.get("difficulty", "")
        return cls(
            q=(args.get("q") or "").strip()[:200],
            category=(args.get("category") or "").strip(),
            difficulty=int(difficulty) if difficulty in ("1", "2", "3") else None,
            coverage=args.get("coverage") if args.get("coverage") in COVERAGE else "",
            review=args.get("review") if args.get("review") in REVIEW else "",
            status=args.get("status") if args.get("status") in STATUS else "",
            benchmark=args.get("benchmark") if args.get("benchmark") in BENCHMARKS else "",
        )

    def args(self) -> dict[str, Any]:
        """Query-string values for links that keep the filters (pagination)."""
        values = {
            "q": self.q,
            "category": self.category,
            "difficulty": self.difficulty,
            "coverage": self.coverage,
            "review": self.review,
            "status": self.status,
            "benchmark": self.benchmark,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Page:
    items: list[Question]
    total: int
    page: int
    per_page: int
    used: set[int] = field(default_factory=set)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _has_text(language: str, *conditions: Any) -> Any:
    return exists().where(
        QuestionText.question_id == Question.id, QuestionText.language == language, *conditions
    )


def search_questions(bank_id: int, filters: Filters, page: int = 1, per_page: int = PER_PAGE):
    """One page of a bank's questions matching the filters, in id order.

    The search term is folded with ``fold_key`` and matched against each version's stored
    folded text, so it finds Chinese and Mongolian alike, and a Mongolian word spelled
    with other variation selectors, MVS, o/u or t/d still matches. A question id matches
    too.
    """
    conditions: list[Any] = [Question.bank_id == bank_id]
    if filters.q:
        term = fold_key(filters.q)
        conditions.append(
            or_(
                exists().where(
                    QuestionText.question_id == Question.id,
                    QuestionText.search_key.contains(term, autoescape=True),
                ),
                func.lower(Question.external_id).contains(filters.q.lower(), autoescape=True),
            )
        )
    if filters.category:
        conditions.append(Question.category == filters.category)
    if filters.difficulty:
        conditions.append(Question.difficulty == filters.difficulty)
    if filters.coverage:
        verb, language = filters.coverage.split("-")
        condition = _has_text(language)
        conditions.append(condition if verb == "has" else ~condition)
    if filters.review:
        language, state = filters.review.split("-")
        conditions.append(_has_text(language, QuestionText.reviewed.is_(state == "reviewed")))
    if filters.status:
        conditions.append(Question.retired.is_(filters.status == "retired"))
    if filters.benchmark:
        conditions.append(Question.benchmark == filters.benchmark)
    where = and_(*conditions)
    total = db.session.scalar(select(func.count()).select_from(Question).where(where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = list(
        db.session.scalars(
            select(Question)
            .where(where)
            .order_by(Question.external_id, Question.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items, total, page, per_page, used_questions([q.id for q in items]))


def get_question(bank_id: int, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank_id:
        raise NotFound(_l("No such question."))
    return question


# -- editing ------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionEdit:
    """One language's wording as the edit form sends it (empty text: no such version)."""

    text: str
    options: dict[str, str]
    explanation: str
    reviewed: bool


@dataclass(frozen=True)
class QuestionEdit:
    kind: str
    category: str
    difficulty: int
    answer: tuple[str, ...]
    versions: dict[str, VersionEdit]


QUESTION_FIELDS = ("kind", "category", "difficulty", "answer", "option_keys", "retired")


def _question_snapshot(question: Question) -> dict[str, Any]:
    data = snapshot(question, QUESTION_FIELDS)
    for text in question.texts:
        data[text.language] = {
            "text": text.text,
            "options": dict(text.options),
            "explanation": text.explanation,
            "reviewed": text.reviewed,
        }
    return data


def _clean(text: str) -> str:
    from question_bank import normalize

    return normalize(text or "")


def _checked_edit(question: Question, edit: QuestionEdit) -> tuple[tuple[str, ...], dict]:
    """The new option keys and versions, or ``ValidationFailed`` naming each field."""
    problems: dict[str, list[Any]] = {}
    if edit.kind not in {k.value for k in Kind}:
        problems["kind"] = [_tr(m.BAD_KIND, value=edit.kind)]
        raise ValidationFailed(problems)
    kind = Kind(edit.kind)
    if edit.difficulty not in (1, 2, 3):
        problems["difficulty"] = [_tr(m.BAD_DIFFICULTY, value=edit.difficulty)]
    categories = {c.slug for c in categories_of(question.bank_id)}
    if edit.category not in categories:
        problems["category"] = [_tr(m.UNKNOWN_CATEGORY, category=edit.category)]
    versions: dict[str, dict[str, Any]] = {}
    key_sets: dict[str, tuple[str, ...]] = {}
    stored = set(question.languages)
    for language in LANGUAGES:
        version = edit.versions.get(language)
        text = _clean(version.text) if version else ""
        if not text:
            if language in stored:
                problems[f"{language}-text"] = [_tr(m.EMPTY_TEXT, key=gettext("Question text"))]
            continue
        assert version is not None
        if kind is Kind.TRUEFALSE:
            options = {k: TRUE_FALSE_LABELS[language][k] for k in TRUE_FALSE_KEYS}
        else:
            options = {
                k: _clean(v) for k, v in version.options.items() if k in OPTION_KEYS and _clean(v)
            }
            keys = tuple(k for k in OPTION_KEYS if k in options)
            issues = option_keys_issues(keys)
            if issues:
                problems[f"{language}-options"] = [_tr(msg, **params) for msg, params in issues]
            key_sets[language] = keys
        versions[language] = {
            "text": text,
            "options": options,
            "explanation": _clean(version.explanation) or None,
            "reviewed": version.reviewed,
        }
    if not versions:
        problems.setdefault("zh-text", [_tr(m.EMPTY_TEXT, key=gettext("Question text"))])
    if kind is Kind.TRUEFALSE:
        option_keys: tuple[str, ...] = TRUE_FALSE_KEYS
        if len(edit.answer) != 1 or edit.answer[0] not in TRUE_FALSE_KEYS:
            problems["answer"] = [_tr(m.TRUEFALSE_ANSWER, value=", ".join(edit.answer))]
    else:
        distinct = sorted(set(key_sets.values()))
        option_keys = distinct[0] if distinct else ()
        if len(distinct) > 1:
            (first, keys), (other, other_keys) = list(key_sets.items())[:2]
            problems.setdefault(f"{other}-options", []).append(
                _tr(
                    m.OPTIONS_DIFFER,
                    language=first,
                    keys=", ".join(keys),
                    other=other,
                    other_keys=", ".join(other_keys),
                )
            )
        issues = answer_issues(kind, edit.answer, option_keys)
        if issues:
            problems["answer"] = [_tr(msg, **params) for msg, params in issues]
    if problems:
        raise ValidationFailed(problems)
    return option_keys, versions


def update_question(
    question: Question, edit: QuestionEdit, *, actor: Actor, now: datetime
) -> Question:
    """Save an edit from the console, bump the bank's revision, record the event
    (flushed; the edge commits).

    Once a question has been drawn into any attempt, its kind, answer key and option set
    are frozen: changing them would score the people who already answered it by another
    rule than the rest. Wording (text, option texts, explanation, review flags, a new
    language version) may still change.
    """
    option_keys, versions = _checked_edit(question, edit)
    answer = tuple(k for k in option_keys if k in edit.answer)
    scoring_changes = (
        edit.kind != question.kind
        or list(answer) != list(question.answer)
        or list(option_keys) != list(question.option_keys)
    )
    in_use = used_questions([question.id])
    if scoring_changes and in_use:
        raise Conflict(
            _l(
                "This question already appears in attempts: changing its answer key, kind or "
                "options would be unfair to those who answered it. Only the wording can "
                "change; retire it and import a new question instead."
            ),
            code="question_in_use",
        )
    moved = _options_moved(question, {lang: v["options"] for lang, v in versions.items()})
    if moved and in_use:
        raise Conflict(
            _l(
                "This question already appears in attempts: its option texts can no longer "
                "change (options %(options)s), only their spacing, full-width forms and "
                "final punctuation. Retire it and import a corrected question instead.",
                options=", ".join(moved),
            ),
            code="options_in_use",
        )
    before = _question_snapshot(question)
    question.kind = edit.kind
    question.category = edit.category
    question.difficulty = edit.difficulty
    question.answer = list(answer)
    question.option_keys = list(option_keys)
    question.updated_at = now
    texts = {t.language: t for t in question.texts}
    for language, values in versions.items():
        text = texts.get(language)
        if text is None:
            text = QuestionText(language=language)
            question.texts.append(text)
        text.text = values["text"]
        text.options = values["options"]
        text.explanation = values["explanation"]
        text.reviewed = values["reviewed"]
        text.search_key = search_key_of(text)
    bank = db.session.get(QuestionBank, question.bank_id)
    assert bank is not None
    bank.revision += 1
    db.session.flush()
    old, new = changed(before, _question_snapshot(question))
    record(
        actor,
        action="question.update",
        object_type="question",
        object_id=question.id,
        now=now,
        before=old,
        after={**new, "contests": contests_using(bank.id)},
    )
    db.session.flush()  # the edge commits
    return question


def set_retired(question: Question, retired: bool, *, actor: Actor, now: datetime) -> Question:
    """Retire (never drawn again) or bring back a question. Attempts that drew it keep
    it: their review and results still show it."""
    return _set_flag(
        question,
        "retired",
        retired,
        "question.retire" if retired else "question.unretire",
        actor=actor,
        now=now,
    )


def set_reserved(question: Question, reserved: bool, *, actor: Actor, now: datetime) -> Question:
    """Reserve a question for contests (practice and the daily set never draw it), or
    release it for practice. Contest rounds draw it either way."""
    return _set_flag(
        question,
        "reserved",
        reserved,
        "question.reserve" if reserved else "question.unreserve",
        actor=actor,
        now=now,
    )


def _set_flag(
    question: Question,
    name: str,
    value: bool,
    action: str,
    *,
    actor: Actor,
    now: datetime,
) -> Question:
    """Set one of a question's switches, bump the bank's revision (drawing pools are
    rebuilt) and audit it, flushed (the edge commits); setting it to what it is changes
    nothing."""
    if getattr(question, name) == value:
        return question
    setattr(question, name, value)
    question.updated_at = now
    bank = db.session.get(QuestionBank, question.bank_id)
    assert bank is not None
    bank.revision += 1
    record(
        actor,
        action=action,
        object_type="question",
        object_id=question.id,
        now=now,
        before={name: not value},
        after={name: value, "contests": contests_using(bank.id)},
    )
    db.session.flush()  # the edge commits
    return question


# -- downloads ----------------------------------------------------------------------


def export_name(bank: QuestionBank, fmt: str, language: str) -> tuple[str, str]:
    """(ASCII name, full name) of an exported bank file."""
    suffix = FORMATS[fmt].suffix
    one = FORMATS[fmt].languages == "one"
    tail = f"-{language}" if one else ""
    title = bank.title_mn if language == "mn" and bank.title_mn else bank.title_zh
    return f"{bank.slug}{tail}{suffix}", file_name(
        title, LANGUAGE_NAMES[language] if one else None, suffix=suffix
    )


FORMAT_NAMES = {
    "yaml": "YAML",
    "xlsx": "XLSX",
    "csv": "CSV",
    "xls": "XLS",
    "docx": "Word",
    "text": "TXT",
    "zip": "ZIP",
    "gift": "GIFT",
    "moodle-xml": "Moodle XML",
    "aiken": "Aiken",
}
"""Short names of the formats, the same in every language (they are names of formats)."""


def export_formats() -> tuple[str, ...]:
    return EXPORT_FORMATS
