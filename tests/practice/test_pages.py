"""Practice through the HTML pages, as a phone without JavaScript, in both languages."""

from __future__ import annotations

import re

import pytest

from quiz.banks.models import Question
from quiz.extensions import db
from quiz.practice.models import PracticeItem
from tests.factories import log_in

HTML_LANG = {"zh": "zh-Hans-CN", "mn": "mn-Mong-CN"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _keys(session_id: int, no: int, right: bool) -> list[str]:
    item = db.session.get(PracticeItem, (session_id, no))
    question = db.session.get(Question, item.question_id)
    keys = [k for k in item.option_order if (k in question.answer) == right][
        : 1 if not right else None
    ]
    return sorted(chr(65 + item.option_order.index(k)) for k in keys)


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_practice_and_the_book_on_pages(client, make, language):
    make.bank()
    make.user("bat", language=language)
    log_in(client, "bat")
    home = client.get("/practice")
    html = _html(home)
    assert home.status_code == 200 and f'lang="{HTML_LANG[language]}"' in html
    assert 'value="life-health"' in html

    started = client.post(
        "/practice/start", data={"source": "practice", "category": "life-health", "count": "5"}
    )
    match = re.fullmatch(r"/practice/(\d+)", started.location)
    assert match, started.location
    sid = int(match.group(1))
    question = client.get(client.get(started.location).location)
    page = _html(question)
    assert question.status_code == 200 and "data-practice-result" not in page
    if language == "mn":
        assert 'class="question mn-block"' in page
    # No key in the page before the answer: the explanation is not there.
    assert "解释" not in page and "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ" not in page

    answered = client.post(f"/practice/{sid}/q/1", data={"choice": _keys(sid, 1, False)})
    assert answered.status_code == 302
    marked = _html(client.get(answered.location))
    assert 'data-practice-result="wrong"' in marked
    assert ("解释" if language == "zh" else "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ") in marked
    # A different second answer is refused with a message; the first stays.
    again = client.post(
        f"/practice/{sid}/q/1", data={"choice": _keys(sid, 1, True)}, follow_redirects=True
    )
    assert 'data-practice-result="wrong"' in _html(again) and "flash-error" in _html(again)

    book = _html(client.get("/practice/book"))
    assert book.count("data-book-entry=") == 1
    practise = client.post("/practice/start", data={"source": "mistakes", "count": "10"})
    assert re.fullmatch(r"/practice/\d+", practise.location)
    summary = client.get(f"/practice/{sid}/summary")
    assert summary.status_code == 200


def test_bad_form_input_is_a_message_not_an_error(client, make):
    make.bank()
    make.user("bat")
    log_in(client, "bat")
    for data in (
        {"count": "abc"},
        {"count": "999"},
        {"category": "nope"},
        {"source": "x"},
        {"language": "fr"},
    ):
        response = client.post("/practice/start", data=data, follow_redirects=True)
        assert response.status_code == 200 and "flash-error" in _html(response), data
    empty_book = client.post("/practice/start", data={"source": "mistakes"}, follow_redirects=True)
    assert "flash-error" in _html(empty_book)
    assert client.get("/practice/999999").status_code == 404
    started = client.post("/practice/start", data={})
    sid = int(started.location.rsplit("/", 1)[1])
    assert client.get(f"/practice/{sid}/q/99").status_code == 404
    assert client.post(f"/practice/{sid}/q/99", data={"choice": "A"}).status_code == 404
    bad = client.post(f"/practice/{sid}/q/1", data={"choice": "Z"}, follow_redirects=True)
    assert bad.status_code == 200 and "flash-error" in _html(bad)


def test_daily_page_streak_and_organizer_results(client, make):
    make.bank()
    make.user("bat")
    make.user("boss", roles=("organizer",))
    log_in(client, "bat")
    assert 'data-streak="0"' in _html(client.get("/practice/daily"))
    started = client.post("/practice/start", data={"source": "daily"})
    sid = int(started.location.rsplit("/", 1)[1])
    for no in range(1, 6):
        client.post(f"/practice/{sid}/q/{no}", data={"choice": _keys(sid, no, True)})
    daily = _html(client.get("/practice/daily"))
    assert 'data-streak="1"' in daily and "done" in daily
    assert client.get("/console/practice/daily").status_code == 403
    client.post("/logout")
    log_in(client, "boss")
    results = client.get("/console/practice/daily")
    assert results.status_code == 200 and "5.0" in _html(results)
    assert client.get("/console/practice/daily?day=not-a-day").status_code == 404
