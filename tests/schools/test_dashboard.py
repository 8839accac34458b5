"""The teacher dashboard: results per student and round, ranks, participation, trend,
most-missed questions (only once review is allowed), XLSX export."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl

from quiz.contests.models import ReviewPolicy
from quiz.edge.client import Actor
from quiz.schools import dashboard, enrolling
from tests.schools.conftest import import_students, make_school, students_of, take_round


def _setup(make, clock, world, **round_kwargs):
    contest, round1 = make.setup(**round_kwargs)
    import_students(world, clock, [("Aa", "1"), ("Bb", "2"), ("Cc", "3")])
    enrolling.enroll_class(Actor.of(world.teacher), world.school_class.id, contest.id, clock())
    return contest, round1


def test_results_ranks_and_participation(app, make, clock, world):
    _contest, round1 = _setup(make, clock, world, review_policy=ReviewPolicy.AFTER_CLOSE)
    a, b, _c = students_of(world)
    take_round(a, round1, clock, pick=1)
    take_round(b, round1, clock, pick=0)
    board = dashboard.class_dashboard(world.school, world.school_class, clock(), "zh")
    [summary] = board.rounds
    assert (summary.participants, summary.class_size) == (2, 3)
    ra, rb = summary.results[a.id], summary.results[b.id]
    from quiz.leaderboards.ranking import sort_key, to_ms

    order = sorted(
        (ra, rb),
        key=lambda r: sort_key(
            r.points, r.time_used_ms, to_ms(r.finished_at), to_ms(round1.opens_at), r.user_id
        ),
    )
    assert [r.school_rank for r in order] == [1, 2]
    # Only these two are in the league: the live league board agrees with SQL.
    assert [r.league_rank for r in order] == [1, 2]
    assert ra.time_used_ms > 0
    # The round is open: no key, no explanations for the teacher yet.
    assert summary.review is False and summary.wrong == []
    clock.advance(days=2)
    closed = dashboard.class_dashboard(world.school, world.school_class, clock(), "zh")
    assert closed.rounds[0].review is True
    wrong = closed.rounds[0].wrong
    assert wrong and wrong[0].explanation.startswith("解释") and 1 <= wrong[0].taken <= 2
    assert [w.wrong for w in wrong] == sorted((w.wrong for w in wrong), reverse=True)
    assert all(w.wrong <= w.taken for w in wrong)


def test_never_review_hides_explanations_after_close(app, make, clock, world):
    _contest, round1 = _setup(make, clock, world, review_policy=ReviewPolicy.NEVER)
    take_round(students_of(world)[0], round1, clock)
    clock.advance(days=2)
    board = dashboard.class_dashboard(world.school, world.school_class, clock(), "zh")
    assert board.rounds[0].wrong == []


def test_page_trend_chart_and_export(app, client, make, clock, world):
    contest, round1 = _setup(make, clock, world)
    round2 = make.round(
        contest, make.bank(bank_id="b2"), title_zh="复赛", opens_at=clock() - timedelta(minutes=30)
    )
    for user in students_of(world):
        take_round(user, round1, clock, pick=1)
        take_round(user, round2, clock, pick=0)
    client.post("/login", data={"username": world.teacher.username, "password": "correct-horse-9"})
    page = client.get(f"/classes/{world.school_class.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<polyline" in html and "复赛" in html
    export = client.get(f"/classes/{world.school_class.id}/export.xlsx")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["成绩"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 * 2 and rows[0][0] == "学号"
    student = client.get(f"/students/{students_of(world)[0].id}")
    assert student.status_code == 200 and "复赛" in student.get_data(as_text=True)


def test_other_schools_class_and_student_are_invisible(app, client, make, clock, world):
    other = make_school(make, clock, world.admin, "第三小学", teacher="teach3")
    # A name no random text can contain (a CSRF token's letters once held "Zz").
    import_students(other, clock, [("隐身同学", "9")])
    client.post("/login", data={"username": world.teacher.username, "password": "correct-horse-9"})
    stranger = students_of(other)[0]
    for path in (
        f"/classes/{other.school_class.id}",
        f"/classes/{other.school_class.id}/export.xlsx",
        f"/students/{stranger.id}",
        f"/schools/{other.school.id}",
        f"/schools/{other.school.id}/export.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "隐身同学" not in response.get_data(as_text=True)
    for path in (
        f"/students/{stranger.id}/password",
        f"/students/{stranger.id}/delete",
        f"/classes/{other.school_class.id}/passwords",
    ):
        assert client.post(path, data={"confirm": "y"}).status_code == 404, path


def test_pages_render_in_mongolian(app, client, make, clock, world):
    _contest, round1 = _setup(make, clock, world)
    take_round(students_of(world)[0], round1, clock)
    client.post("/login", data={"username": world.teacher.username, "password": "correct-horse-9"})
    client.post("/language/mn", data={})
    for path in (
        "/schools",
        f"/schools/{world.school.id}",
        f"/classes/{world.school_class.id}",
        f"/students/{students_of(world)[0].id}",
        f"/contests/{_contest.id}/schools",
    ):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'lang="mn-Mong-CN"' in html, path
        assert "Student number" not in html and "School rankings" not in html, path
