"""Dialect-aware statements: ``INSERT ... ON CONFLICT`` on PostgreSQL and SQLite alike;
several statements in one round trip on PostgreSQL (``pipelined``).

Concurrency is settled by unique constraints, never by check-then-insert, so the same
upsert has to be spelled for whichever database runs underneath.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from psycopg.rows import namedtuple_row, tuple_row
from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite

from quiz.extensions import db


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed.

    The count is what settles races ("claimed" a token, "wrote" an answer once): the
    statement's WHERE only matches the row still in the expected state. ``execute``
    is typed as returning a plain ``Result``; for DML it is a ``CursorResult``.
    """
    result = cast("CursorResult[Any]", db.session.execute(statement))
    return result.rowcount or 0


def _insert(model: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def insert_for(model: Any) -> Any:
    """The dialect's own INSERT (with ``on_conflict_*``) for ``model``."""
    return _insert(model)


def insert_ignore(model: Any, conflict_columns: list[str]) -> Any:
    """INSERT that silently does nothing when the unique key already exists."""
    return _insert(model).on_conflict_do_nothing(index_elements=conflict_columns)


def upsert(
    model: Any,
    conflict_columns: list[str],
    values: dict[str, Any],
    update: dict[str, Any],
    where: Any = None,
) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE; ``update`` may refer to ``excluded`` via callables.

    ``where`` (a callable of ``excluded``) makes the update conditional: a conflicting row
    that fails it is left alone, and ``RETURNING`` then yields no row.
    """
    statement = _insert(model).values(**values)
    resolved = {k: (v(statement.excluded) if callable(v) else v) for k, v in update.items()}
    return statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_=resolved,
        where=where(statement.excluded) if where is not None else None,
    )


def reads_without_transaction() -> None:
    """Let the rest of this request read outside any transaction (PostgreSQL).

    For a request whose writes are committed and which only reads from here on (the
    response of an attempt start): psycopg sends BEGIN and the final ROLLBACK as round
    trips of their own, two of the few a hot request makes. Each read then sees the
    latest committed data, as the first read of a new transaction would. SQLite keeps
    its transactions (its BEGIN costs no round trip).
    """
    session = db.session()
    if session.get_bind().dialect.name != "postgresql":
        return
    # A session transaction may have begun without a connection yet (an object added
    # after the commit); only one that already holds a connection is a real transaction.
    current = session.get_transaction()
    if current is None or not current._connections:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def prefix_match(column: Any, prefix: str) -> Any:
    """``column`` starts with ``prefix`` (case-sensitive), in a form an index can answer.

    PostgreSQL: ``LIKE 'abc%'`` (with a ``varchar_pattern_ops`` index on the column).
    SQLite: ``GLOB 'abc*'``, which uses a plain index; its ``LIKE`` ignores case and cannot.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        escaped = "".join(f"[{c}]" if c in "*?[" else c for c in prefix)
        return column.op("GLOB")(escaped + "*")
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")


@dataclass(frozen=True)
class _DriverStatement:
    """A Core statement compiled once for the driver: its SQL and parameter converters."""

    sql: str
    compiled: Any
    processors: dict[str, Callable[[Any], Any]]

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        raw = self.compiled.construct_params(values, _check=False)
        return {k: self.processors[k](v) if k in self.processors else v for k, v in raw.items()}


_COMPILED: dict[int, _DriverStatement] = {}


def _driver_statement(statement: Any, dialect: Any) -> _DriverStatement:
    found = _COMPILED.get(id(statement))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        found = _DriverStatement(compiled.string, compiled, dict(compiled._bind_processors))
        _COMPILED[id(statement)] = found
    return found


def pipelining(conn: Any) -> bool:
    """Can this connection send several statements in one round trip?"""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def pipelined(
    conn: Any, steps: Sequence[tuple[Any, dict[str, Any]]], plain: bool = False
) -> list[Any]:
    """Run Core statements in one round trip; the first row of each (None if none), as a
    named tuple, or a plain tuple if ``plain`` (the caller names the columns: psycopg's
    named rows describe the result's columns again on every call).

    psycopg's pipeline mode sends them together and the server runs them in order, each
    seeing the one before, exactly as if sent one by one (the answer path, the attempt
    start with a new bearer token). A transaction's first statement costs one round trip
    more: psycopg sends its implicit BEGIN and waits for it before the pipeline.

    ``statement`` objects must be long-lived (built once, like ``_save_statements``): the
    compiled SQL is kept per statement object. SQLAlchemy's ``before_cursor_execute``
    listeners hear of each statement as usual. A failing statement raises here and
    leaves the transaction aborted: the caller's rollback ends it.
    """
    return [
        cursor.fetchone() if _has_rows(cursor) else None
        for cursor in _run_pipeline(conn, steps, tuple_row if plain else namedtuple_row)
    ]


def pipelined_rows(conn: Any, steps: Sequence[tuple[Any, dict[str, Any]]]) -> list[list[Any]]:
    """As ``pipelined``, with every row of each statement (named tuples): a read of
    several rows sent with another (a cold answer's drawn items with its token lookup,
    ``quiz.play.hotpath.user_with_drawn``)."""
    return [
        cursor.fetchall() if _has_rows(cursor) else []
        for cursor in _run_pipeline(conn, steps, namedtuple_row)
    ]


def _run_pipeline(conn: Any, steps: Sequence[tuple[Any, dict[str, Any]]], rows: Any) -> list[Any]:
    """Send ``steps`` in one pipeline; their cursors, results received."""
    driver = conn.connection.driver_connection
    cursors = []
    with driver.pipeline():
        for statement, values in steps:
            compiled = _driver_statement(statement, conn.dialect)
            params = compiled.params(values)
            cursor = driver.cursor(row_factory=rows)
            conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, params, None, False)
            cursor.execute(compiled.sql, params)
            cursors.append(cursor)
    return cursors


def _has_rows(cursor: Any) -> bool:
    """A result with fields has rows to fetch (``cursor.description`` would build a
    column object per field just to say so)."""
    result = cursor.pgresult
    return result is not None and bool(result.nfields)
