"""One transaction owner (docs/architecture.md, "Transactions"): services flush, the edge
commits, and what follows a commit (board publishes) never follows a rollback. One path
for each state change: ``finish_attempt`` is the only writer of ``finished_at``, and
stale boards are healed by the per-minute job, never inside a participant's request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from quiz.accounts.models import Role, User
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.models import StaleBoard
from quiz.leaderboards.store import BoardKeys
from quiz.play import fairplay
from quiz.play import services as play
from quiz.play.models import Answer, Attempt, AttemptItem, FinishReason
from quiz.schools.models import School
from quiz.unit_of_work import after_commit


def _round_board(contest_id: int, round_id: int) -> list[Any]:
    client = boards.board_store().client
    return client.zrange(BoardKeys(contest_id).round_all(round_id), 0, -1)


# --- the after-commit queue -------------------------------------------------------------


def test_after_commit_runs_once_after_the_commit_and_never_after_a_rollback(app):
    ran: list[str] = []
    session = db.session()
    db.session.execute(select(1))
    after_commit(session, lambda: ran.append("kept"))
    assert ran == []  # not before the commit
    db.session.commit()
    assert ran == ["kept"]
    db.session.commit()
    assert ran == ["kept"]  # once

    db.session.execute(select(1))
    after_commit(session, lambda: ran.append("dropped"))
    db.session.rollback()
    db.session.commit()
    assert ran == ["kept"]


def test_a_savepoint_rolled_back_drops_only_what_it_queued(app):
    ran: list[str] = []
    session = db.session()
    db.session.execute(select(1))
    after_commit(session, lambda: ran.append("outer"))
    savepoint = db.session.begin_nested()
    after_commit(session, lambda: ran.append("inner"))
    savepoint.rollback()
    with db.session.begin_nested():
        after_commit(session, lambda: ran.append("released"))
    assert ran == []  # a released savepoint is no commit yet
    db.session.commit()
    assert ran == ["outer", "released"]


def test_a_closed_session_drops_its_queue(app):
    ran: list[str] = []
    db.session.execute(select(1))
    after_commit(db.session(), lambda: ran.append("never"))
    db.session.remove()
    db.session.commit()
    assert ran == []


# --- services flush, the edge commits ---------------------------------------------------


def test_a_finish_rolled_back_is_neither_stored_nor_published(make, clock):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    db.session.commit()
    attempt_id = attempt.id
    clock.advance(seconds=20)
    play.finish_attempt(attempt, clock())
    assert _round_board(contest.id, round_.id) == []  # queued, not sent
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).finished_at is None
    db.session.commit()
    assert _round_board(contest.id, round_.id) == []  # the publish was dropped

    play.finish_attempt(db.session.get(Attempt, attempt_id), clock())
    db.session.commit()
    assert _round_board(contest.id, round_.id) == [f"{user.id:010d}"]


def test_a_start_that_fails_halfway_leaves_nothing(make, clock, monkeypatch):
    """start_attempt writes the attempt, then its drawn items: a failure in between
    leaves no attempt (nothing was committed inside the service)."""
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    db.session.commit()

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the database went away halfway")

    monkeypatch.setattr(play, "_known_attempt", broken)
    try:
        play.start_attempt(user, round_, "zh", clock())
    except RuntimeError:
        db.session.rollback()  # what the edge does with an error
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)) == 0
    assert _round_board(contest.id, round_.id) == []


def test_a_school_and_its_first_teacher_are_one_transaction(app, client, make):
    make.user("org", roles=(Role.ORGANIZER,))
    make.user("taken.name")
    client.post("/login", data={"username": "org", "password": "correct-horse-9"})
    form = {"name_zh": "第二中学", "region_code": "150102", "display_name": "王老师"}
    refused = client.post("/schools", data={**form, "username": "taken.name"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(School)) == 0  # no half
    accepted = client.post("/schools", data={**form, "username": "wang.t"})
    assert accepted.status_code == 200
    teacher = db.session.scalar(select(User).where(User.username == "wang.t"))
    assert teacher is not None and teacher.school_id is not None


def test_an_answer_to_an_overdue_attempt_closes_it_although_refused(client, make, clock):
    """The hot path owns its transaction: the refusal (409) keeps the closing."""
    from tests.factories import issue_token

    contest, round_ = make.setup(time_limit_seconds=60)
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    token, _ = issue_token(user, clock(), 1)
    clock.advance(minutes=5)
    response = client.put(
        f"/api/v1/attempts/{attempt.id}/answers/1",
        json={"choice": ["A"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.finish_reason == FinishReason.DEADLINE


# --- one finish path --------------------------------------------------------------------


def test_finish_reasons_are_the_stored_values():
    assert [r.value for r in FinishReason] == ["submitted", "deadline", "focus_limit", "live"]
    assert play.SUBMITTED == "submitted" and fairplay.FOCUS_LIMIT == "focus_limit"


def test_a_focus_limit_finish_gets_the_speed_bonus(make, clock):
    """It used to be written by a raw UPDATE of its own, which skipped the bonus."""
    from quiz.banks.models import Question

    contest, round_ = make.setup(speed_bonus=True, time_limit_seconds=600)
    round_.focus_tracking, round_.focus_limit, round_.focus_auto_finish = True, 1, True
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    db.session.commit()
    for item in db.session.scalars(select(AttemptItem).filter_by(attempt_id=attempt.id)):
        key = db.session.get(Question, item.question_id).answer
        choice = [chr(ord("A") + item.option_order.index(k)) for k in key]
        play.save_answer(attempt.id, user, item.no, choice, clock())
    clock.advance(seconds=150)
    state = fairplay.record_focus_loss(attempt.id, user, clock())
    db.session.commit()
    assert state.finished
    done = db.session.get(Attempt, attempt.id)
    db.session.refresh(done)
    assert done.finish_reason == FinishReason.FOCUS_LIMIT
    assert done.bonus_points > 0
    assert done.points == done.max_points + done.bonus_points


def test_closing_a_round_finishes_through_the_one_sweep(make, clock):
    from quiz.results import services as results

    contest, round_ = make.setup(time_limit_seconds=600)
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    users = [make.enrolled(contest) for _ in range(3)]
    for user in users:
        play.start_attempt(user, round_, "zh", clock())
    db.session.commit()
    clock.advance(seconds=30)
    assert results.close_round(round_, Actor.of(organizer), clock()) == 3
    db.session.commit()
    reasons = db.session.scalars(select(Attempt.finish_reason)).all()
    assert reasons == [FinishReason.DEADLINE] * 3
    assert len(_round_board(contest.id, round_.id)) == 3


# --- stale boards: healed by the job, never by a participant's request -------------------


def test_an_answer_save_no_longer_heals_stale_boards_and_the_job_does(app, make, clock, runner):
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    db.session.commit()
    boards._mark_stale(contest.id, clock())  # as after a Redis outage
    assert db.session.get(StaleBoard, contest.id) is not None

    play.save_answer(attempt.id, user, 1, ["A"], clock())
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    db.session.expire_all()
    assert db.session.get(StaleBoard, contest.id) is not None  # not healed in the request

    db.session.commit()
    result = runner.invoke(args=["attempts", "finalize-overdue"])
    assert result.exit_code == 0, result.output
    assert "rebuilt 1 stale contests" in result.output
    db.session.expire_all()
    assert db.session.get(StaleBoard, contest.id) is None
