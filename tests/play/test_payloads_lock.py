"""Filling the per-process question payloads never waits for SQLite's write lock.

A start commits, then opens a new transaction (its after-commit work) before it asks
for its bank's payloads; on SQLite that transaction holds the write lock. If the thread
filling the payloads (holding the cache's lock) needed the write lock too, the two
threads waited for each other until SQLite's 30 s busy timeout and both starts answered
503 (seen in `make bench QUICK=1` and in CI). The payloads are read on a connection of
their own whose transaction needs no write lock (``extensions.read_only_connection``).
"""

from __future__ import annotations

from sqlalchemy import select

from quiz.banks.models import QuestionBank
from quiz.extensions import db
from quiz.play.state import question_payloads


def test_payloads_fill_while_another_connection_holds_the_write_lock(app, make):
    _contest, round_ = make.setup()
    bank_id = round_.bank_id
    revision = db.session.scalar(select(QuestionBank.revision).where(QuestionBank.id == bank_id))
    db.session.commit()
    holder = db.engine.connect()
    try:
        # Outside a request a transaction begins with BEGIN IMMEDIATE on SQLite: this
        # connection now holds the write lock, as a start's after-commit transaction does.
        holder.execute(select(QuestionBank.id).where(QuestionBank.id == bank_id))
        payloads = question_payloads(bank_id, revision or 0, "zh")
    finally:
        holder.rollback()
        holder.close()
    assert payloads, "the bank's questions were rendered"
