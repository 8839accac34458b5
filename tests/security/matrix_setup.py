"""Access rows for the organizer console (``quiz/organizer``, blueprint ``organizer``).

Every page about a contest is ``contest_organizer_required``: the organizer of P (and of
U) and admins get in; participants, teachers and the organizer of another contest get
403. Posts send forms the services refuse (422) or that change nothing (a refused
removal redirects back, 302), so the rows leave the scenario as they found it — except
the join-code row, which runs on U, a contest no other row posts to.
"""

from __future__ import annotations

from typing import Any

from quiz.contests.models import Enrollment
from quiz.contests.services import add_league
from quiz.extensions import db
from tests.security.matrix import ORGANIZERS, P_CONSOLE, Case

REFUSED: Any = ("login", 403, 403, 403, 422, 422)
BACK: Any = ("login", 403, 403, 403, 302, 302)
NEW_REFUSED: Any = ("login", 403, 403, 422, 422, 422)
O_CONSOLE: Any = ("login", 403, 403, 200, 403, 200)


def extend(scenario: Any, make: Any, clock: Any) -> None:
    from quiz.contests.models import Contest

    published = db.session.get(Contest, scenario.ids["P"])
    spare = add_league(published, code="spare", name_zh="备用组")
    used = db.session.query(Enrollment).filter_by(contest_id=published.id).first()
    scenario.ids["LP"] = spare.id
    scenario.ids["LUSED"] = used.league_id
    scenario.ids["ORG_USER"] = scenario.users["organizer"].id


ROWS: dict[str, list[Case]] = {
    "organizer.home": [Case("GET", "/console", ORGANIZERS)],
    "organizer.new_contest": [
        Case("GET", "/console/contests/new", ORGANIZERS),
        Case("POST", "/console/contests/new", NEW_REFUSED, form={"title_zh": ""}),
    ],
    "organizer.overview": [
        Case("GET", "/console/contests/{P}", P_CONSOLE),
        Case("GET", "/console/contests/{U}", P_CONSOLE),
        Case("GET", "/console/contests/{O}", O_CONSOLE),
    ],
    "organizer.edit_contest": [
        Case("GET", "/console/contests/{P}/edit", P_CONSOLE),
        Case("POST", "/console/contests/{P}/edit", REFUSED, form={"title_zh": ""}),
    ],
    "organizer.join_code": [Case("POST", "/console/contests/{U}/join-code", BACK)],
    "organizer.organizers": [
        Case("GET", "/console/contests/{P}/organizers", P_CONSOLE),
        Case("POST", "/console/contests/{P}/organizers", REFUSED, form={"username": ""}),
    ],
    # The last organizer cannot be removed: refused, back to the page.
    "organizer.remove_organizer": [
        Case("POST", "/console/contests/{P}/organizers/{ORG_USER}/remove", BACK)
    ],
    "organizer.invites": [
        Case("GET", "/console/contests/{P}/invites", P_CONSOLE),
        Case("POST", "/console/contests/{P}/invites", REFUSED, form={"usernames": ""}),
    ],
    "organizer.remove_invite": [
        Case("POST", "/console/contests/{P}/invites/remove", BACK, form={"username_key": "x"})
    ],
    # Nothing to confirm: refused, back to the list.
    "organizer.confirm_invite": [
        Case("POST", "/console/contests/{P}/invites/confirm", BACK, form={"username_key": "x"})
    ],
    "organizer.leagues": [
        Case("GET", "/console/contests/{P}/leagues", P_CONSOLE),
        Case("GET", "/console/contests/{O}/leagues", O_CONSOLE),
        Case("POST", "/console/contests/{P}/leagues", REFUSED, form={"code": ""}),
    ],
    "organizer.league_preset": [
        Case("POST", "/console/contests/{P}/leagues/preset", BACK, form={"preset-preset": "x"})
    ],
    "organizer.edit_league": [
        Case("GET", "/console/leagues/{LP}/edit", P_CONSOLE),
        Case("POST", "/console/leagues/{LP}/edit", REFUSED, form={"code": ""}),
    ],
    # The participant's league is in use: refused, back to the list.
    "organizer.remove_league": [Case("POST", "/console/leagues/{LUSED}/remove", BACK)],
    "organizer.new_round": [
        Case("GET", "/console/contests/{P}/rounds/new", P_CONSOLE),
        Case("POST", "/console/contests/{P}/rounds/new", REFUSED, form={"title_zh": ""}),
    ],
    "organizer.edit_round": [
        Case("GET", "/console/rounds/{R1}/edit", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/edit", O_CONSOLE),
        Case("POST", "/console/rounds/{R1}/edit", REFUSED, form={"title_zh": ""}),
    ],
    # Extra time: an empty form is refused (422); a revoke of nothing redirects back.
    "organizer.round_extra_time": [
        Case("GET", "/console/rounds/{R1}/extra-time", P_CONSOLE),
        Case("GET", "/console/rounds/{RO}/extra-time", O_CONSOLE),
        Case("POST", "/console/rounds/{R1}/extra-time", REFUSED, form={"username": ""}),
    ],
    "organizer.revoke_extra_time": [
        Case("POST", "/console/rounds/{R1}/extra-time/{ORG_USER}/revoke", BACK)
    ],
    "organizer.preview": [
        Case("GET", "/console/rounds/{R1}/preview?seed=7", P_CONSOLE),
        Case("GET", "/console/rounds/{RU}/preview", P_CONSOLE),
    ],
    "organizer.audit": [
        Case("GET", "/console/contests/{P}/audit", P_CONSOLE),
        Case("GET", "/console/contests/{P}/audit?before=99", P_CONSOLE),
    ],
}
