"""My history (issue 17 item 6): finished contest rounds with score and rank, practice
totals and the daily streak, on a page and through the API; nobody else's."""

from __future__ import annotations

from sqlalchemy import select

from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import AttemptItem
from quiz.practice import services
from tests.api.test_openapi import assert_valid
from tests.factories import PASSWORD


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_history_lists_rounds_practice_and_streak(client, make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest, username="bat")
    rival = make.enrolled(contest)
    for person, picks in ((user, "A"), (rival, None)):
        attempt, _ = play.start_attempt(person, round_, "zh", clock())
        if picks:
            for item in db.session.scalars(
                select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
            ):
                play.save_answer(attempt.id, person, item.no, [picks], clock())
        play.finish_attempt(attempt, clock())
        db.session.commit()  # the edge commits (services flush)
    other_contest, other_round = make.setup()
    stranger = make.enrolled(other_contest)  # an unfinished round of someone else
    play.start_attempt(stranger, other_round, "zh", clock())
    session, _ = services.start_session(user, "zh", clock(), source="daily")
    for item in services.session_items(session):
        services.answer(session.id, session.user_id, item.no, ["A"], clock())
    db.session.commit()

    headers = _token(client, "bat")
    body = client.get("/api/v1/me/history", headers=headers).json
    assert_valid("History", body)
    [line] = body["rounds"]
    assert line["round_id"] == round_.id and line["rank"] in (1, 2)
    assert line["score"] == db.session.get(type(attempt), line["attempt_id"]).points
    assert body["practice"] == {
        "sessions": 1,
        "answered": 5,
        "correct": session.correct_count,
    }
    assert body["daily"] == {"streak": 1, "days_done": 1}
    assert body["self_tests"] == []

    client.post("/login", data={"username": "bat", "password": PASSWORD})
    page = client.get("/me/history").get_data(as_text=True)
    assert f'data-history-round="{round_.id}"' in page and 'data-streak="1"' in page
    assert f'data-history-round="{other_round.id}"' not in page

    empty = _token(client, make.user("chen").username)
    assert client.get("/api/v1/me/history", headers=empty).json["rounds"] == []
