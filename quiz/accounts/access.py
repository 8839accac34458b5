"""Who may open a route. Every view declares its rule with one of these decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request, session
from flask_login import current_user

from quiz.accounts.models import Role
from quiz.accounts.services import TokenLookup, TokenUser, token_lookup, user_for_token
from quiz.clock import now
from quiz.extensions import db, login_manager
from quiz.sql import pipelined, pipelining

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Logged in and holding one of ``roles`` (admins hold them all)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                from werkzeug.exceptions import Forbidden

                raise Forbidden()
            return view(*args, **kwargs)

        wrapper.access_rule = ("roles", roles)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    wrapped = roles_required()(view)
    wrapped.access_rule = ("login", ())  # type: ignore[attr-defined]
    return wrapped


# A view's first statement, keyed by its caller: ``read(by_token, **view_args)`` gives the
# statement and its parameters; the statement takes the caller as ``:user_id``, or with
# ``by_token`` as ``quiz.accounts.services.token_owner()`` (``:token_hash``).
FirstRead = Callable[..., tuple[Any, dict[str, Any]]]


def login_required_reading(read: FirstRead) -> Callable[[F], F]:
    """``login_required`` for a hot view whose first act is one statement keyed by its
    caller (an attempt start): the view gets that statement's first row as ``first_row``.

    A bearer token this process holds no copy of is looked up in the same round trip as
    that statement (``quiz.sql.pipelined``, PostgreSQL) instead of one round trip before
    it; the lookup alone decides who the caller is (401 as ``login_required`` if nobody),
    and the statement's row is used only for that caller. Cookie sessions, known tokens
    and SQLite authenticate exactly as ``login_required`` does, then run the statement.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            first_row = _read_with_new_token(read, kwargs)
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if first_row is _NOT_READ:
                first_row = first_read(read, current_user.id, kwargs)
            return view(*args, first_row=first_row, **kwargs)

        wrapper.access_rule = ("login", ())  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


_NOT_READ = object()


def _read_with_new_token(read: FirstRead, view_args: dict[str, Any]) -> Any:
    """For a bearer request whose token this process does not know: look it up and run
    ``read`` in one round trip, and make the token's user (or nobody) the request's
    user. Anything else: ``_NOT_READ`` (Flask-Login loads the user as usual)."""
    if "_user_id" in session:  # a cookie session: Flask-Login decides, as always
        return _NOT_READ
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _NOT_READ
    found = read_with_new_token(token.strip(), read, view_args)
    if found is None:
        return _NOT_READ
    user, first_row = found
    # What Flask-Login's request loader (``bearer_user``) would have found for the token.
    login_manager._update_request_context_with_user(user)
    return first_row


def read_with_new_token(
    token: str, read: FirstRead, view_args: dict[str, Any]
) -> tuple[TokenUser | None, Any] | None:
    """The token's user (None: no such active token) and ``read``'s first row, in one
    round trip, for a token this process holds no copy of on a connection that can
    pipeline (PostgreSQL); None otherwise (a known token, SQLite: the caller
    authenticates as usual, then runs ``first_read``). The one way to do it, for
    ``login_required_reading`` and the start lane (quiz/api/start_lane.py)."""
    conn = db.session.connection()
    if not pipelining(conn):
        return None
    lookup = token_lookup(token, now())
    if not isinstance(lookup, TokenLookup):  # known to this process: the usual path
        return None
    statement, params = read(True, **view_args)
    token_row, first_row = pipelined(
        conn,
        [
            (lookup.statement, lookup.params),
            (statement, {**params, "token_hash": lookup.token_hash}),
        ],
    )
    return lookup.user(token_row), first_row


def first_read(read: FirstRead, user_id: int, view_args: dict[str, Any]) -> Any:
    """``read``'s first row for a caller already known (keyed by ``:user_id``)."""
    statement, params = read(False, **view_args)
    params["user_id"] = user_id
    return db.session.connection().execute(statement, params).first()


def public(view: F) -> F:
    """Open to everyone, stated explicitly so an undecorated route stands out in review."""
    view.access_rule = ("public", ())  # type: ignore[attr-defined]
    return view


def bearer_user() -> Any:
    """Flask-Login request loader: ``Authorization: Bearer <token>`` for API clients."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip(), now())
