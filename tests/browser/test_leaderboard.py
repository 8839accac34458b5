"""Live leaderboards: the board page and the projector view follow other people's answers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from quiz.accounts.models import User
from quiz.banks.models import Question
from quiz.clock import utcnow
from quiz.contests.models import Round
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import AttemptItem
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

# leaderboard.js polls every 2 s; the bound adds the poll's own round trip on a busy machine.
LIVE_WITHIN_S = 3.0


def _answer(
    site, username: str, round_id: int, right: tuple[int, ...], finish: bool = False
) -> int:
    """Another participant answers through the services: their points so far.

    Questions ``right`` are answered correctly; with ``finish`` the others are answered
    wrongly and the attempt is handed in.
    """
    with site.ctx():
        user = db.session.scalar(select(User).where(User.username == username))
        round_ = db.session.get(Round, round_id)
        attempt, _ = play.start_attempt(user, round_, "zh", utcnow())
        for no in range(1, attempt.question_count + 1):
            item = db.session.get(AttemptItem, (attempt.id, no))
            answer = db.session.get(Question, item.question_id).answer
            keys = sorted(chr(65 + item.option_order.index(key)) for key in answer)
            if no not in right:
                wrong = [k for k in "ABCD"[: len(item.option_order)] if k not in keys]
                keys = wrong[:1]
            if no in right or finish:
                play.save_answer(attempt.id, user, no, keys, utcnow())
        if finish:
            play.finish_attempt(attempt, utcnow())
            db.session.commit()  # the edge commits (services flush)
        db.session.refresh(attempt)
        return attempt.points


def _wait_for_row(page, name: str, points: int) -> None:
    """Wait until the table has ``name``'s row with ``points``."""
    page.wait_for_function(
        """([name, points]) => [...document.querySelectorAll('table.leaderboard tbody tr')]
             .some(tr => tr.querySelector('.col-name')?.textContent.includes(name)
               && tr.querySelector('.col-score')?.textContent.trim() === String(points))""",
        arg=[name, points],
        timeout=int(LIVE_WITHIN_S * 1000) + 2000,
    )


def test_board_and_projector_update_without_reload(site, new_context, shot):
    contest_id, round_id = site.round(live_scores=True)
    viewer = site.user(contest_id, display_name="观众")
    for name, right in (("乌日娜", (1, 2)), ("ᠰᠠᠷᠠᠨᠭᠤᠸᠠ", (2,)), ("张伟", ())):
        _answer(site, site.user(contest_id, display_name=name), round_id, right, finish=True)
    _answer(site, viewer, round_id, (1,), finish=True)
    rival_name = f"对手{site.name('')[:4]}"
    rival = site.user(contest_id, display_name=rival_name)

    context = new_context("desktop", "zh")
    board = context.new_page()
    log_in(board, viewer)
    board.goto(f"/rounds/{round_id}/leaderboard")
    projector = context.new_page()
    projector.goto(f"/rounds/{round_id}/leaderboard?view=projector")
    assert projector.locator("body.projector table.leaderboard").count() == 1
    polls: list[int] = []
    board.on("response", lambda r: polls.append(r.status) if "/api/v1/" in r.url else None)
    for page in (board, projector):
        assert rival_name not in page.locator("table.leaderboard").inner_text()
        page.evaluate("() => { window.sameDocument = true; }")

    for no in (1, 2):  # the rival answers one question, then another
        points = _answer(site, rival, round_id, (no,))
        answered = time.monotonic()
        for page in (board, projector):
            _wait_for_row(page, rival_name, points)
            waited = time.monotonic() - answered
            assert waited <= LIVE_WITHIN_S, f"{page.url} took {waited:.1f} s"

    # The viewer's own rank follows the table.
    mine = board.locator("table.leaderboard tbody tr.me .col-rank").inner_text().strip()
    assert board.locator("[data-me-rank]").first.inner_text().strip() == mine
    # Nothing changed since: the next poll is a 304 (ETag), and no page was reloaded.
    board.wait_for_event(
        "response", lambda r: "/api/v1/" in r.url and r.status == 304, timeout=5000
    )
    assert 200 in polls, polls
    for page in (board, projector):
        assert page.evaluate("() => window.sameDocument") is True
    shot(board)
    shot(projector)
