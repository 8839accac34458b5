"""Issue 13: with several attempts and answers shown "after finishing", the key of the first
attempt was shown before the second, which may draw the same questions again. Now it is
shown after the participant's last attempt, or once the round closes (pages and API)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale, gettext

from quiz.accounts.models import Role
from quiz.extensions import db
from quiz.play import services
from quiz.play.state import attempt_state
from tests.factories import PASSWORD


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def _api_review(client, headers, attempt_id: int) -> tuple[bool, bool]:
    body = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).json
    return body["review"], any("correct" in q for q in body["questions"])


def _page_shows_key(client, attempt_id: int) -> bool:
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    return 'class="explanation"' in page or "✓" in page


def test_the_key_waits_for_the_last_attempt(client, make, clock):
    contest, round_ = make.setup(max_attempts=2, review_policy="after_finish")
    user = make.enrolled(contest)
    headers = _token(client, user.username)
    client.post("/login", data={"username": user.username, "password": PASSWORD})

    first, _ = services.start_attempt(user, round_, "zh", clock())
    services.finish_attempt(first, clock())
    db.session.commit()  # the edge commits (services flush)
    assert not attempt_state(first, "zh", clock()).review
    assert _api_review(client, headers, first.id) == (False, False)
    assert not _page_shows_key(client, first.id)
    with force_locale("zh_Hans_CN"):
        waiting = gettext(
            "The answers will be shown after your last attempt, or when the round closes."
        )
    assert waiting in client.get(f"/attempts/{first.id}/result").get_data(as_text=True)

    # The second attempt is running: still nothing, for either attempt.
    second, _ = services.start_attempt(user, round_, "zh", clock())
    assert not attempt_state(first, "zh", clock()).review
    assert _api_review(client, headers, second.id) == (False, False)

    services.finish_attempt(second, clock())
    db.session.commit()  # the edge commits (services flush)
    for attempt in (first, second):
        assert attempt_state(attempt, "zh", clock()).review
        assert _api_review(client, headers, attempt.id) == (True, True)
        assert _page_shows_key(client, attempt.id)


def test_the_key_is_shown_when_the_round_closes_even_with_attempts_left(make, clock):
    contest, round_ = make.setup(
        max_attempts=3, review_policy="after_finish", closes_at=clock() + timedelta(hours=1)
    )
    user = make.enrolled(contest)
    first, _ = services.start_attempt(user, round_, "zh", clock())
    services.finish_attempt(first, clock())
    db.session.commit()  # the edge commits (services flush)
    assert not attempt_state(first, "zh", clock()).review
    clock.advance(hours=2)
    assert attempt_state(first, "zh", clock()).review


def test_one_attempt_still_shows_the_key_at_once(make, clock):
    contest, round_ = make.setup(max_attempts=1, review_policy="after_finish")
    user = make.enrolled(contest)
    attempt, _ = services.start_attempt(user, round_, "zh", clock())
    services.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    assert attempt_state(attempt, "zh", clock()).review


def test_the_round_form_tells_the_organizer(client, make):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    client.post("/login", data={"username": "org", "password": PASSWORD})
    page = client.get(f"/console/contests/{contest.id}/rounds/new").get_data(as_text=True)
    with force_locale("zh_Hans_CN"):
        hint = gettext(
            "With more than one attempt, “when the participant has finished” means after their"
            " last attempt (or when the round closes): a later attempt may draw the same"
            " questions again."
        )
    assert hint in page
