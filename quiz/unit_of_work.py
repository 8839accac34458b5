"""One transaction owner: services flush, the edge commits, side effects follow the commit.

The rule (docs/architecture.md, "Transactions"): a service writes and flushes, it never
commits or rolls back. The edge that started the work owns the transaction: the request
(``commit_request`` below, after the view returned a success), the CLI command, the
per-minute job. So a service that calls another service, or raises halfway, can never
leave half of a user action committed.

What must happen only once the data is durable (a Redis publish, a cache invalidation)
is queued with ``after_commit(callable)``: it runs right after the commit that makes
its writes durable, and never if that transaction rolls back (or the session is closed
without committing). The answer hot path keeps its explicit commit (quiz/play/services.py
``save_answer``), documented there.

SQLAlchemy's ``after_commit`` event marks the queued callables as due; they run when
``Session.commit`` returns, because inside the event the session may emit no SQL, and a
publish reads a little (a round's board settings, a school's standing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_PENDING = "quiz_after_commit"  # [(transaction queued in, callable)]
_DUE = "quiz_after_commit_due"  # callables of the transaction that just committed
_WROTE = "quiz_wrote"  # the current transaction flushed or executed a write


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction of ``session`` has committed.

    Dropped if that transaction (or the savepoint it was queued in) rolls back. Outside
    any transaction the next commit counts (the session begins one on its next use).
    """
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, callback))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def has_work(session: Session) -> bool:
    """Has the current transaction anything to commit (writes, or callables queued)?"""
    return bool(
        session.info.get(_WROTE)
        or session.info.get(_PENDING)
        or session.new
        or session.dirty
        or session.deleted
    )


@event.listens_for(Session, "after_commit")
def _commit_done(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint was released: its callables wait for the enclosing transaction
        # (they stay tagged with the savepoint, whose ancestors decide their fate).
        return
    pending = session.info.pop(_PENDING, [])
    if pending:
        session.info.setdefault(_DUE, []).extend(callback for _tx, callback in pending)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(tx, cb) for tx, cb in pending if not _within(tx, previous)]


@event.listens_for(Session, "after_transaction_end")
def _transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The root transaction ended without a commit (closed, or removed at teardown):
    # what it queued belongs to writes that never became durable.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)


def run_due(session: Session) -> None:
    """Run the callables whose transaction committed (each once, in queued order).

    One that fails does not stop the others (their data is committed either way); the
    first failure is raised once all have run.
    """
    failure: BaseException | None = None
    while session.info.get(_DUE):
        due = session.info.pop(_DUE)
        for callback in due:
            try:
                callback()
            except Exception as exc:
                log.exception("after-commit callback %r failed", callback)
                failure = failure or exc
    if failure is not None:
        raise failure


class UnitOfWorkSession(FlaskSession):
    """Flask-SQLAlchemy's session, running ``after_commit`` callables after a commit."""

    def commit(self) -> None:
        super().commit()
        run_due(self)


def commit_request(response: Any) -> Any:
    """The request's unit of work: commit after a successful view, else roll back.

    A view that raised never gets here (the error handlers roll back); one that answers
    with an error status has refused the action, so nothing it flushed is kept. A
    transaction that only read is rolled back, as the teardown would (same round trips
    as a COMMIT, and no commit to count).
    """
    end_request_work(response.status_code)
    return response


def end_request_work(status_code: int) -> None:
    """``commit_request``'s rule for an answer of ``status_code``: commit a success's
    work, else (an error status, or a transaction that only read) roll back. Also called
    by the lanes, which answer without a response object (quiz/api/lane.py)."""
    from quiz.extensions import db

    if not db.session.registry.has():
        return  # the request never used the database (a warm board read): nothing to end
    session = db.session()
    if status_code < 400 and has_work(session):
        session.commit()
    elif session.in_transaction():
        session.rollback()


def commit_keeping_loaded() -> None:
    """Commit the request's work without expiring what it read (an attempt start).

    The start wrote only new rows, through Core statements, so what the transaction
    read (the round, its contest) is still what it saw; expiring it would make the
    response re-read the round, a round trip on every start.
    """
    from quiz.extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
