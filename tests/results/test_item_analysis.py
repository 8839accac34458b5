"""Item analysis on a constructed round, against numbers worked out by hand.

Three single-choice questions (key B, 10 points each), everyone draws all three.
First attempts (P4 in Mongolian, the others in Chinese):

    P1: q1 B ✓  q2 B ✓  q3 B ✓   total 30
    P2: q1 B ✓  q2 B ✓  q3 A ✗   total 20
    P3: q1 A ✗  q2 B ✓  q3 —     total 10
    P4: q1 C ✗  q2 A ✗  q3 B ✓   total 10

q1, all languages: item a = (10, 10, 0, 0), rest of test y = (20, 10, 10, 10).
    Facility = 20/40 = 50. Deviations from the means (5, 12.5): a (5, 5, -5, -5),
    y (7.5, -2.5, -2.5, -2.5). Σ da·dy = 37.5 - 12.5 + 12.5 + 12.5 = 50,
    Σ da² = 100, Σ dy² = 75, r = 50 / √7500 = 1/√3: D = 57.735.
q1, Chinese only (P1-P3): a = (10, 10, 0), y = (20, 10, 10): Σ da·dy = 100/3,
    Σ da² = Σ dy² = 600/9, r = 0.5: D = 50; facility 66.667.
q1, Mongolian only (P4): one attempt, facility 0 (flag: too hard), D undefined.
q2: a = (10, 10, 10, 0), y = (20, 10, 0, 10): Σ da·dy = 0, so D = 0; facility 75.
q3: a = (10, 0, 0, 10), y = (20, 20, 10, 0): means (5, 12.5), Σ da·dy = -50,
    Σ da² = 100, Σ dy² = 275, r = -50/√27500: D = -30.151 (flag: negative).
Options (all languages): q1 A1 B2 C1 D0 (D unused), q2 A1 B3 (C, D unused),
    q3 A1 B2 (C, D unused; P3 left it blank, so 3 answered of 4).
P3's second attempt (all correct) is not a first attempt and is ignored.
"""

from __future__ import annotations

import pytest

from question_bank import Bank, Category, Kind, Question, Version
from quiz.accounts.models import Role
from quiz.banks.services import import_bank
from quiz.contests.models import ReviewPolicy
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import item_analysis, services
from quiz.results.item_analysis import ALL
from tests.factories import log_in
from tests.results.helpers import answer_question


def _bank(clock):
    questions = tuple(
        Question(
            id=f"item-{n}",
            kind=Kind.SINGLE,
            category="c",
            difficulty=1,
            answer=("B",),
            option_keys=("A", "B", "C", "D"),
            source="test",
            versions={
                "zh": Version(
                    text=f"题{n}", options={k: f"{k}{n}" for k in "ABCD"}, explanation=""
                ),
                "mn": Version(
                    text=f"ᠠᠰᠠᠭᠤᠯᠲᠠ {n}",
                    options={k: f"ᠰᠣᠩᠭᠣᠯᠲᠠ {k}" for k in "ABCD"},
                    explanation="",
                ),
            },
        )
        for n in (1, 2, 3)
    )
    bank = Bank(
        id="items",
        title={"zh": "题"},
        categories=(Category(id="c", name={"zh": "c"}),),
        questions=questions,
    )
    row, _, _ = import_bank(bank, clock())
    return row


PLAN = {  # player: (language, {question number: option key})
    "P1": ("zh", {1: "B", 2: "B", 3: "B"}),
    "P2": ("zh", {1: "B", 2: "B", 3: "A"}),
    "P3": ("zh", {1: "A", 2: "B"}),
    "P4": ("mn", {1: "C", 2: "A", 3: "B"}),
}


@pytest.fixture
def played(make, clock):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    bank = _bank(clock)
    contest = make.contest(organizer=organizer)
    round_ = make.round(
        contest,
        bank,
        draw_rule=[{"count": 3, "category": "c"}],
        points_by_difficulty={"1": 10, "2": 10, "3": 10},
        max_attempts=2,
        review_policy=ReviewPolicy.AFTER_CLOSE,
    )
    from quiz.banks.models import Question as QuestionRow

    ids = {
        int(q.external_id.split("-")[1]): q.id
        for q in db.session.query(QuestionRow).filter_by(bank_id=bank.id)
    }
    players = {}
    for name, (language, answers) in PLAN.items():
        user = make.enrolled(contest, display_name=name)
        players[name] = user
        attempt, _ = play.start_attempt(user, round_, language, clock())
        for number, key in answers.items():
            answer_question(attempt, user, ids[number], [key], clock.advance(seconds=3))
        play.finish_attempt(attempt, clock.advance(seconds=3))
        db.session.commit()  # the edge commits (services flush)
    again, _ = play.start_attempt(players["P3"], round_, "zh", clock())
    for number in (1, 2, 3):
        answer_question(again, players["P3"], ids[number], ["B"], clock.advance(seconds=3))
    play.finish_attempt(again, clock.advance(seconds=3))
    db.session.commit()  # the edge commits (services flush)
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    return organizer, round_, ids


def _row(items, external_id, language):
    return next(i for i in items if i.external_id == external_id and i.language == language)


def test_facility_and_discrimination_by_hand(played):
    _organizer, round_, _ids = played
    items = item_analysis.analyse(round_.id)
    q1 = _row(items, "item-1", ALL)
    assert q1.sums.n == 4 and q1.sums.answered == 4
    assert q1.facility == pytest.approx(50)
    assert q1.discrimination == pytest.approx(100 / 3**0.5)
    assert q1.choices == {"A": 1, "B": 2, "C": 1}
    assert q1.unused_distractors == ["D"]
    assert q1.flags == ["unused_distractor"]

    q1_zh = _row(items, "item-1", "zh")
    assert q1_zh.sums.n == 3
    assert q1_zh.facility == pytest.approx(200 / 3)
    assert q1_zh.discrimination == pytest.approx(50)
    q1_mn = _row(items, "item-1", "mn")
    assert q1_mn.facility == 0
    assert q1_mn.discrimination is None
    assert "too_hard" in q1_mn.flags
    assert q1_mn.text == "ᠠᠰᠠᠭᠤᠯᠲᠠ 1"

    q2 = _row(items, "item-2", ALL)
    assert q2.facility == pytest.approx(75)
    assert q2.discrimination == pytest.approx(0)
    assert q2.unused_distractors == ["C", "D"]

    q3 = _row(items, "item-3", ALL)
    assert q3.sums.answered == 3
    assert q3.facility == pytest.approx(50)
    assert q3.discrimination == pytest.approx(-100 * 50 / 27500**0.5)
    assert q3.discrimination == pytest.approx(-30.151, abs=1e-3)
    assert q3.flags == ["negative_discrimination", "unused_distractor"]


def test_the_items_page(played, client):
    organizer, round_, _ids = played
    log_in(client, organizer)
    page = client.get(f"/console/rounds/{round_.id}/items").get_data(as_text=True)
    assert "57.7" in page and "-30.2" in page


def test_items_wait_for_the_close(make, clock, client):
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    log_in(client, organizer)
    page = client.get(f"/console/rounds/{round_.id}/items")
    assert page.status_code == 200
    assert "stale-notice" in page.get_data(as_text=True)
