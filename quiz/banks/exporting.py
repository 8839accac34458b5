"""Rebuild library ``Bank`` objects from SQL, for exports."""

from __future__ import annotations

from sqlalchemy import select

from question_bank import Bank, Category, Kind, Question, Version
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
    questions = []
    for q in db.session.scalars(
        select(QuestionRow)
        .where(QuestionRow.bank_id == row.id, QuestionRow.retired.is_(False))
        .order_by(QuestionRow.external_id)
    ):
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
                versions={
                    t.language: Version(
                        text=t.text,
                        options=dict(t.options),
                        explanation=t.explanation,
                        reviewed=t.reviewed,
                    )
                    for t in q.texts
                },
            )
        )
    title = {k: v for k, v in (("zh", row.title_zh), ("mn", row.title_mn)) if v}
    return Bank(id=row.slug, title=title, categories=categories, questions=tuple(questions))
