"""Access rows of live games (quiz/live/routes.py, quiz/api/live.py).

``extend`` makes round RL of contest P live, with game G (PIN 424242, no guests) hosted
by P's organizer, which the participant has joined; and round RLO of the other
organizer's contest O, with game GO. Hosting is for the contest's organizers and admins
(another contest's organizer gets 403); players cannot advance; someone who is neither
player nor host does not see the game (404). Rows run in order, one scenario per role:
the reads come first, then G is advanced (by those who may), answered, joined, ended.
"""

from __future__ import annotations

from typing import Any

from quiz.contests.models import Contest, RoundMode
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.live import services
from quiz.live.models import LiveGame
from tests.security.matrix import ALL_200, LOGIN, P_CONSOLE, Case

PIN = "424242"
HOSTS = (LOGIN, 403, 403, 403, 200, 200)
HOSTS_O = (LOGIN, 403, 403, 200, 403, 200)
API_HOSTS = (401, 403, 403, 403, 200, 200)
API_HOSTS_O = (401, 403, 403, 200, 403, 200)
P_FORM_422 = (LOGIN, 403, 403, 403, 422, 422)


def _live_game(make: Any, clock: Any, contest: Contest, host: Any, pin: str) -> tuple[int, int]:
    bank = make.bank(per_cell=1)
    round_ = make.round(contest, bank, title_zh="现场赛")
    round_.mode = RoundMode.LIVE
    db.session.commit()
    game = services.create_game(round_, Actor.of(host), services.GameSettings(), clock())
    game.pin = game.active_pin = pin
    db.session.commit()
    return round_.id, game.id


def extend(scenario: Any, make: Any, clock: Any) -> None:
    published = db.session.get(Contest, scenario.ids["P"])
    others = db.session.get(Contest, scenario.ids["O"])
    rl, g = _live_game(make, clock, published, scenario.users["organizer"], PIN)
    rlo, go = _live_game(make, clock, others, scenario.users["other_organizer"], "515151")
    participant = scenario.users["participant"]
    enroll(participant, published, clock())
    joined = services.join_game(PIN, participant, clock())
    db.session.commit()
    services.after_join(joined, clock())
    services.publish(services.Change(db.session.get(LiveGame, g)), clock())
    scenario.ids.update({"RL": rl, "RLO": rlo, "G": g, "GO": go})


ROWS: dict[str, list[Case]] = {
    # The console: a round's live settings and games, hosting, the projector, the QR code.
    "live.round_page": [
        Case("GET", "/console/rounds/{RL}/live", P_CONSOLE),
        Case("GET", "/console/rounds/{RLO}/live", (LOGIN, 403, 403, 200, 403, 200)),
    ],
    # Empty forms: refused with the page again, nothing changed.
    "live.round_mode": [Case("POST", "/console/rounds/{RL}/live/mode", P_FORM_422)],
    "live.create_game": [Case("POST", "/console/rounds/{RL}/live/games", P_FORM_422)],
    "live.host": [
        Case("GET", "/console/live/{G}", HOSTS),
        Case("GET", "/console/live/{GO}", HOSTS_O),
        Case("GET", "/console/live/999999", (LOGIN, 403, 403, 404, 404, 404)),
    ],
    "live.projector": [
        Case("GET", "/console/live/{G}/projector", HOSTS),
        Case("GET", "/console/live/{GO}/projector", HOSTS_O),
    ],
    "live.qr": [Case("GET", "/console/live/{G}/qr.svg", HOSTS)],
    # The phone: the PIN page is public; the game page is for its players only.
    "live.enter": [
        Case("GET", "/live", ALL_200),
        Case("POST", "/live", (422,) * 6),
    ],
    "live.play": [Case("GET", "/live/{G}", (LOGIN, 200, 404, 404, 404, 404))],
    # The state and results: players and hosts; anyone else is told the game does not exist.
    "api.live_game_state": [
        Case("GET", "/api/v1/live-games/{G}/state", (401, 200, 404, 404, 200, 200)),
        Case("GET", "/api/v1/live-games/{GO}/state", (401, 404, 404, 200, 404, 200)),
    ],
    "api.live_game_results": [
        Case("GET", "/api/v1/live-games/{G}/results", (401, 200, 404, 404, 200, 200)),
    ],
    # Creating a game: the round's organizers (P is published, O is not: 404 outside it).
    "api.create_live_game": [
        Case(
            "POST", "/api/v1/live-games", (401, 403, 403, 403, 201, 201), json={"round_id": "{RL}"}
        ),
        Case(
            "POST", "/api/v1/live-games", (401, 404, 404, 201, 404, 201), json={"round_id": "{RLO}"}
        ),
    ],
    # Pacing: hosts only; players cannot advance. G moves to its first question here.
    "api.advance_live_game": [
        Case("POST", "/api/v1/live-games/{G}/advance", API_HOSTS),
        Case("POST", "/api/v1/live-games/{GO}/advance", API_HOSTS_O),
    ],
    "api.pause_live_game": [Case("POST", "/api/v1/live-games/{G}/pause", API_HOSTS)],
    "api.resume_live_game": [Case("POST", "/api/v1/live-games/{G}/resume", API_HOSTS)],
    # Answering: players only. For the participant G is still in its lobby (players
    # cannot advance it): 409; hosts are not players: 422.
    "api.live_game_answer": [
        Case(
            "PUT",
            "/api/v1/live-games/{G}/answers/1",
            (401, 409, 404, 404, 422, 422),
            json={"choice": ["A"]},
        ),
    ],
    # Joining (G takes accounts only): the participant is back in their game; others join.
    "live.join": [
        Case("GET", f"/live/join?pin={PIN}", (200, 302, 200, 200, 200, 200)),
        Case("POST", f"/live/join?pin={PIN}", (400, 302, 302, 302, 302, 302)),
    ],
    "api.join_live_game": [
        Case("POST", "/api/v1/live-games/join", (400, 200, 200, 200, 200, 200), json={"pin": PIN}),
        Case("POST", "/api/v1/live-games/join", (404,) * 6, json={"pin": "000000"}),
    ],
    "api.skip_live_question": [Case("POST", "/api/v1/live-games/{G}/skip", API_HOSTS)],
    # The console's forms: back to the console (an action that does not fit: a message).
    "live.host_action": [
        Case("POST", "/console/live/{G}/pause", (LOGIN, 403, 403, 403, 302, 302)),
        Case("POST", "/console/live/{G}/nothing", (LOGIN, 403, 403, 403, 404, 404)),
    ],
    "api.end_live_game": [
        Case("POST", "/api/v1/live-games/{G}/end", API_HOSTS),
        Case("POST", "/api/v1/live-games/{GO}/end", API_HOSTS_O),
    ],
}
