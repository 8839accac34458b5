"""Extra time per participant and round (issue 17 item 7): one deadline rule that the
quiz page, the API, the server's refusal of late answers and the overdue sweep share."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt, ExtraTime
from tests.factories import PASSWORD, log_in
from tests.organizer.conftest import audit_actions


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def _grant(client, round_id: int, username: str, minutes, reason: str = "visual impairment"):
    url = f"/console/rounds/{round_id}/extra-time"
    return client.post(
        url,
        data={
            "username": username,
            "extra_minutes": str(minutes),
            "reason": reason,
        },
    )


def _setup(make, clock, organizer, **round_kwargs):
    bank = make.bank()
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, bank, time_limit_seconds=600, **round_kwargs)
    return contest, round_


def test_granted_time_extends_the_page_the_api_and_the_server_check(
    app, client, make, clock, organizer
):
    contest, round_ = _setup(make, clock, organizer)
    pupil = make.enrolled(contest, username="pupil")
    log_in(client, organizer)
    response = _grant(client, round_.id, "Pupil", 10)
    assert response.status_code == 302
    assert db.session.get(ExtraTime, (round_.id, pupil.id)).extra_seconds == 600
    assert audit_actions(contest.id)[-1] == "round.extra_time_grant"
    client.post("/logout")

    # The participant's round page says so.
    log_in(client, pupil)
    page = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "10" in page and 'class="card extra-time"' in page

    headers = _token(client, "pupil")
    started = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    ).json
    assert started["remaining_seconds"] == 1200
    attempt = db.session.get(Attempt, started["id"])
    assert attempt.deadline == clock() + timedelta(seconds=1200)

    # The quiz page's countdown reads the same deadline.
    clock.advance(minutes=15)  # past the ordinary 10 minutes
    page = client.get(f"/attempts/{attempt.id}/q/1").get_data(as_text=True)
    assert 'data-countdown-seconds="300"' in page
    saved = client.put(
        f"/api/v1/attempts/{attempt.id}/answers/1", headers=headers, json={"choice": ["A"]}
    )
    assert saved.status_code == 200, saved.json
    assert play.finalize_overdue(clock()) == 0  # the sweep agrees

    clock.advance(minutes=6)  # past the extended deadline and its grace
    late = client.put(
        f"/api/v1/attempts/{attempt.id}/answers/2", headers=headers, json={"choice": ["A"]}
    )
    assert late.status_code == 409
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt.id)
    assert closed.finished_at == closed.deadline == attempt.started_at + timedelta(minutes=20)


def test_grant_and_revoke_move_a_running_attempt(client, make, clock, organizer):
    contest, round_ = _setup(make, clock, organizer)
    pupil = make.enrolled(contest, username="pupil")
    attempt, _ = play.start_attempt(pupil, round_, "zh", clock())
    db.session.commit()  # the test is the edge here (services flush)
    assert attempt.deadline == clock() + timedelta(minutes=10)
    log_in(client, organizer)
    assert _grant(client, round_.id, "pupil", 30).status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == clock() + timedelta(minutes=40)
    # Granting again replaces the grant.
    assert _grant(client, round_.id, "pupil", 5).status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == clock() + timedelta(minutes=15)

    url = f"/console/rounds/{round_.id}/extra-time"
    assert "pupil" in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/{pupil.id}/revoke", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(ExtraTime, (round_.id, pupil.id)) is None
    assert db.session.get(Attempt, attempt.id).deadline == clock() + timedelta(minutes=10)
    assert audit_actions(contest.id)[-2:] == ["round.extra_time_grant", "round.extra_time_revoke"]
    # Nothing left to take back: said, not a 500.
    assert client.post(f"{url}/{pupil.id}/revoke").status_code == 302


def test_extra_time_runs_past_the_round_close(make, clock, organizer):
    contest, round_ = _setup(make, clock, organizer, closes_at=clock() + timedelta(minutes=4))
    pupil = make.enrolled(contest)
    from quiz.organizer.extra_time import grant_extra_time

    grant_extra_time(round_, pupil.username, 20, "", Actor.of(organizer), clock())
    attempt, _ = play.start_attempt(pupil, round_, "zh", clock())
    assert attempt.deadline == round_.closes_at + timedelta(minutes=20)
    clock.advance(minutes=10)  # the round has closed; this person still answers
    play.save_answer(attempt.id, pupil, 1, ["A"], clock())


def test_bad_grants_are_refused_with_the_field_named(client, make, clock, organizer):
    contest, round_ = _setup(make, clock, organizer)
    make.enrolled(contest, username="pupil")
    make.user("outsider")
    log_in(client, organizer)
    for minutes in (0, 241, "", "ten"):
        assert _grant(client, round_.id, "pupil", minutes).status_code == 422
    assert _grant(client, round_.id, "nobody", 5).status_code == 422
    assert _grant(client, round_.id, "outsider", 5).status_code == 422  # not enrolled
    assert _grant(client, round_.id, "pupil", 5, reason="x" * 201).status_code == 422
    assert _grant(client, round_.id, "pupil", 5, reason="a\u202eb").status_code == 422
    assert db.session.scalars(select(ExtraTime)).all() == []


def test_an_organizer_of_another_contest_cannot_grant(client, make, clock, organizer):
    contest, round_ = _setup(make, clock, organizer)
    make.enrolled(contest, username="pupil")
    other = make.user("other-org", roles=(Role.ORGANIZER,))
    make.contest(organizer=other)
    log_in(client, other)
    url = f"/console/rounds/{round_.id}/extra-time"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"username": "pupil", "extra_minutes": "10"})
    assert response.status_code in (400, 403)
    assert db.session.scalars(select(ExtraTime)).all() == []
