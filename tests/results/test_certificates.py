"""Certificates: the top N of each league for organizers, one's own after publication."""

from __future__ import annotations

import io

from pypdf import PdfReader

from quiz.accounts.models import Role
from quiz.audit.services import events
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import certificates, services
from tests.factories import log_in
from tests.results.helpers import play_correct


def _text(pdf: bytes) -> list[str]:
    # The CJK font comes out with NULs between characters: drop them.
    return [page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(pdf)).pages]


def _closed_round(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank(), points_by_difficulty={"1": 10, "2": 10, "3": 10})
    hohhot = [make.enrolled(contest, region_code="150102", display_name=f"张{i}") for i in range(3)]
    baotou = make.enrolled(contest, region_code="150203", display_name="巴特尔", language="mn")
    for user, correct in ((hohhot[0], 4), (hohhot[1], 2), (hohhot[2], 1), (baotou, 3)):
        attempt, _ = play.start_attempt(user, round_, "zh", clock())
        play_correct(attempt, user, correct, clock())
        play.finish_attempt(attempt, clock.advance(seconds=30))
        db.session.commit()  # the edge commits (services flush)
    return organizer, contest, round_, hohhot, baotou


def test_top_of_each_league_in_one_pdf(make, clock, client):
    organizer, contest, round_, hohhot, _baotou = _closed_round(make, clock)
    log_in(client, organizer)
    # Not before the close.
    assert client.get(f"/console/rounds/{round_.id}/certificates.pdf").status_code == 409
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    response = client.get(f"/console/rounds/{round_.id}/certificates.pdf?top=2")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = _text(response.get_data())
    assert len(pages) == 3  # two from 呼和浩特, the only one from 包头
    assert "张0" in pages[0] and "张1" in pages[1]
    assert "张2" not in "".join(pages)
    assert certificates.serial(round_.id, hohhot[0].id) in pages[0]
    # 巴特尔 chose Mongolian: their certificate has Mongolian script.
    assert any("\u1820" <= ch <= "\u18af" for ch in pages[2])
    assert events(contest_id=contest.id)[0].action == "certificates.export"


def test_own_certificate_after_publication_only(make, clock, client):
    organizer, _contest, round_, hohhot, _baotou = _closed_round(make, clock)
    log_in(client, hohhot[1])
    path = f"/rounds/{round_.id}/certificate.pdf"
    assert client.get(path).status_code == 404  # not published yet
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    assert client.get(path).status_code == 404
    services.publish(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    response = client.get(path)
    assert response.status_code == 200
    [page] = _text(response.get_data())
    assert "张1" in page and "张0" not in page
    assert "20 / " in page  # their own score
    result = client.get(
        f"/attempts/{play._latest_attempt(round_.id, hohhot[1].id).id}/result"
    ).get_data(as_text=True)
    assert path in result  # the result page offers it
    # Someone without a result in the round gets nothing.
    client.post("/logout")
    log_in(client, make.enrolled(_contest))
    assert client.get(path).status_code == 404


def test_top_n_never_certifies_a_result_below_the_rounds_minimum(make, clock, client):
    """Issue 14: in a small league the top 10 would include blank sheets (0 points)."""
    from datetime import datetime

    from quiz.extensions import db

    organizer, contest, round_, _hohhot, _baotou = _closed_round(make, clock)
    blank = make.enrolled(contest, region_code="150102", display_name="零分")
    attempt, _ = play.start_attempt(blank, round_, "zh", clock())
    play.finish_attempt(attempt, clock.advance(seconds=30))  # nothing answered: 0 points
    db.session.commit()  # the edge commits (services flush)
    assert round_.certificate_min_points == 1  # the default is above 0
    clock.moment = datetime(2026, 9, 15, 18, 1, 20)  # 2026-09-16 02:01 in Shanghai
    services.close_round(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    log_in(client, organizer)
    pages = _text(client.get(f"/console/rounds/{round_.id}/certificates.pdf?top=10").get_data())
    text = "".join(pages)
    assert "零分" not in text and "张2" in text and len(pages) == 4
    # The date is the contest's day, for the certificate's reader; never UTC, never ISO.
    assert "2026年9月16日" in pages[0] and "2026-09-1" not in text and "2026年9月15日" not in text
    assert "2026.09.16" in pages[3]  # 巴特尔's Mongolian certificate: numeric day
    # A higher minimum leaves out more: 张2 has 10 points.
    round_.certificate_min_points = 11
    db.session.commit()
    pages = _text(client.get(f"/console/rounds/{round_.id}/certificates.pdf?top=10").get_data())
    assert "张2" not in "".join(pages) and len(pages) == 3
    # Nobody reaches the minimum: nothing to print, said clearly (422), never an empty PDF.
    round_.certificate_min_points = 1000
    db.session.commit()
    response = client.get(f"/console/rounds/{round_.id}/certificates.pdf?top=10")
    assert response.status_code == 422


def test_own_certificate_below_the_minimum_names_no_rank(make, clock, client):
    organizer, contest, round_, _hohhot, _baotou = _closed_round(make, clock)
    blank = make.enrolled(contest, region_code="150102", display_name="零分")
    attempt, _ = play.start_attempt(blank, round_, "zh", clock())
    play.finish_attempt(attempt, clock.advance(seconds=30))
    db.session.commit()  # the edge commits (services flush)
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    services.publish(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    log_in(client, blank)
    [page] = _text(client.get(f"/rounds/{round_.id}/certificate.pdf").get_data())
    assert "参赛证书" in page and "荣誉证书" not in page and "第 4" not in page
