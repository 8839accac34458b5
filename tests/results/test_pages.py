"""Every console page renders in both languages, without inline code (CSP)."""

from __future__ import annotations

import pytest

from quiz.accounts.models import Role
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.play import services as play
from quiz.results import services
from tests.factories import log_in
from tests.results.helpers import play_correct
from tests.security.scenario import inline_code


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_console_pages_in_both_languages(make, clock, client, language):
    organizer = make.user("org", roles=(Role.ORGANIZER,), language=language)
    contest = make.contest(organizer=organizer)
    round_ = make.round(contest, make.bank())
    player = make.enrolled(contest, display_name="ᠪᠠᠲᠤ")
    attempt, _ = play.start_attempt(player, round_, language, clock())
    play_correct(attempt, player, 2, clock.advance(seconds=20))
    play.finish_attempt(attempt, clock.advance(seconds=5))
    db.session.commit()  # the edge commits (services flush)
    services.freeze(round_, Actor.of(organizer), clock())
    db.session.commit()  # the edge commits (services flush)
    services.close_round(round_, Actor.of(organizer), clock.advance(minutes=1))
    db.session.commit()  # the edge commits (services flush)
    log_in(client, organizer)
    lang = "mn-Mong-CN" if language == "mn" else "zh-Hans-CN"
    for path in (
        f"/console/rounds/{round_.id}/monitor",
        f"/console/rounds/{round_.id}/results",
        f"/console/rounds/{round_.id}/items",
        f"/console/contests/{contest.id}/participation",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert inline_code(html) == [], path
        if path.endswith("/results"):
            assert "ᠪᠠᠲᠤ" in html
