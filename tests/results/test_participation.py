"""Participation by 盟市 and 旗县: enrolled, started, finished, average score."""

from __future__ import annotations

import csv
import io

from quiz.accounts.models import Role
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import participation
from tests.factories import log_in
from tests.results.helpers import play_correct


def test_counts_per_county_and_league(make, clock, client):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(
        contest, make.bank(), points_by_difficulty={"1": 10, "2": 10, "3": 10}, max_attempts=2
    )
    xincheng = [make.enrolled(contest, region_code="150102") for _ in range(3)]  # 呼和浩特 新城区
    huimin = make.enrolled(contest, region_code="150103")  # 呼和浩特 回民区
    kundulun = make.enrolled(contest, region_code="150203")  # 包头 昆都仑区
    # xincheng: one finishes with 30 then retries with 50 (best counts), one with 10,
    # one never starts. huimin starts only. kundulun finishes with 20.
    for user, correct in ((xincheng[0], 3), (xincheng[1], 1), (kundulun, 2)):
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        play_correct(attempt, user, correct, clock())
        play.finish_attempt(attempt, clock.advance(seconds=30))
        db.session.commit()  # the edge commits (services flush)
    retry, _ = play.start_attempt(xincheng[0], round_, "zh", clock())
    play_correct(retry, xincheng[0], 5, clock())
    play.finish_attempt(retry, clock.advance(seconds=30))
    db.session.commit()  # the edge commits (services flush)
    play.start_attempt(huimin, round_, "mn", clock())

    data = participation.by_region(contest.id, None, clock())
    rows = {r.code: r for r in data.rows}
    assert len([r for r in data.rows if r.level == "league"]) == 12
    assert len([r for r in data.rows if r.level == "county"]) == 103
    x = rows["150102"]
    assert (x.enrolled, x.started, x.finished, x.average) == (3, 2, 2, 30.0)  # (50 + 10) / 2
    h = rows["150103"]
    assert (h.enrolled, h.started, h.finished, h.average) == (1, 1, 0, None)
    hohhot = rows["150100"]
    assert (hohhot.enrolled, hohhot.started, hohhot.finished, hohhot.average) == (4, 3, 2, 30.0)
    baotou = rows["150200"]
    assert (baotou.enrolled, baotou.finished, baotou.average) == (1, 1, 20.0)
    assert rows["150500"].enrolled == 0  # every 盟市 is listed, zeros included
    assert (data.total.enrolled, data.total.started, data.total.finished) == (5, 4, 3)
    assert data.total.average == round(80 / 3, 1)
    assert hohhot.name_zh == "呼和浩特市" and hohhot.name_mn  # both languages

    log_in(client, organizer)
    page = client.get(f"/console/contests/{contest.id}/participation?round={round_.id}")
    assert page.status_code == 200 and "新城区" in page.get_data(as_text=True)
    export = client.get(f"/console/contests/{contest.id}/participation.csv")
    table = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    line = next(row for row in table if row[0] == "150102")
    assert line[4:] == ["3", "2", "2", "30.0"]
    assert table[-1][4:7] == ["5", "4", "3"]
    xlsx = client.get(f"/console/contests/{contest.id}/participation.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
