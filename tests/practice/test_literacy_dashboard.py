"""The organizers' literacy dashboard (quiz/practice/literacy_dashboard.py, its page, XLSX
export and API): who is counted, the suppression of small groups (and of the group that
would give one away by subtraction), shares, means, the monthly series, access."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from quiz.accounts.models import Role
from quiz.extensions import db
from quiz.practice import literacy_dashboard as figures
from quiz.practice.models import Assessment
from tests.api.test_openapi import assert_valid
from tests.factories import log_in
from tests.practice.test_api import _token
from tests.practice.test_pages import _html

HOHHOT, XINCHENG, HUIMIN, YUQUAN = "150100", "150102", "150103", "150104"
BAOTOU = "150200"
MAY = datetime(2026, 5, 10, 4, 0)
JUNE = datetime(2026, 6, 10, 4, 0)


def band_of(score: float) -> str:
    return (
        "advanced" if score > 85 else "literate" if score > 70 else "basic" if score > 55 else "low"
    )


def finished(
    user: Any,
    *,
    at: datetime = MAY,
    region: str = XINCHENG,
    age: str | None = "30-39",
    parts: tuple[float, float, float, float] = (30.0, 16.0, 14.0, 12.0),
    language: str = "zh",
) -> Assessment:
    """A finished self-test with fixed scores (knowledge, method, spirit, application)."""
    total = round(sum(parts), 1)
    test = Assessment(
        user_id=user.id,
        language=language,
        seed=1,
        started_at=at,
        deadline=at,
        finished_at=at,
        region_code=region,
        age_group=age,
        score=total,
        knowledge_score=parts[0],
        method_score=parts[1],
        spirit_score=parts[2],
        application_score=parts[3],
        band=band_of(total),
    )
    db.session.add(test)
    return test


def people(make: Any, n: int, **kwargs: Any) -> list[Any]:
    users = [make.user() for _ in range(n)]
    for user in users:
        finished(user, **kwargs)
    db.session.commit()
    return users


def board(**filters: Any) -> figures.Dashboard:
    return figures.dashboard(figures.Filters(**filters))


def by_key(cells: list[figures.Cell]) -> dict[str, figures.Cell]:
    return {c.key: c for c in cells}


def test_nine_people_are_suppressed_ten_are_shown(app, make):
    people(make, 9)
    nine = board()
    assert nine.overall.suppressed and not nine.overall.shares and not nine.overall.means
    assert nine.overall.to_json() == {"key": "", "suppressed": True}
    people(make, 1)
    ten = board()
    assert not ten.overall.suppressed and ten.overall.people == 10
    assert by_key(ten.leagues)[HOHHOT].people == 10


def test_people_not_self_tests_and_the_latest_counts(app, make):
    users = people(make, 10, parts=(10.0, 5.0, 5.0, 5.0))  # 25: low
    for user in users[:4]:  # a later, better self-test replaces the first
        finished(user, at=datetime(2026, 5, 20), parts=(40.0, 20.0, 20.0, 10.0))  # 90
    db.session.commit()
    overall = board().overall
    assert overall.people == 10
    assert overall.shares == pytest.approx({"advanced": 0.4, "literate": 0, "basic": 0, "low": 0.6})
    assert sum(overall.shares.values()) == pytest.approx(1)
    assert overall.means["score"] == pytest.approx((4 * 90 + 6 * 25) / 10)
    assert overall.means["knowledge"] == pytest.approx((4 * 40 + 6 * 10) / 10)
    assert overall.means["method"] == pytest.approx((4 * 20 + 6 * 5) / 10)
    assert overall.means["spirit"] == pytest.approx((4 * 20 + 6 * 5) / 10)
    assert overall.means["application"] == pytest.approx((4 * 10 + 6 * 5) / 10)


def test_one_suppressed_county_takes_the_next_smallest_with_it(app, make):
    people(make, 20, region=XINCHENG)
    people(make, 12, region=HUIMIN)
    people(make, 4, region=YUQUAN)
    counties = by_key(board(league=HOHHOT).counties)
    assert counties[YUQUAN].suppressed
    # 36 in the league minus 20 shown would give away Yuquan's 4: Huimin is hidden too.
    assert counties[HUIMIN].suppressed and not counties[HUIMIN].shares
    assert not counties[XINCHENG].suppressed and counties[XINCHENG].people == 20
    assert not board(league=HOHHOT).overall.suppressed


def test_two_suppressed_counties_need_no_more(app, make):
    people(make, 20, region=XINCHENG)
    people(make, 3, region=HUIMIN)
    people(make, 4, region=YUQUAN)
    counties = by_key(board(league=HOHHOT).counties)
    assert counties[HUIMIN].suppressed and counties[YUQUAN].suppressed
    assert not counties[XINCHENG].suppressed


def test_leagues_and_age_groups_are_protected_the_same_way(app, make):
    people(make, 15, region=XINCHENG, age="30-39")
    people(make, 11, region=BAOTOU + "", age="40-49")
    people(make, 2, region=HOHHOT, age=None)  # the league only, no county, no age
    leagues = by_key(board().leagues)
    assert not leagues[HOHHOT].suppressed  # 17
    assert not leagues[BAOTOU].suppressed  # 11
    ages = by_key(board().ages)
    assert ages[""].suppressed and ages["40-49"].suppressed and not ages["30-39"].suppressed
    counties = by_key(board(league=HOHHOT).counties)
    assert set(counties) == {XINCHENG, ""}
    # One hidden row and one shown: the shown one is hidden too.
    assert counties[""].suppressed and counties[XINCHENG].suppressed


def test_the_monthly_series_and_the_period(app, make):
    users = people(make, 10, at=MAY)
    for user in users:
        finished(user, at=JUNE, parts=(40.0, 20.0, 20.0, 10.0))
    people(make, 3, at=JUNE)
    db.session.commit()
    months = board().months
    assert [m.key for m in months] == ["2026-05", "2026-06"]
    assert months[0].people == 10 and months[0].means["score"] == pytest.approx(72)
    assert months[1].people == 13 and months[1].means["score"] == pytest.approx((900 + 216) / 13)
    may_only = board(last_month=datetime(2026, 5, 1).date())
    assert [m.key for m in may_only.months] == ["2026-05"] and may_only.overall.people == 10
    june = board(first_month=datetime(2026, 6, 1).date())
    assert june.overall.people == 13


def test_language_filter(app, make):
    people(make, 10, language="mn")
    people(make, 5, language="zh")
    assert board(language="mn").overall.people == 10
    assert board(language="zh").overall.suppressed


@pytest.mark.parametrize(
    "args",
    [
        {"from": "2026-13", "to": "x", "league": "999999", "language": "en"},
        {"from": "０２０２-01", "to": "2026-00", "league": XINCHENG},
        {"from": ["a"], "league": {"x": 1}},
    ],
)
def test_bad_filters_are_ignored(app, args):
    assert figures.parse_filters(args) == figures.Filters()


def test_a_reversed_period_is_put_right(app):
    found = figures.parse_filters({"from": "2026-06", "to": "2026-05", "league": HOHHOT})
    assert (found.first_month.month, found.last_month.month, found.league) == (5, 6, HOHHOT)


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_the_page_and_its_export(client, make, language):
    people(make, 20, region=XINCHENG)
    people(make, 12, region=HUIMIN)
    people(make, 4, region=YUQUAN)
    make.user("org", roles=(Role.ORGANIZER,), language=language)
    log_in(client, "org")
    page = client.get(f"/console/practice/literacy?league={HOHHOT}&from=2026-01&to=bad")
    html = _html(page)
    assert page.status_code == 200
    # Every table carries the caveat (overall, leagues, counties, ages, months + the top).
    assert html.count('class="muted caveat"') == 5
    assert html.count('class="num suppressed"') == 2
    assert "/console/practice/literacy.xlsx?" in html and "dashboard.css" in html

    export = client.get(f"/console/practice/literacy.xlsx?league={HOHHOT}")
    assert export.status_code == 200
    assert export.headers["Content-Disposition"].startswith('attachment; filename="literacy-150100')
    book = load_workbook(io.BytesIO(export.data))
    assert len(book.sheetnames) == 5
    counties = [[c.value for c in row] for row in book.worksheets[2].iter_rows()]
    assert counties[1][1] == 20 and (language == "mn" or counties[1][0] == "新城区")
    hidden = counties[2:4]
    assert all(row[2] is None and row[-1] is None for row in hidden)
    assert hidden[0][1] == hidden[1][1] and isinstance(hidden[0][1], str)
    assert counties[1][2:6] == [0, 1, 0, 0]  # all 72: literate
    assert counties[1][6:] == [30.0, 16.0, 14.0, 12.0, 72.0]
    assert counties[-1][0] and all(v is None for v in counties[-1][1:])  # the caveat row


def test_participants_and_teachers_are_refused(client, make):
    make.user("pupil")
    log_in(client, "pupil")
    assert client.get("/console/practice/literacy").status_code == 403
    assert client.get("/console/practice/literacy.xlsx").status_code == 403


def test_the_api(client, make):
    people(make, 20, region=XINCHENG)
    people(make, 3, region=YUQUAN)
    make.user("org", roles=(Role.ORGANIZER,))
    make.user("pupil")
    refused = client.get("/api/v1/literacy/dashboard", headers=_token(client, "pupil"))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/literacy/dashboard").status_code == 401
    answer = client.get(
        f"/api/v1/literacy/dashboard?league={HOHHOT}&from=2026-05&to=nonsense",
        headers=_token(client, "org"),
    )
    assert answer.status_code == 200
    body = answer.json
    assert_valid("LiteracyDashboard", body)
    assert body["filters"] == {"from": "2026-05", "to": None, "league": HOHHOT, "language": None}
    counties = {c["key"]: c for c in body["counties"]}
    assert counties[YUQUAN] == {"key": YUQUAN, "suppressed": True}
    assert counties[XINCHENG] == {"key": XINCHENG, "suppressed": True}  # complementary
    assert body["overall"]["people"] == 23
    assert sum(body["overall"]["bands"].values()) == pytest.approx(1)
    assert body["overall"]["means"] == {
        "knowledge": 30.0,
        "method": 16.0,
        "spirit": 14.0,
        "application": 12.0,
        "score": 72.0,
    }
