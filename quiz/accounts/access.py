"""Who may open a route. Every view declares its rule with one of these decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_login import current_user

from quiz.accounts.models import Role
from quiz.accounts.services import user_for_token
from quiz.clock import now
from quiz.extensions import login_manager

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
