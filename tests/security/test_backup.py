"""Backup and restore of the SQLite file, as docs/operations.md "Backup and restore" says.

A populated instance (a contest, a round, attempts and answers, some finished) is backed
up *online*, while the app holds its connections and keeps writing: once with Python's
``sqlite3.Connection.backup`` and once with the ``sqlite3`` tool's ``.backup``. Each
copy is restored into a new file, a new app opens it, and it gives the same results:
every table's rows, every attempt's score, and the leaderboard rebuilt from it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from quiz import create_app
from quiz.contests.models import Contest
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.play import services as play
from quiz.play.models import Attempt
from tests.conftest import START, Clock, _config
from tests.factories import Factories


def _app(url: str, redis_url: str, tmp_path: Path, clock: Clock):
    config = _config(url, redis_url, tmp_path)
    config.update(QUIZ_CLOCK=clock, QUIZ_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    return create_app(config)


def _results() -> dict:
    """What the instance says: every table's rows and each contest's rebuilt board."""
    tables = {}
    with db.engine.connect() as conn:
        for table in sorted(db.metadata.tables):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            tables[table] = sorted(repr(tuple(row)) for row in rows)
    scores = sorted(
        (a.user_id, a.points, a.time_used_ms, a.finish_reason)
        for a in db.session.scalars(select(Attempt))
    )
    boards_seen = {}
    for contest in db.session.scalars(select(Contest)):
        boards.rebuild(START, [contest.id])
        for round_ in contest.rounds:
            view = boards.read_board(contest, round_.id, None, 50, None, None, START)
            boards_seen[round_.id] = [(e.rank, e.display_name, e.score) for e in view.entries]
    return {"tables": tables, "scores": scores, "boards": boards_seen}


def play_round(make: Factories, clock: Clock, contest, round_, people: int, step: int) -> None:
    """``people`` participants answer every question (A/B alternating, ``step`` seconds
    apart); all but the last finish. The data every backup test restores and compares."""
    users = [make.enrolled(contest) for _ in range(people)]
    for index, user in enumerate(users):
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        for no in range(1, attempt.question_count + 1):
            clock.advance(seconds=step)
            play.save_answer(attempt.id, user, no, ["A" if (no + index) % 2 else "B"], clock())
        if index != people - 1:
            play.finish_attempt(attempt, clock())
    db.session.commit()


@pytest.mark.parametrize("how", ["python", "sqlite3-tool"])
def test_an_online_backup_restores_to_the_same_results(tmp_path, redis_url, how):
    live_file = tmp_path / "live" / "quiz.sqlite3"
    live_file.parent.mkdir()
    clock = Clock(START)
    app = _app(f"sqlite:///{live_file}", redis_url, tmp_path / "live", clock)
    with app.app_context():
        upgrade()
        make = Factories(clock)
        contest, round_ = make.setup()
        round_id = round_.id
        play_round(make, clock, contest, round_, people=5, step=3)
        # Online: the app still holds a connection (and its WAL) while the copy is taken.
        holder = db.engine.connect()
        backup_file = tmp_path / "backup.sqlite3"
        if how == "python":
            with sqlite3.connect(live_file) as source, sqlite3.connect(backup_file) as target:
                source.backup(target)
        else:
            subprocess.run(
                ["sqlite3", str(live_file), f".backup '{backup_file}'"], check=True, timeout=60
            )
        holder.close()
        expected = _results()
        # A write after the backup is not in it.
        play.finish_attempt(db.session.get(Attempt, 5), clock())
        db.session.commit()  # the edge commits (services flush)
        db.session.remove()
        db.engine.dispose()

    restored_file = tmp_path / "restored" / "quiz.sqlite3"
    restored_file.parent.mkdir()
    shutil.copyfile(backup_file, restored_file)  # restore = put the copy in place
    with sqlite3.connect(restored_file) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = _app(f"sqlite:///{restored_file}", redis_url, tmp_path / "restored", clock)
    with restored.app_context():
        upgrade()  # a no-op at head: the restored file is a complete database
        got = _results()
        db.session.remove()
        db.engine.dispose()
    assert got["scores"] == expected["scores"] and len(got["scores"]) == 5
    assert got["boards"] == expected["boards"] and len(got["boards"][round_id]) == 4
    assert got["tables"] == expected["tables"]
