"""Results per league and overall, and their CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from question_bank.formats.spreadsheet import csv_table, neutralize
from quiz.accounts.models import Role
from quiz.audit.services import events
from quiz.extensions import db
from quiz.leaderboards import services as boards
from quiz.leaderboards.store import BoardKeys
from quiz.play import services as play
from quiz.results import services
from tests.factories import log_in
from tests.results.helpers import play_correct

EVIL = '=HYPERLINK("http://e.x","点我")'


def _contest(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = make.bank()
    contest = make.contest(organizer=organizer)
    # Every question worth the same, so the points below are 10 per correct answer.
    round_ = make.round(contest, bank, points_by_difficulty={"1": 10, "2": 10, "3": 10})
    hohhot = [make.enrolled(contest, region_code="150102") for _ in range(2)]
    baotou = [
        make.enrolled(contest, region_code="150203", display_name=EVIL),
        make.enrolled(contest, region_code="150203", display_name="ᠪᠠᠭᠠᠲᠤᠷ 巴特尔"),
    ]
    # (player, correct answers, seconds taken): ties on points are split by time used.
    plan = [(hohhot[0], 3, 50), (hohhot[1], 5, 90), (baotou[0], 3, 30), (baotou[1], 1, 20)]
    for player, correct, seconds in plan:
        attempt, _ = play.start_attempt(player, round_, "zh", clock())
        play_correct(attempt, player, correct, clock())
        play.finish_attempt(attempt, clock.advance(seconds=seconds))
        db.session.commit()  # the edge commits (services flush)
    return organizer, contest, round_, hohhot, baotou


def test_results_are_ranked_like_the_board(make, clock):
    _organizer, contest, round_, hohhot, baotou = _contest(make, clock)
    rows = services.round_results(round_)
    board = boards.board_store().client.zrange(BoardKeys(contest.id).round_all(round_.id), 0, -1)
    assert [f"{r.user_id:010d}" for r in rows] == board
    assert [r.user_id for r in rows] == [hohhot[1].id, baotou[0].id, hohhot[0].id, baotou[1].id]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    assert [r.league_rank for r in rows] == [1, 1, 2, 2]
    league = baotou[0].region.parent_code
    baotou_league = next(lg.id for lg in contest.leagues if lg.region_code == league)
    only = services.round_results(round_, baotou_league)
    assert [(r.user_id, r.rank, r.league_rank) for r in only] == [
        (baotou[0].id, 2, 1),
        (baotou[1].id, 4, 2),
    ]


def test_exports_neutralise_formulas_and_open_in_excel(make, clock, client):
    organizer, contest, round_, _hohhot, baotou = _contest(make, clock)
    log_in(client, organizer)
    response = client.get(f"/console/rounds/{round_.id}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = [row[3] for row in table[1:]]
    assert "'" + EVIL in names  # the apostrophe makes it text
    assert EVIL not in names
    assert "ᠪᠠᠭᠠᠲᠤᠷ 巴特尔" in names
    assert table[1][0] == "1"

    response = client.get(f"/console/rounds/{round_.id}/results.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    sheet_rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    cells = [row[3] for row in sheet_rows[1:]]
    assert EVIL in cells  # kept exactly, as text
    assert sheet_rows[1][0] == 1  # numbers stay numbers

    # The league filter, and the audit trail of who exported what.
    league = next(lg.id for lg in contest.leagues if lg.region_code == "150200")
    response = client.get(f"/console/rounds/{round_.id}/results.csv?league={league}")
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(table) == 3
    assert {e.action for e in events(contest_id=contest.id)} == {"results.export"}
    page = client.get(f"/console/rounds/{round_.id}/results?league={league}")
    assert page.status_code == 200
    assert baotou[1].username in page.get_data(as_text=True)


def test_neutralize_every_dangerous_start():
    for start in ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"):
        assert neutralize(start + "1+1") == "'" + start + "1+1"
    assert neutralize("safe =1") == "safe =1"
    assert neutralize(-5) == -5  # a number is not text
    body = csv_table(["a"], [["@SUM(A1)"]]).decode("utf-8-sig")
    assert body.splitlines()[1] == "'@SUM(A1)"


def test_results_page_is_paged(make, clock, client, monkeypatch):
    from quiz.results import routes

    organizer, _c, round_, hohhot, baotou = _contest(make, clock)
    monkeypatch.setattr(routes, "PAGE_SIZE", 3)
    log_in(client, organizer)
    first = client.get(f"/console/rounds/{round_.id}/results").get_data(as_text=True)
    second = client.get(f"/console/rounds/{round_.id}/results?page=2").get_data(as_text=True)
    assert hohhot[1].username in first and baotou[1].username not in first
    assert baotou[1].username in second and hohhot[1].username not in second
    # A page beyond the end shows the last one.
    beyond = client.get(f"/console/rounds/{round_.id}/results?page=99").get_data(as_text=True)
    assert baotou[1].username in beyond and hohhot[1].username not in beyond
