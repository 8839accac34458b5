"""One round, one maximum (issue 14, item 3): every participant of a round faces the same
maximum score. The console and every other way of making a round refuse a rule that
cannot guarantee it, with a localized message; the migration settles existing rounds
without touching a stored result."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from quiz import create_app
from quiz.banks.models import BankCategory
from quiz.contests.models import Round
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import Attempt, AttemptItem
from tests.conftest import Clock, _config
from tests.factories import Factories, log_in
from tests.organizer.conftest import count, zh
from tests.organizer.test_rounds import _new_round_form

UNEQUAL = {"1": 10, "2": 15, "3": 20}


def _name_categories(bank_id: int) -> None:
    names = {"life-health": ("生命健康", "ᠠᠮᠢᠳᠤᠷᠠᠯ"), "safety-emergency": ("安全应急", "")}
    for category in db.session.scalars(select(BankCategory).where(BankCategory.bank_id == bank_id)):
        category.name_zh, category.name_mn = names[category.slug]
    db.session.commit()


def test_a_rule_of_any_difficulty_with_unequal_points_is_refused_by_the_service(make, world):
    bank = world["bank"]
    _name_categories(bank.id)
    rounds = count(Round)
    with pytest.raises(ValidationFailed) as caught:
        make.round(
            world["contest"],
            bank,
            draw_rule=[{"count": 3, "category": "life-health"}, {"count": 2, "difficulty": 2}],
            points_by_difficulty=UNEQUAL,
        )
    db.session.rollback()
    (message,) = caught.value.field_messages()["draw_rule"]
    assert message.startswith("生命健康")  # the category's name, never its slug
    assert "10/15/20" in message and "life-health" not in message
    assert count(Round) == rounds
    # The same rule is fine with the row's own points or with equal points.
    make.round(
        world["contest"], bank, draw_rule=[{"count": 3, "category": "life-health", "points": 12}]
    )
    make.round(
        world["contest"],
        bank,
        draw_rule=[{"count": 3, "category": "life-health"}],
        points_by_difficulty={"1": 10, "2": 10, "3": 10},
    )


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_the_round_form_refuses_it_in_the_readers_language(client, world, organizer, language):
    bank, contest = world["bank"], world["contest"]
    _name_categories(bank.id)
    organizer.language = language
    db.session.commit()
    log_in(client, organizer)
    rounds = count(Round)
    form = _new_round_form(bank.id)
    del form["points:*"]  # "any category, any difficulty" with 10/20/30 and no points of its own
    response = client.post(f"/console/contests/{contest.id}/rounds/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    locale = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}[language]
    from flask_babel import gettext

    with force_locale(locale):
        expected = gettext(
            "%(category)s, any difficulty: its questions would be worth %(points)s points"
            " by difficulty, so participants could face different maximum scores. Give"
            " this row's questions of any difficulty their own points, or give every"
            " difficulty the same points.",
            category=gettext("Any category"),
            points="10/20/30",
        )
    assert expected in page
    if language == "mn":
        assert "any difficulty" not in page.split("<main", 1)[-1]
    assert count(Round) == rounds
    form["points_2"] = form["points_3"] = form["points_1"]  # equal points: accepted
    response = client.post(f"/console/contests/{contest.id}/rounds/new", data=form)
    assert response.status_code == 302
    # The row's points are shown back in the table when the round is edited.
    round_ = db.session.scalar(select(Round).where(Round.title_zh == "复赛"))
    form = _new_round_form(bank.id, **{"points:life-health": "7", "cell:life-health:*": "2"})
    response = client.post(f"/console/rounds/{round_.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.refresh(round_)
    assert {"count": 2, "category": "life-health", "points": 7} in round_.draw_rule
    edit = client.get(f"/console/rounds/{round_.id}/edit").get_data(as_text=True)
    assert 'name="points:life-health" value="7"' in edit


def test_bad_row_points_are_refused(client, world, organizer):
    log_in(client, organizer)
    form = _new_round_form(world["bank"].id, **{"points:*": "x"})
    response = client.post(f"/console/contests/{world['contest'].id}/rounds/new", data=form)
    assert response.status_code == 422
    assert zh("Points must be whole numbers from 0 to %(n)d.", n=1000) in response.get_data(
        as_text=True
    )


@pytest.fixture
def mixed_round(make, world):
    """Any difficulty from each category at 12 points, plus fixed difficulties at 10/15/20."""
    return make.round(
        world["contest"],
        world["bank"],
        opens_at=make.clock() - timedelta(hours=1),
        draw_rule=[
            {"count": 1, "category": "life-health", "difficulty": 3},
            {"count": 2, "difficulty": 1},
            {"count": 3, "category": "life-health", "points": 12},
            {"count": 4, "points": 12},
        ],
        points_by_difficulty=UNEQUAL,
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**52 - 1))
def test_every_seed_draws_the_same_maximum(mixed_round, seed):
    items = play.draw_items(mixed_round, seed)
    assert len(items) == 10
    assert sum(item["points"] for item in items) == 20 + 2 * 10 + 7 * 12


def test_every_attempt_of_a_round_has_the_same_maximum(make, world, mixed_round, clock):
    maxima = set()
    for _ in range(25):
        user = make.enrolled(world["contest"])
        attempt, _ = play.start_attempt(user, mixed_round, "zh", clock())
        maxima.add(attempt.max_points)
        stored = db.session.scalars(
            select(AttemptItem.points).where(AttemptItem.attempt_id == attempt.id)
        ).all()
        assert sum(stored) == attempt.max_points
    assert maxima == {124}


# The migration --------------------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path: Path, redis_url: str):
    app = create_app(_config(f"sqlite:///{tmp_path / 'm.sqlite3'}", redis_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _results() -> list[tuple]:
    with db.engine.connect() as conn:
        attempts = conn.execute(
            text("SELECT id, points, max_points, correct_count FROM attempts ORDER BY id")
        ).all()
        items = conn.execute(
            text("SELECT attempt_id, no, question_id, points FROM attempt_items ORDER BY 1, 2")
        ).all()
    return [tuple(r) for r in attempts + items]


def test_the_migration_settles_old_rules_and_keeps_stored_results(fresh_app):
    upgrade()
    make = Factories(Clock(Round.__table__.c.opens_at.type.python_type(2026, 12, 6, 12)))
    bank = make.bank(per_cell=4)
    contest = make.contest()
    round_ = make.round(
        contest,
        bank,
        draw_rule=[{"count": 3, "category": "life-health"}],
        points_by_difficulty={"1": 10, "2": 10, "3": 10},
    )
    for _ in range(3):
        play.start_attempt(make.enrolled(contest), round_, "zh", make.clock())
    round_id = round_.id
    db.session.remove()
    # As a database before 0011 held it: 10/15/20 by difficulty, "any difficulty" part,
    # attempts stored with maxima that differ.
    downgrade(revision="0010_admin")
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE rounds SET points_by_difficulty = :p WHERE id = :id"),
            {"p": '{"1": 10, "2": 15, "3": 20}', "id": round_id},
        )
        conn.execute(text("UPDATE attempts SET max_points = 40 + id, points = id"))
    before = _results()

    upgrade()
    assert _results() == before  # no stored result moved
    db.session.expire_all()
    settled = db.session.get(Round, round_id)
    assert settled.draw_rule == [{"count": 3, "category": "life-health", "points": 15}]
    assert settled.certificate_min_points == 1
    assert {a.max_points for a in db.session.scalars(select(Attempt))} == {
        40 + a for a in db.session.scalars(select(Attempt.id))
    }


def test_the_contest_import_refuses_a_rule_with_different_maxima(make, world, runner, tmp_path):
    import json

    contest = world["contest"]
    path = tmp_path / "contest.json"
    assert runner.invoke(args=["contest", "export", str(contest.id), str(path)]).exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rounds"][0]["draw_rule"] = [{"count": 2, "category": "life-health"}]
    data["rounds"][0]["points_by_difficulty"] = UNEQUAL
    path.write_text(json.dumps(data), encoding="utf-8")
    contests = count(type(contest))
    out = runner.invoke(args=["contest", "import", str(path)])
    assert out.exit_code != 0
    assert "different maximum scores" in out.output and "10/15/20" in out.output
    assert count(type(contest)) == contests
    data["rounds"][0]["draw_rule"][0]["points"] = 15  # its own points: accepted
    path.write_text(json.dumps(data), encoding="utf-8")
    out = runner.invoke(args=["contest", "import", str(path)])
    assert out.exit_code == 0, out.output
