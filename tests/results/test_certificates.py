"""Certificates: the top N of each league for organizers, one's own after publication."""

from __future__ import annotations

import io

from pypdf import PdfReader

from quiz.accounts.models import Role
from quiz.audit.services import events
from quiz.play import services as play
from quiz.results import certificates, services
from tests.results.helpers import play_correct
from tests.security.scenario import log_in


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
    return organizer, contest, round_, hohhot, baotou


def test_top_of_each_league_in_one_pdf(make, clock, client):
    organizer, contest, round_, hohhot, _baotou = _closed_round(make, clock)
    log_in(client, organizer)
    # Not before the close.
    assert client.get(f"/console/rounds/{round_.id}/certificates.pdf").status_code == 409
    services.close_round(round_, organizer, clock.advance(minutes=1))
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
    services.close_round(round_, organizer, clock.advance(minutes=1))
    assert client.get(path).status_code == 404
    services.publish(round_, organizer, clock.advance(minutes=1))
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
