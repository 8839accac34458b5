"""The test factories go through the services the app uses, so a test cannot build a
state the app would refuse: what the services reject, the factories reject too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.errors import ValidationFailed
from tests.factories import CATEGORIES


def test_a_user_with_a_taken_username_is_refused(make):
    make.user("nara")
    with pytest.raises(ValidationFailed):
        make.user("NARA")  # usernames are one account whatever their case


def test_a_round_closing_before_it_opens_is_refused(make, clock):
    bank, contest = make.bank(), make.contest()
    with pytest.raises(ValidationFailed):
        make.round(contest, bank, closes_at=clock() - timedelta(days=2))


def test_a_draw_part_without_points_is_refused(make):
    bank, contest = make.bank(), make.contest()
    with pytest.raises(ValidationFailed):
        make.round(contest, bank, draw_rule=[{"count": 3, "category": CATEGORIES[0]}])
