"""Storing library banks in SQL, and the drawing pools built from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true

from question_bank import Bank, Candidate, DrawPool, Kind, fold_key
from question_bank import Question as BankQuestion
from quiz.banks.media_store import store_bytes
from quiz.banks.models import BankCategory, Question, QuestionBank, QuestionText
from quiz.banks.pictures import Picture, normalise
from quiz.cache import SharedCache, app_cache
from quiz.extensions import db


def search_key_of(text: QuestionText) -> str:
    """What the console's search matches for one language version (see the column)."""
    parts = [text.text, *(text.options or {}).values(), text.explanation or ""]
    return "\n".join(fold_key(part) for part in parts if part)


def import_bank(bank: Bank, now: datetime) -> tuple[QuestionBank, int, int]:
    """Insert or update a bank by its slug and its questions by their ids, and commit.

    Returns (bank, questions added, questions updated). Questions missing from the file
    are left alone (retiring is an explicit act), so re-importing never breaks past
    attempts.
    """
    result = store_bank(bank, now)
    db.session.commit()
    return result


def store_bank(bank: Bank, now: datetime) -> tuple[QuestionBank, int, int]:
    """``import_bank`` without the commit, for callers that add to the same transaction
    (the console's import records its audit event with it)."""
    row = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank.id))
    if row is None:
        row = QuestionBank(
            slug=bank.id,
            title_zh=bank.title.get("zh", bank.id),
            title_mn=bank.title.get("mn", ""),
            created_at=now,
            revision=1,
        )
        db.session.add(row)
        db.session.flush()
    else:
        row.title_zh = bank.title.get("zh", row.title_zh)
        row.title_mn = bank.title.get("mn", row.title_mn)
        row.revision += 1
    categories = {
        c.slug: c
        for c in db.session.scalars(select(BankCategory).where(BankCategory.bank_id == row.id))
    }
    for category in bank.categories:
        existing = categories.get(category.id)
        if existing is None:
            db.session.add(
                BankCategory(
                    bank_id=row.id,
                    slug=category.id,
                    name_zh=category.name.get("zh", category.id),
                    name_mn=category.name.get("mn", ""),
                )
            )
        else:
            existing.name_zh = category.name.get("zh", existing.name_zh)
            existing.name_mn = category.name.get("mn", existing.name_mn)
    stored = {
        q.external_id: q
        for q in db.session.scalars(select(Question).where(Question.bank_id == row.id))
    }
    added = updated = 0
    for item in bank.questions:
        # Before the row is touched: storing a picture runs a statement, and autoflush
        # must not write a half-filled question.
        pictures = store_pictures(item, now)
        question = stored.get(item.id)
        if question is None:
            question = Question(bank_id=row.id, external_id=item.id, created_at=now)
            db.session.add(question)
            added += 1
        else:
            updated += 1
        question.kind = str(item.kind)
        question.category = item.category
        question.difficulty = item.difficulty
        question.answer = list(item.answer)
        question.option_keys = list(item.option_keys)
        question.source = item.source
        question.tags = list(item.tags)
        question.media = pictures
        # A file can reserve a question; only the console lifts it (a re-import of a
        # file without the flag must not put a contest's questions into practice).
        question.reserved = bool(question.reserved) or item.reserved
        question.benchmark = item.benchmark
        question.literacy_part = item.literacy_part
        question.updated_at = now
        texts = {t.language: t for t in question.texts}
        for language, version in item.versions.items():
            text = texts.get(language)
            if text is None:
                text = QuestionText(language=language)
                question.texts.append(text)
            text.text = version.text
            text.options = dict(version.options)
            text.explanation = version.explanation
            text.blanks = [list(accepted) for accepted in version.blanks] or None
            text.reviewed = version.reviewed
            text.search_key = search_key_of(text)
        for language, text in texts.items():
            if language not in item.versions:
                question.texts.remove(text)
    db.session.flush()
    return row, added, updated


def store_pictures(item: BankQuestion, now: datetime) -> list[dict[str, object]] | None:
    """Store a question's pictures (stem first, then each option's) and return what the
    question row keeps of them. Pictures given only as a web address are left out: the
    server never fetches them (the import report names them)."""
    entries: list[dict[str, object]] = []
    placed = [(None, media) for media in item.media] + [
        (key, media) for key in item.option_keys for media in item.option_media.get(key, ())
    ]
    for option, media in placed:
        if media.data is None:
            continue
        entries.append(store_picture(normalise(media.data, media.name), media.alt, option, now))
    return entries or None


def store_picture(
    picture: Picture, alt: str, option: str | None, now: datetime
) -> dict[str, object]:
    """Keep a normalised picture's bytes (once per address) and return the entry a
    question row lists it by."""
    store_bytes(picture, now)
    return {
        "sha256": picture.sha256,
        "mime": picture.mime,
        "width": picture.width,
        "height": picture.height,
        "alt": alt,
        "option": option,
    }


@dataclass(frozen=True)
class DrawMeta:
    kind: str
    option_keys: tuple[str, ...]
    difficulty: int


@dataclass(frozen=True)
class CachedPool:
    pool: DrawPool
    meta: dict[int, DrawMeta]


PoolKey = tuple[int, int, tuple[str, ...], bool]
# A pool is keyed by its bank's revision, so a copy is never stale: it is only dropped
# when a newer revision of its bank is built (or the cache is full).
POOL_SECONDS = float("inf")
MAX_POOLS = 256


def _pool_cache() -> SharedCache:
    """Per app (not per module) so two apps in one process never share pools."""
    return app_cache("draw_pools", POOL_SECONDS, max_entries=MAX_POOLS)


def drawing_pool(
    bank_id: int,
    languages: list[str],
    *,
    choice_only: bool = False,
    revision: int | None = None,
) -> CachedPool:
    """The active questions of a bank that exist in every language of a round
    (``choice_only``: without fill-in questions, for live games, answered by a tap).

    Requiring every language keeps a round fair: whichever language a person picks, they
    draw from the same questions, and can switch language mid-attempt. Cached per bank
    revision, so building it (a scan of the bank) happens once per change, not per start.
    One thread builds, the others of this process wait for it (the cache's lock per key):
    when a round opens, a worker's threads all start attempts at once, and a
    100,000-question pool built by every one of them would cost each its own scan.
    ``revision``: the bank's revision when the caller has just read it (else read here).
    """
    if revision is None:  # the attempt start reads it in its enrollment query instead
        revision = db.session.scalar(
            select(QuestionBank.revision).where(QuestionBank.id == bank_id)
        )
    key = (bank_id, revision or 0, tuple(sorted(languages)), choice_only)
    return _pool_cache().get(key, lambda: _build_pool(key, bank_id, languages))


def forget_pools(bank_id: int, revision: int) -> None:
    """Drop this process's pools of ``bank_id`` built from another revision."""
    _pool_cache().discard_where(lambda k, _v: k[0] == bank_id and k[1] != revision)


def _build_pool(key: PoolKey, bank_id: int, languages: list[str]) -> CachedPool:
    covered = (
        select(QuestionText.question_id)
        .where(QuestionText.language.in_(languages))
        .group_by(QuestionText.question_id)
        .having(func.count() == len(set(languages)))
    )
    rows = db.session.execute(
        select(
            Question.id, Question.category, Question.difficulty, Question.kind, Question.option_keys
        ).where(
            Question.bank_id == bank_id,
            Question.retired.is_(False),
            Question.id.in_(covered),
            Question.kind != str(Kind.FILL) if key[3] else true(),
        )
    ).all()
    pool = DrawPool.from_candidates(Candidate(r.id, r.category, r.difficulty) for r in rows)
    # One DrawMeta per distinct value, shared: a bank has a handful of distinct ones, and
    # one object per question (100,000 in a large bank) would be visited by every full
    # garbage collection of every worker (docs/performance.md, "10. Latency under steady
    # load").
    shared: dict[DrawMeta, DrawMeta] = {}
    meta = {}
    for r in rows:
        found = DrawMeta(r.kind, tuple(r.option_keys), r.difficulty)
        meta[r.id] = shared.setdefault(found, found)
    forget_pools(bank_id, key[1])
    return CachedPool(pool=pool, meta=meta)


def category_names(bank_id: int, language: str) -> dict[str, str]:
    """A bank's category names by slug, in ``language`` (Chinese when it has no name in
    it): what every page, message and file shows instead of the slug."""
    return {
        c.slug: (c.name_mn if language == "mn" and c.name_mn else c.name_zh) or c.slug
        for c in db.session.scalars(select(BankCategory).where(BankCategory.bank_id == bank_id))
    }
