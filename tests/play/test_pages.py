"""The participant's whole flow through the HTML pages, as a browser without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quiz.accounts.models import User
from quiz.banks.models import Question
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem
from tests.factories import PASSWORD, log_in

EXPLANATION = {"zh": "解释", "mn": "ᠲᠠᠶᠢᠯᠪᠤᠷᠢ"}
HTML_LANG = {"zh": "zh-Hans-CN", "mn": "mn-Mong-CN"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _path(response) -> str:
    """The redirect target without its query string."""
    return response.location.split("?")[0]


def _countdown(html: str) -> int:
    match = re.search(r'data-countdown-seconds="(\d+)"', html)
    assert match, "no countdown on the page"
    return int(match.group(1))


def _right_keys(attempt_id: int, no: int) -> list[str]:
    """The displayed keys of the right options (the page shuffles them per attempt)."""
    item = db.session.scalar(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt_id, AttemptItem.no == no)
    )
    question = db.session.get(Question, item.question_id)
    return sorted(chr(65 + item.option_order.index(key)) for key in question.answer)


def _start(client, round_id: int, language: str) -> int:
    response = client.post(f"/rounds/{round_id}/start", data={f"r{round_id}-language": language})
    assert response.status_code == 302, _html(response)
    match = re.fullmatch(r"/attempts/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


def _started(client, make, language: str = "zh", **round_kwargs) -> tuple[int, object]:
    """A logged-in participant with a fresh attempt: (attempt id, round)."""
    contest, round_ = make.setup(**round_kwargs)
    user = make.enrolled(contest, language=language)
    log_in(client, user.username)
    return _start(client, round_.id, language), round_


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_register_join_take_quiz_and_see_result_and_board(client, clock, make, language):
    contest, round_ = make.setup()
    response = client.post(
        "/register",
        data={
            "username": f"walker-{language}",
            "password": PASSWORD,
            "display_name": f"走完全程{language}",
            "region_code": "150102",
            "school_id": "",
            "language": language,
        },
    )
    assert response.status_code == 302, _html(response)

    page = client.get(f"/contests/{contest.id}")
    assert page.status_code == 200
    assert f'<html lang="{HTML_LANG[language]}">' in _html(page)
    assert f"/contests/{contest.id}/enroll" in _html(page)
    assert f'name="r{round_.id}-language"' not in _html(page)  # not enrolled yet

    response = client.post(f"/contests/{contest.id}/enroll", data={})
    assert response.status_code == 302
    page = _html(client.get(f"/contests/{contest.id}"))
    assert f'name="r{round_.id}-language"' in page
    assert f"/contests/{contest.id}/enroll" not in page

    attempt_id = _start(client, round_.id, language)
    response = client.get(f"/attempts/{attempt_id}")
    assert response.status_code == 302 and _path(response) == f"/attempts/{attempt_id}/q/1"

    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.language == language
    count = attempt.question_count
    assert count == 6
    clock.advance(seconds=20)
    for no in range(1, count + 1):
        page = client.get(f"/attempts/{attempt_id}/q/{no}")
        assert page.status_code == 200
        html = _html(page)
        assert f'<html lang="{HTML_LANG[language]}">' in html
        assert f"{no} / {count}" in html
        assert page.headers["Cache-Control"] == "no-store"
        if language == "mn":
            assert '<div class="question mn-block" lang="mn-Mong-CN">' in html
        else:
            assert '<div class="question">' in html
        assert EXPLANATION[language] not in html
        assert "✓" not in html and "explanation" not in html
        action = "finish" if no == count else "next"
        response = client.post(
            f"/attempts/{attempt_id}/q/{no}",
            data={"choice": _right_keys(attempt_id, no), "action": action},
        )
        assert response.status_code == 302
        if action == "next":
            assert _path(response) == f"/attempts/{attempt_id}/q/{no + 1}"
        else:
            assert _path(response) == f"/attempts/{attempt_id}/finish"
    assert client.get(f"/attempts/{attempt_id}/finish").status_code == 200
    response = client.post(f"/attempts/{attempt_id}/finish", data={})
    assert response.status_code == 302
    assert _path(response) == f"/attempts/{attempt_id}/result"

    db.session.refresh(attempt)
    assert attempt.finished_at is not None and attempt.time_used_ms == 20_000
    assert attempt.points == attempt.max_points > 0
    result = _html(client.get(f"/attempts/{attempt_id}/result"))
    assert f"<span data-me-score>{attempt.points}</span> / {attempt.max_points}" in result
    assert "<strong data-me-rank>1</strong>" in result
    assert "<strong data-me-league-rank>1</strong>" in result
    assert result.count('class="explanation"') == count  # review allowed after finishing
    assert EXPLANATION[language] in result
    assert result.count(" ✓") >= count

    # A finished attempt sends every quiz page to the result.
    for path in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/q/1"):
        response = client.get(path)
        assert response.status_code == 302 and _path(response) == f"/attempts/{attempt_id}/result"

    board = client.get(f"/rounds/{round_.id}/leaderboard")
    assert board.status_code == 200
    assert f"走完全程{language}" in _html(board)
    contest_board = client.get(f"/contests/{contest.id}/leaderboard")
    assert f"走完全程{language}" in _html(contest_board)


def test_page_language_follows_the_account_while_questions_follow_the_attempt(client, make):
    attempt_id, _ = _started(client, make, language="zh")
    html = _html(client.get(f"/attempts/{attempt_id}/q/1?lang=mn"))
    assert '<html lang="zh-Hans-CN">' in html
    assert '<div class="question mn-block" lang="mn-Mong-CN">' in html
    html = _html(client.get(f"/attempts/{attempt_id}/q/1"))
    assert '<div class="question">' in html and "mn-block" not in html


def test_reload_mid_quiz_keeps_the_server_countdown(app, client, clock, make):
    attempt_id, _ = _started(client, make, time_limit_seconds=600)
    assert _countdown(_html(client.get(f"/attempts/{attempt_id}/q/1"))) == 600
    clock.advance(seconds=90)
    html = _html(client.get(f"/attempts/{attempt_id}/q/1"))
    assert _countdown(html) == 510
    assert re.search(r">0?8:30</span>", html)
    clock.advance(seconds=300)
    assert _countdown(_html(client.get(f"/attempts/{attempt_id}/q/3"))) == 210
    # Another device of the same participant sees the same clock.
    other_device = app.test_client()
    user = db.session.get(User, db.session.get(Attempt, attempt_id).user_id)
    log_in(other_device, user.username)
    assert _countdown(_html(other_device.get(f"/attempts/{attempt_id}/q/2"))) == 210


def test_after_the_deadline_the_question_page_goes_to_the_result(client, clock, make):
    attempt_id, _ = _started(client, make, time_limit_seconds=60)
    client.post(f"/attempts/{attempt_id}/q/1", data={"choice": ["A"], "action": "next"})
    clock.advance(seconds=60 + 6)  # past the deadline and the 5 s grace
    response = client.get(f"/attempts/{attempt_id}/q/2")
    assert response.status_code == 302
    assert _path(response) == f"/attempts/{attempt_id}/result"
    attempt = db.session.get(Attempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.finish_reason == "deadline" and attempt.time_used_ms == 60_000
    html = _html(client.get(f"/attempts/{attempt_id}/result"))
    assert f"<span data-me-score>{attempt.points}</span>" in html

    # A late plain-form save is refused and sends the participant to the result.
    response = client.post(f"/attempts/{attempt_id}/q/2", data={"choice": ["A"]})
    assert response.status_code == 302
    assert _path(response) == f"/attempts/{attempt_id}/result"
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_the_key_stays_hidden_when_the_review_policy_says_never(client, make):
    attempt_id, _ = _started(client, make, review_policy="never")
    html = _html(client.get(f"/attempts/{attempt_id}/q/1"))
    assert EXPLANATION["zh"] not in html
    client.post(f"/attempts/{attempt_id}/finish", data={})
    result = _html(client.get(f"/attempts/{attempt_id}/result"))
    assert "<span data-me-score>" in result
    assert EXPLANATION["zh"] not in result and 'class="explanation"' not in result
    assert " ✓" not in result


def test_after_close_review_waits_for_the_round_to_close(client, clock, make):
    attempt_id, _ = _started(
        client, make, review_policy="after_close", closes_at=clock() + timedelta(hours=1)
    )
    client.post(f"/attempts/{attempt_id}/finish", data={})
    assert EXPLANATION["zh"] not in _html(client.get(f"/attempts/{attempt_id}/result"))
    clock.advance(hours=2)
    assert EXPLANATION["zh"] in _html(client.get(f"/attempts/{attempt_id}/result"))


def test_another_users_attempt_is_not_found(client, make):
    attempt_id, round_ = _started(client, make)
    client.post("/logout", data={})
    other = make.enrolled(round_.contest)
    log_in(client, other.username)
    for path in (
        f"/attempts/{attempt_id}",
        f"/attempts/{attempt_id}/q/1",
        f"/attempts/{attempt_id}/finish",
        f"/attempts/{attempt_id}/result",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/attempts/{attempt_id}/q/1", data={"choice": ["A"]})
    assert response.status_code == 404
    response = client.post(f"/attempts/{attempt_id}/finish", data={})
    assert response.status_code == 404
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.finished_at is None
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_anonymous_visitors_are_sent_to_the_login(client, make):
    contest, round_ = make.setup()
    for path in (
        "/profile",
        "/attempts/1",
        "/attempts/1/q/1",
        "/attempts/1/result",
        f"/rounds/{round_.id}/leaderboard",
        f"/contests/{contest.id}/leaderboard",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert _path(response) == "/login", path
        assert "next=" in response.location
    response = client.post(f"/rounds/{round_.id}/start", data={f"r{round_.id}-language": "zh"})
    assert response.status_code == 302 and _path(response) == "/login"
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    # The contest itself is public.
    assert client.get(f"/contests/{contest.id}").status_code == 200


def test_background_save_answers_json(client, clock, make):
    attempt_id, _ = _started(client, make, time_limit_seconds=60)
    fetch = {"X-Requested-With": "fetch"}
    response = client.post(f"/attempts/{attempt_id}/q/2", data={"choice": ["A"]}, headers=fetch)
    assert response.status_code == 200
    assert response.is_json and response.json["saved"] is True
    answer = db.session.scalar(select(Answer).where(Answer.attempt_id == attempt_id))
    assert answer is not None and answer.no == 2
    html = _html(client.get(f"/attempts/{attempt_id}/q/2"))
    assert re.search(r'name="choice" value="A" checked', html)

    bad = client.post(f"/attempts/{attempt_id}/q/2", data={"choice": ["Z"]}, headers=fetch)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "validation_failed"

    clock.advance(seconds=70)
    late = client.post(f"/attempts/{attempt_id}/q/3", data={"choice": ["A"]}, headers=fetch)
    assert late.status_code == 409
    assert late.json["error"]["code"] == "deadline_passed"
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
