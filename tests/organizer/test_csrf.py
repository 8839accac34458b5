"""Every console form carries a CSRF token, and a post without one changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from quiz.audit.models import AuditEvent
from quiz.contests.models import Contest, League, Round
from tests.factories import PASSWORD
from tests.organizer.conftest import count


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


def _token(html: str) -> str | None:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else None


def test_console_posts_need_the_token(client, world, organizer):
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": "org", "password": PASSWORD, "csrf_token": _token(login_page)},
    )
    contest, round_ = world["contest"], world["round"]
    league = contest.leagues[0]
    pages = {
        "/console/contests/new": "/console/contests/new",
        f"/console/contests/{contest.id}/edit": f"/console/contests/{contest.id}/edit",
        f"/console/contests/{contest.id}/organizers": f"/console/contests/{contest.id}/organizers",
        f"/console/contests/{contest.id}/invites": f"/console/contests/{contest.id}/invites",
        f"/console/contests/{contest.id}/leagues": f"/console/contests/{contest.id}/leagues",
        f"/console/leagues/{league.id}/edit": f"/console/leagues/{league.id}/edit",
        f"/console/contests/{contest.id}/rounds/new": f"/console/contests/{contest.id}/rounds/new",
        f"/console/rounds/{round_.id}/edit": f"/console/rounds/{round_.id}/edit",
    }
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        forms = html.count('method="post"')
        tokens = len(re.findall(r'name="(?:[a-z]+-)?csrf_token"', html))
        assert forms and tokens >= forms, page
    before = (count(AuditEvent), count(Contest), count(League), count(Round))
    posts = [
        *pages.values(),
        f"/console/contests/{contest.id}/join-code",
        f"/console/contests/{contest.id}/organizers/{organizer.id}/remove",
        f"/console/contests/{contest.id}/invites/remove",
        f"/console/contests/{contest.id}/leagues/preset",
        f"/console/leagues/{league.id}/remove",
    ]
    for path in posts:
        response = client.post(path, data={"title_zh": "x", "code": "x", "usernames": "abc"})
        assert response.status_code == 400, path
    assert (count(AuditEvent), count(Contest), count(League), count(Round)) == before
    # With the token the same kind of post goes through.
    html = client.get(f"/console/contests/{contest.id}/leagues").get_data(as_text=True)
    response = client.post(
        f"/console/contests/{contest.id}/leagues",
        data={"code": "extra", "name_zh": "加赛组", "name_mn": "", "csrf_token": _token(html)},
    )
    assert response.status_code == 302
    assert count(League) == before[2] + 1
