"""``quiz contest export`` / ``quiz contest import``: a contest's results re-imported into a
fresh instance give identical results and rebuilt boards."""

from __future__ import annotations

import json

from flask_migrate import upgrade
from sqlalchemy import select

from quiz import create_app
from quiz.accounts.models import User
from quiz.contests.models import Contest
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.play import services as play
from quiz.play.models import Attempt
from quiz.play.state import attempt_state
from tests.conftest import Clock, _config


def _results(contest_id: int, now) -> dict:
    contest = db.session.get(Contest, contest_id)
    attempts = db.session.execute(
        select(Attempt, User.username).join(User, User.id == Attempt.user_id)
    ).all()
    per_user = sorted(
        (
            username,
            a.attempt_no,
            a.points,
            a.correct_count,
            a.answered_count,
            a.time_used_ms,
            a.finish_reason,
            tuple((q.text, tuple(q.choice)) for q in attempt_state(a, "zh", now).questions),
        )
        for a, username in attempts
    )
    board = {}
    for round_ in contest.rounds:
        view = boards.read_board(contest, round_.id, None, 50, None, None, now)
        board[round_.title_zh] = [
            (e.rank, e.display_name, e.score, e.time_used_ms) for e in view.entries
        ]
    view = boards.read_board(contest, None, None, 50, None, None, now)
    board["contest"] = [(e.rank, e.display_name, e.score) for e in view.entries]
    return {"attempts": per_user, "boards": board}


def test_export_then_import_into_a_fresh_instance_gives_identical_results(
    app, make, clock, runner, tmp_path, redis_url
):
    contest, first = make.setup()
    second = make.round(contest, make.bank(), title_zh="复赛")
    for index in range(4):
        user = make.enrolled(contest, display_name=f"选手{index}")
        for round_ in (first, second)[: 1 + index % 2]:
            attempt, _ = play.start_attempt(user, round_, "zh", clock())
            for no in range(1, attempt.question_count + 1 - index):
                clock.advance(seconds=5)
                play.save_answer(attempt.id, user, no, ["A" if no % 2 else "B"], clock())
            if index != 3:
                play.finish_attempt(attempt, clock())
                db.session.commit()  # the edge commits (services flush)
    boards.rebuild(clock(), [contest.id])
    expected = _results(contest.id, clock())
    path = tmp_path / "contest.json"
    out = runner.invoke(args=["contest", "export", str(contest.id), str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "quiz-contest-export" and data["version"] == 1
    assert "password_hash" not in data["users"][0] and len(data["users"]) == 4

    fresh_db = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh_clock = Clock(clock())
    config = _config(fresh_db, redis_url, tmp_path / "fresh")
    config["QUIZ_CLOCK"] = fresh_clock
    fresh = create_app(config)
    db.session.remove()
    with fresh.app_context():
        upgrade()
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # the fresh instance's Redis is empty
        done = fresh.test_cli_runner().invoke(args=["contest", "import", str(path)])
        assert done.exit_code == 0, done.output
        new_id = db.session.scalar(select(Contest.id))
        got = _results(new_id, clock())
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"format": "other", "version": 9}))
        refused = fresh.test_cli_runner().invoke(args=["contest", "import", str(bad)])
        assert refused.exit_code != 0 and "cannot import" in refused.output
        db.session.remove()
        db.engine.dispose()
    assert got == expected
    assert len(got["attempts"]) == 6 and len(got["boards"]["contest"]) == 3  # one never finished
