"""Access to one contest's organizer console.

Every console route is about one contest (directly, or through a round or league of
it). The rule: admins, and organizers listed for that contest. Anyone else logged in
gets 403 (an organizer of another contest too); a contest that does not exist is 404.
Routes declare it with ``contest_organizer_required`` so the access matrix sees the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from quiz.accounts.models import Role
from quiz.contests.models import Contest, League, Round
from quiz.contests.services import is_organizer_of
from quiz.errors import Forbidden, NotFound
from quiz.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])


def organized_contest(
    *, contest_id: int | None = None, round_id: int | None = None, league_id: int | None = None
) -> Contest:
    """The contest behind the id, if the current user may run it; else 404 or 403."""
    contest: Contest | None = None
    if contest_id is not None:
        contest = db.session.get(Contest, contest_id)
    elif round_id is not None:
        round_ = db.session.get(Round, round_id)
        contest = round_.contest if round_ is not None else None
    elif league_id is not None:
        league = db.session.get(League, league_id)
        contest = league.contest if league is not None else None
    if contest is None:
        raise NotFound(_l("This contest does not exist."), code="contest_not_found")
    if not is_organizer_of(current_user, contest):
        raise Forbidden(_l("Only this contest's organizers may do this."), code="not_organizer")
    return contest


def contest_organizer_required(view: F) -> F:
    """Logged in, organizer or admin, and running the contest named by the URL.

    The URL names the contest by ``contest_id``, ``round_id`` or ``league_id``; the
    contest is left in ``g.contest`` for the view.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(Role.ORGANIZER):
            raise Forbidden(_l("Only this contest's organizers may do this."), code="not_organizer")
        g.contest = organized_contest(
            contest_id=kwargs.get("contest_id"),
            round_id=kwargs.get("round_id"),
            league_id=kwargs.get("league_id"),
        )
        return view(*args, **kwargs)

    wrapper.access_rule = ("contest_organizer", (Role.ORGANIZER,))  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
