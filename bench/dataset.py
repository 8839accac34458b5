"""Bulk test data: banks of any size, participants with API tokens, and finished results.

Why not the services: registering 600,000 people through ``register_user`` would spend
hours in scrypt, and the benchmark measures the hot path, not data loading. Contests,
leagues and rounds (a handful of rows) still go through the services so they are valid;
the bulk rows (questions, users, tokens, enrollments, attempts) are written with
PostgreSQL ``COPY`` (or ``executemany`` on SQLite) in the shape the services write them.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from quiz.accounts.models import ApiToken, User, UserRole
from quiz.banks.models import Question, QuestionBank, QuestionText
from quiz.contests.models import Contest, Enrollment, League, Round
from quiz.contests.services import add_round, create_contest
from quiz.extensions import db
from quiz.play.models import Attempt
from quiz.regions.models import COUNTY_LEVEL, Region

CATEGORIES = ("life-health", "safety-emergency")
PASSWORD_HASH = "bench:not-a-usable-password"


def _bulk(table: Any, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite. Returns the count."""
    conn = db.session.connection()
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    chunk: list[dict] = []
    statement = table.insert()
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) == 5000:
            conn.execute(statement, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(statement, chunk)
        count += len(chunk)
    return count


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _sync_sequence(model: Any) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        name = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )


def _json(value: Any) -> Any:
    """JSON columns: COPY takes the JSON text; SQLAlchemy's executemany serializes itself."""
    return json.dumps(value) if db.session.get_bind().dialect.name == "postgresql" else value


def make_bank(slug: str, size: int, now: datetime) -> int:
    """A bank of ``size`` single-choice questions in Chinese, over 2 categories x 3 levels."""
    bank = QuestionBank(slug=slug, title_zh=slug, title_mn="", created_at=now, revision=1)
    db.session.add(bank)
    db.session.flush()
    first = _next_id(Question)
    keys = ["A", "B", "C", "D"]

    def questions() -> Iterator[tuple]:
        for i in range(size):
            yield (
                first + i,
                bank.id,
                f"{slug}-{i:06d}",
                "single",
                CATEGORIES[i % 2],
                1 + (i // 2) % 3,
                _json([keys[i % 4]]),
                _json(keys),
                "bench",
                _json([]),
                False,
                now,
                now,
            )

    def texts() -> Iterator[tuple]:
        for i in range(size):
            options = {k: f"选项{k}{i}" for k in keys}
            yield (first + i, "zh", f"第{i}题：哪一个是正确的？", _json(options), "解释", True)

    _bulk(
        Question.__table__,
        [
            "id",
            "bank_id",
            "external_id",
            "kind",
            "category",
            "difficulty",
            "answer",
            "option_keys",
            "source",
            "tags",
            "retired",
            "created_at",
            "updated_at",
        ],
        questions(),
    )
    _bulk(
        QuestionText.__table__,
        ["question_id", "language", "text", "options", "explanation", "reviewed"],
        texts(),
    )
    _sync_sequence(Question)
    db.session.commit()
    return bank.id


def draw_rule(count: int) -> list[dict]:
    """``count`` questions, half from each category, 10 points each (one maximum per
    round: every attempt can score the same)."""
    half = count // 2
    return [
        {"count": half, "category": CATEGORIES[0], "points": 10},
        {"count": count - half, "category": CATEGORIES[1], "points": 10},
    ]


def make_contest(slug: str, now: datetime) -> int:
    """A published regional contest (one league per 盟市) that started yesterday."""
    contest = create_contest(
        slug=slug,
        title_zh=slug,
        title_mn="",
        starts_at=now - timedelta(days=1),
        now=now,
    )
    db.session.commit()  # the bench is the edge here: services only flush
    return contest.id


def make_round(
    contest_id: int, bank_id: int, questions: int, now: datetime, *, live_scores: bool = False
) -> int:
    """An open round of ``questions`` drawn questions with a 4-hour limit, open for a week.

    ``live_scores``: every saved answer moves the boards (the heavier hot path).
    """
    contest = db.session.get(Contest, contest_id)
    assert contest is not None
    round_ = add_round(
        contest,
        title_zh=f"bench {bank_id}",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        time_limit_seconds=4 * 3600,
        bank_id=bank_id,
        draw_rule=draw_rule(questions),
        languages=["zh"],
        live_scores=live_scores,
    )
    db.session.commit()
    return round_.id


@dataclass(frozen=True)
class People:
    """Participants made in bulk: ids in order and the bearer token of each."""

    user_ids: list[int]
    tokens: list[str]


def token_for(tag: str, user_id: int) -> str:
    return f"bench-{tag}-{user_id}"


def _leagues(contest_id: int) -> list[tuple[int, str]]:
    """(league id, a county code inside it) for every league of a regional contest."""
    counties: dict[str, str] = {}
    for code, parent in db.session.execute(
        select(Region.code, Region.parent_code)
        .where(Region.level == COUNTY_LEVEL)
        .order_by(Region.code)
    ):
        counties.setdefault(parent, code)
    return [
        (league_id, counties[region])
        for league_id, region in db.session.execute(
            select(League.id, League.region_code)
            .where(League.contest_id == contest_id)
            .order_by(League.position)
        )
    ]


def make_people(
    tag: str,
    count: int,
    now: datetime,
    *,
    contest_id: int,
    tokens: int | None = None,
    enroll: int | None = None,
) -> People:
    """``count`` participants spread over the contest's leagues.

    The first ``tokens`` (default all) get an API token ``token_for(tag, id)``; the first
    ``enroll`` (default all) are enrolled in the contest in their region's league.
    """
    tokens = count if tokens is None else tokens
    enroll = count if enroll is None else enroll
    leagues = _leagues(contest_id)
    first = _next_id(User)
    ids = list(range(first, first + count))

    def users() -> Iterator[tuple]:
        for n, uid in enumerate(ids):
            name = f"{tag}-{uid}"
            county = leagues[n % len(leagues)][1]
            yield (uid, name, name, PASSWORD_HASH, f"选手{uid}", county, "zh", True, 1, now)

    _bulk(
        User.__table__,
        [
            "id",
            "username",
            "username_key",
            "password_hash",
            "display_name",
            "region_code",
            "language",
            "is_active_account",
            "session_version",
            "created_at",
        ],
        users(),
    )
    _sync_sequence(User)
    _bulk(UserRole.__table__, ["user_id", "role"], ((uid, "participant") for uid in ids))
    _bulk(
        ApiToken.__table__,
        ["user_id", "token_hash", "created_at", "expires_at", "revoked"],
        (
            (
                uid,
                hashlib.sha256(token_for(tag, uid).encode()).hexdigest(),
                now,
                now + timedelta(days=30),
                False,
            )
            for uid in ids[:tokens]
        ),
    )
    _sync_sequence(ApiToken)
    _bulk(
        Enrollment.__table__,
        ["contest_id", "user_id", "league_id", "enrolled_at"],
        (
            (contest_id, uid, leagues[n % len(leagues)][0], now)
            for n, uid in enumerate(ids[:enroll])
        ),
    )
    _sync_sequence(Enrollment)
    db.session.commit()
    return People(ids, [token_for(tag, uid) for uid in ids[:tokens]])


def make_results(contest_id: int, round_id: int, people: People, now: datetime) -> int:
    """One finished attempt of 20 questions per person, with random scores and times."""
    round_ = db.session.get(Round, round_id)
    assert round_ is not None
    leagues = _leagues(contest_id)
    rng = random.Random(7)
    first = _next_id(Attempt)
    started = now - timedelta(minutes=50)

    def attempts() -> Iterator[tuple]:
        for n, uid in enumerate(people.user_ids):
            correct = rng.randrange(21)
            used = rng.randrange(60_000, 1_800_000)
            finished = started + timedelta(milliseconds=used)
            yield (
                first + n,
                round_id,
                contest_id,
                uid,
                leagues[n % len(leagues)][0],
                1,
                "zh",
                rng.getrandbits(52),
                started,
                started + timedelta(hours=4),
                finished,
                "submitted",
                correct * 10,
                200,
                correct,
                20,
                20,
                finished,
                used,
            )

    count = _bulk(
        Attempt.__table__,
        [
            "id",
            "round_id",
            "contest_id",
            "user_id",
            "league_id",
            "attempt_no",
            "language",
            "seed",
            "started_at",
            "deadline",
            "finished_at",
            "finish_reason",
            "points",
            "max_points",
            "correct_count",
            "answered_count",
            "question_count",
            "last_answer_at",
            "time_used_ms",
        ],
        attempts(),
    )
    _sync_sequence(Attempt)
    db.session.commit()
    return count
