"""Factories for users, banks, contests and rounds (plain functions over the services)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from question_bank import Bank, Category, Kind, Question, Version
from quiz.accounts import services as accounts
from quiz.accounts.models import Role, User
from quiz.banks.models import QuestionBank
from quiz.banks.services import import_bank
from quiz.contests.models import Contest, Round
from quiz.contests.services import add_round, create_contest, enroll
from quiz.extensions import db

PASSWORD = "correct-horse-9"
CATEGORIES = ("life-health", "safety-emergency")


def sample_bank(per_cell: int = 4, bank_id: str = "test-bank", with_mn: bool = True) -> Bank:
    """A bank with ``per_cell`` questions per category and difficulty, of every kind."""
    questions = []
    number = 0
    for category in CATEGORIES:
        for difficulty in (1, 2, 3):
            for _ in range(per_cell):
                number += 1
                kind = (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE)[number % 3]
                if kind is Kind.TRUEFALSE:
                    keys, answer = ("T", "F"), ("T",) if number % 2 else ("F",)
                    zh_opts = {"T": "正确", "F": "错误"}
                    mn_opts = {"T": "ᠵᠥᠪ", "F": "ᠪᠤᠷᠤᠭᠤ"}
                else:
                    keys = ("A", "B", "C", "D")
                    answer = ("B",) if kind is Kind.SINGLE else ("A", "C")
                    zh_opts = {k: f"选项{k}{number}" for k in keys}
                    mn_opts = {k: f"ᠰᠣᠩᠭᠣᠯᠲᠠ {k}{number}" for k in keys}
                versions = {
                    "zh": Version(
                        text=f"第{number}题", options=zh_opts, explanation=f"解释{number}"
                    )
                }
                if with_mn:
                    versions["mn"] = Version(
                        text=f"ᠠᠰᠠᠭᠤᠯᠲᠠ {number}",
                        options=mn_opts,
                        explanation=f"ᠲᠠᠶᠢᠯᠪᠤᠷᠢ {number}",
                        reviewed=False,
                    )
                questions.append(
                    Question(
                        id=f"q-{number:03d}",
                        kind=kind,
                        category=category,
                        difficulty=difficulty,
                        answer=answer,
                        option_keys=keys,
                        source="test",
                        versions=versions,
                    )
                )
    return Bank(
        id=bank_id,
        title={"zh": "测试题库"},
        categories=tuple(Category(id=c, name={"zh": c}) for c in CATEGORIES),
        questions=tuple(questions),
    )


def issue_token(
    user: User, now: datetime, days: int, client: str | None = None
) -> tuple[str, datetime]:
    """``accounts.issue_token`` committed, as the API's token request commits it: a test
    that issues a token and then sends it is its own edge (the service only flushes)."""
    issued = accounts.issue_token(user, now, days, client)
    db.session.commit()
    return issued


class Factories:
    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self._users = 0

    def user(
        self,
        username: str | None = None,
        *,
        region_code: str = "150102",
        roles: tuple[Role, ...] = (Role.PARTICIPANT,),
        language: str = "zh",
        display_name: str | None = None,
    ) -> User:
        self._users += 1
        username = username or f"user{self._users}"
        user = accounts.register_user(
            username=username,
            password=PASSWORD,
            display_name=display_name or username,
            region_code=region_code,
            language=language,
            now=self.clock(),
            roles=roles,
        )
        db.session.commit()  # a factory is its own edge: services flush
        return user

    def bank(self, per_cell: int = 4, **kwargs: Any) -> QuestionBank:
        row, _, _ = import_bank(sample_bank(per_cell, **kwargs), self.clock())
        return row

    def contest(self, *, organizer: User | None = None, **kwargs: Any) -> Contest:
        defaults: dict[str, Any] = {
            "slug": f"contest-{self._users}-{id(kwargs)}",
            "title_zh": "测试赛",
            "title_mn": "ᠲᠡᠮᠴᠡᠭᠡᠨ",
            "starts_at": self.clock() - timedelta(days=1),
            "now": self.clock(),
            "created_by": organizer,
        }
        defaults.update(kwargs)
        contest = create_contest(**defaults)
        db.session.commit()  # a factory is its own edge: services flush
        return contest

    def round(self, contest: Contest, bank: QuestionBank, **kwargs: Any) -> Round:
        now: datetime = self.clock()
        defaults: dict[str, Any] = {
            "title_zh": "初赛",
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=1),
            "time_limit_seconds": 600,
            "bank_id": bank.id,
            "languages": ["zh", "mn"],
            "draw_rule": [{"count": 3, "category": c, "points": 10} for c in CATEGORIES],
        }
        defaults.update(kwargs)
        round_ = add_round(contest, **defaults)
        db.session.commit()
        return round_

    def setup(self, **round_kwargs: Any) -> tuple[Contest, Round]:
        """A published regional contest with one open round over a fresh bank."""
        bank = self.bank()
        contest = self.contest()
        return contest, self.round(contest, bank, **round_kwargs)

    def enrolled(self, contest: Contest, **user_kwargs: Any) -> User:
        user = self.user(**user_kwargs)
        enroll(user, contest, self.clock())
        db.session.commit()
        return user


# Logging in: the one way every test that needs a logged-in test client gets one (the
# browser tests have ``tests/browser/conftest.py:log_in`` for a page). Through the login
# form, as a person does, so the session, its login record and the rate limits are real.


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token of the form on ``path`` (for apps with CSRF checks on)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def bearer(client: Any, username: str) -> dict[str, str]:
    """The ``Authorization`` header of a new API token of ``username`` (its password is
    ``PASSWORD``), from ``POST /api/v1/auth/token`` as an app gets it."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def post_login(
    client: Any,
    who: str | User,
    password: str = PASSWORD,
    *,
    next_: str | None = None,
    agent: str | None = None,
    with_csrf: bool = False,
) -> Any:
    """Send the login form for ``who`` (a username or a user) and return the response,
    whatever it is: for tests of refused logins, two-factor steps and redirects."""
    username = who if isinstance(who, str) else who.username
    path = "/login" if next_ is None else f"/login?next={next_}"
    data = {"username": username, "password": password}
    if with_csrf:
        data["csrf_token"] = csrf_token(client)
    headers = {"User-Agent": agent} if agent else {}
    return client.post(path, data=data, headers=headers)


def log_in(
    client: Any,
    who: str | User,
    password: str = PASSWORD,
    *,
    agent: str | None = None,
    with_csrf: bool = False,
) -> Any:
    """Log ``who`` in and check it worked: the form redirects away from the login page."""
    response = post_login(client, who, password, agent=agent, with_csrf=with_csrf)
    assert response.status_code == 302, (who, response.get_data(as_text=True)[:500])
    assert not response.location.startswith("/login"), (who, response.location)
    return response
