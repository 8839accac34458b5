"""Rebuild library ``Bank`` objects from SQL, for exports in any writable format."""

from __future__ import annotations

from sqlalchemy import select

from question_bank import Bank, Category, Kind, Media, Question, Version
from question_bank.formats import write_bank
from quiz.banks.media_store import read_bytes
from quiz.banks.models import BankCategory, QuestionBank
from quiz.banks.models import Question as QuestionRow
from quiz.extensions import db


def bank_from_sql(slug: str | None) -> Bank:
    banks = list(db.session.scalars(select(QuestionBank).order_by(QuestionBank.id)))
    if slug is not None:
        banks = [b for b in banks if b.slug == slug]
    if len(banks) != 1:
        raise ValueError("name the bank with --bank" if banks else "no such bank")
    row = banks[0]
    categories = tuple(
        Category(id=c.slug, name={k: v for k, v in (("zh", c.name_zh), ("mn", c.name_mn)) if v})
        for c in db.session.scalars(
            select(BankCategory).where(BankCategory.bank_id == row.id).order_by(BankCategory.slug)
        )
    )
    rows = list(
        db.session.scalars(
            select(QuestionRow)
            .where(QuestionRow.bank_id == row.id, QuestionRow.retired.is_(False))
            .order_by(QuestionRow.external_id)
        )
    )
    blobs = read_bytes({entry["sha256"] for q in rows for entry in q.media or ()})
    questions = []
    for q in rows:
        pictures = [
            (
                entry["option"],
                Media(data=blobs[entry["sha256"]], mime=entry["mime"], alt=entry["alt"]),
            )
            for entry in q.media or ()
            if entry["sha256"] in blobs
        ]
        questions.append(
            Question(
                id=q.external_id,
                kind=Kind(q.kind),
                category=q.category,
                difficulty=q.difficulty,
                answer=tuple(q.answer),
                option_keys=tuple(q.option_keys),
                source=q.source,
                tags=tuple(q.tags or ()),
                reserved=q.reserved,
                benchmark=q.benchmark,
                literacy_part=q.literacy_part,
                versions={
                    t.language: Version(
                        text=t.text,
                        options=dict(t.options),
                        explanation=t.explanation,
                        reviewed=t.reviewed,
                        blanks=tuple(tuple(accepted) for accepted in t.blanks or ()),
                    )
                    for t in q.texts
                },
                media=tuple(media for option, media in pictures if option is None),
                option_media={
                    key: tuple(media for option, media in pictures if option == key)
                    for key in q.option_keys
                    if any(option == key for option, _ in pictures)
                },
            )
        )
    title = {k: v for k, v in (("zh", row.title_zh), ("mn", row.title_mn)) if v}
    return Bank(id=row.slug, title=title, categories=categories, questions=tuple(questions))


def export_bytes(
    fmt: str,
    *,
    bank_slug: str | None = None,
    language: str = "zh",
    header_language: str = "zh",
) -> tuple[bytes, int]:
    """A stored bank as a file in ``fmt`` (yaml, xlsx, gift, moodle-xml), and its number
    of questions. GIFT and Moodle XML hold one language per question: ``language``."""
    bank = bank_from_sql(bank_slug)
    data = write_bank(bank, fmt, language=language, header_language=header_language)
    return data, len(bank.questions)
