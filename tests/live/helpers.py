"""Set-up shared by the live-game tests: a live round, its host, players with tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quiz.accounts.models import Role, User
from quiz.contests.models import Contest, ContestOrganizer, Round, RoundMode
from quiz.extensions import db
from tests.factories import issue_token


@dataclass
class Hall:
    contest: Contest
    round: Round
    host: User
    host_token: str
    players: list[tuple[User, str]] = field(default_factory=list)

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @property
    def host_headers(self) -> dict[str, str]:
        return self.bearer(self.host_token)


def live_hall(make: Any, clock: Any, players: int = 3, **round_kwargs: Any) -> Hall:
    """A published contest with a live round (6 questions), its organizer and players."""
    host = make.user("host", roles=(Role.ORGANIZER,))
    contest, round_ = make.setup(**round_kwargs)
    db.session.add(ContestOrganizer(contest_id=contest.id, user_id=host.id))
    round_.mode = RoundMode.LIVE
    round_.question_seconds = 20
    db.session.commit()
    token, _ = issue_token(host, clock(), 1)
    hall = Hall(contest, round_, host, token)
    for i in range(players):
        user = make.user(f"player{i}", language="mn" if i == 2 else "zh")
        hall.players.append((user, issue_token(user, clock(), 1)[0]))
    return hall


def create_game(client: Any, hall: Hall, **settings: Any) -> dict[str, Any]:
    body = {
        "round_id": hall.round.id,
        "speed_points": True,
        "streaks": True,
        "teams": "none",
        "podium": 3,
        **settings,
    }
    response = client.post("/api/v1/live-games", json=body, headers=hall.host_headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def join(client: Any, hall: Hall, pin: str, index: int) -> dict[str, Any]:
    _user, token = hall.players[index]
    response = client.post("/api/v1/live-games/join", json={"pin": pin}, headers=hall.bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def state(client: Any, game_id: int, headers: dict[str, str], after: int | None = None) -> Any:
    query = "" if after is None else f"?after={after}"
    response = client.get(f"/api/v1/live-games/{game_id}/state{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def act(client: Any, hall: Hall, game_id: int, action: str, **body: Any) -> Any:
    response = client.post(
        f"/api/v1/live-games/{game_id}/{action}", json=body or None, headers=hall.host_headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json
