"""True/false answers read as words (正确/错误, ᠵᠥᠪ/ᠪᠤᠷᠤᠭᠤ), never as the keys T and F: in
item analysis, the bank's pages, the import preview and the question editor."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from question_bank import TRUE_FALSE_LABELS, Kind, shown_answer
from quiz.banks.models import Question
from quiz.contests.models import ReviewPolicy
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import services
from tests.banks.console_helpers import organizer_client, token_of, upload
from tests.factories import CATEGORIES
from tests.results.helpers import answer_by_key, items

# A cell, badge or list item that is nothing but a bare T or F (with a tick at most).
BARE_KEY = re.compile(r">\s*[TF](\s*✓)?\s*<")


def test_shown_answer():
    assert shown_answer(["T"], Kind.TRUEFALSE, "zh") == "正确"
    assert shown_answer(["F"], "truefalse", "mn") == TRUE_FALSE_LABELS["mn"]["F"]
    assert shown_answer(["A", "C"], Kind.MULTIPLE, "zh") == "A, C"


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_item_analysis_bank_pages_and_editor(app, make, clock, language):
    browser = organizer_client(app, make, language=language)
    from quiz.accounts.models import User

    organizer = db.session.scalar(select(User).where(User.username == "org"))
    bank = make.bank(per_cell=1)  # six questions, two of them true/false
    contest = make.contest(organizer=organizer)
    round_ = make.round(
        contest,
        bank,
        draw_rule=[{"count": 3, "category": c, "points": 10} for c in CATEGORIES],
        review_policy=ReviewPolicy.AFTER_CLOSE,
    )
    player = make.enrolled(contest)
    attempt, _ = play.start_attempt(player, round_, "zh", clock())
    for item in items(attempt):
        key = db.session.get(Question, item.question_id).answer
        answer_by_key(attempt, player, item.no, list(key), clock.advance(seconds=5))
    play.finish_attempt(attempt, clock.advance(seconds=5))
    db.session.commit()  # the edge commits (services flush)
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    words = TRUE_FALSE_LABELS[language]

    page = browser.get(f"/console/rounds/{round_.id}/items").get_data(as_text=True)
    assert page.count('class="card item-stats') >= 2
    assert not BARE_KEY.search(page), BARE_KEY.search(page).group(0)
    # Nobody chose the wrong word of a true/false question: the flag names the word.
    assert re.search(rf"({words['T']}|{words['F']})\s*</li>", page)

    true_false = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.kind == "truefalse")
    ).first()
    html = browser.get(f"/console/banks/{bank.id}").get_data(as_text=True)
    hit = BARE_KEY.search(html)
    assert not hit, html[hit.start() - 300 : hit.end() + 50]
    assert 'class="option-key">T<' not in html and 'class="option-key">F<' not in html
    # The editor: A to H (F is an option letter there), then the two words.
    editor = browser.get(f"/console/banks/{bank.id}/questions/{true_false.id}").get_data(
        as_text=True
    )
    assert f'<label for="answer-8">{words["T"]}</label>' in editor
    assert f'<label for="answer-9">{words["F"]}</label>' in editor


def test_import_preview_shows_the_word(app, make):
    browser = organizer_client(app, make)
    token = token_of(upload(browser, "地球是圆的。{T}\n\n太阳绕地球转。{F}\n".encode(), "tf.gift"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert re.findall(r'class="answer-keys">([^<]*)<', html) == ["正确", "错误"]
    assert not BARE_KEY.search(html)
