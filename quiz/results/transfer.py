"""Export one contest's results to a JSON file and import them into another instance.

Format ``quiz-contest-export``, version 1: the contest, its leagues and rounds, the
banks and questions the attempts used (with their texts), the users who took part
(only the contest-relevant fields: no password hash, tokens or two-factor secrets),
their enrollments, attempts, drawn items and answers. Rows are written column by column
from the tables, so a column added by a migration travels without code here; ids are
the source instance's and are remapped on import (every row gets a new id, every
reference follows). Imported users get no usable password (they reset it, or keep
using their accounts on the source instance); a user whose username already exists in
the target is matched to that account. The boards are rebuilt from SQL after import.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select

from question_bank import DrawRule
from quiz.accounts.models import User
from quiz.banks.models import Question, QuestionBank, QuestionText
from quiz.contests.models import Contest, Enrollment, League, Round
from quiz.extensions import db
from quiz.play.models import Answer, Attempt, AttemptItem

FORMAT = "quiz-contest-export"
VERSION = 1
USER_FIELDS = ("id", "username", "username_key", "display_name", "region_code", "language")


class TransferError(ValueError):
    """The file is not an export this version can read."""


def _table(model: Any) -> Table:
    return model.__table__


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    return value


def _rows(model: Any, *where: Any, columns: tuple[str, ...] | None = None) -> list[dict]:
    table = _table(model)
    chosen = [table.c[name] for name in columns] if columns else list(table.c)
    result = db.session.execute(select(*chosen).where(*where))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def export_contest(contest_id: int, now: datetime) -> dict[str, Any]:
    """Everything needed to reproduce the contest's results elsewhere, as JSON data."""
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise TransferError(f"no contest {contest_id}")
    attempt_ids = select(Attempt.id).where(Attempt.contest_id == contest_id)
    question_ids = select(AttemptItem.question_id).where(AttemptItem.attempt_id.in_(attempt_ids))
    bank_ids = select(Round.bank_id).where(Round.contest_id == contest_id)
    user_ids = (
        select(Enrollment.user_id)
        .where(Enrollment.contest_id == contest_id)
        .union(select(Attempt.user_id).where(Attempt.contest_id == contest_id))
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "contest": _rows(Contest, Contest.id == contest_id)[0],
        "leagues": _rows(League, League.contest_id == contest_id),
        "rounds": _rows(Round, Round.contest_id == contest_id),
        "banks": _rows(QuestionBank, QuestionBank.id.in_(bank_ids)),
        "questions": _rows(Question, Question.id.in_(question_ids)),
        "question_texts": _rows(QuestionText, QuestionText.question_id.in_(question_ids)),
        "users": _rows(User, User.id.in_(user_ids), columns=USER_FIELDS),
        "enrollments": _rows(Enrollment, Enrollment.contest_id == contest_id),
        "attempts": _rows(Attempt, Attempt.contest_id == contest_id),
        "attempt_items": _rows(AttemptItem, AttemptItem.attempt_id.in_(attempt_ids)),
        "answers": _rows(Answer, Answer.attempt_id.in_(attempt_ids)),
    }


def write_export(contest_id: int, path: str, now: datetime) -> dict[str, int]:
    data = export_contest(contest_id, now)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}


def _insert(model: Any, row: dict[str, Any], **changes: Any) -> int | None:
    """Insert one row (id left to the database unless the table's key is composite)."""
    table = _table(model)
    values = {k: _unplain(v) for k, v in row.items() if k in table.c}
    values.update(changes)
    if "id" in table.c and table.c.id.primary_key and "id" not in changes:
        values.pop("id", None)
        return db.session.execute(insert(table).values(**values).returning(table.c.id)).scalar()
    db.session.execute(insert(table).values(**values))
    return None


def _check_one_maximum(row: dict[str, Any]) -> None:
    """Refuse a round whose participants could face different maxima (issue 14): the
    same rule as the console (``contests.services.unequal_maximum_errors``)."""
    points = row.get("points_by_difficulty") or {}
    try:
        varying = DrawRule.from_json(row.get("draw_rule")).varying_points(points)
    except (ValueError, KeyError) as exc:
        raise TransferError(f"round {row.get('id')}: bad draw rule or points: {exc}") from exc
    if varying:
        parts = ", ".join(str(n) for n in varying)
        values = "/".join(str(points[d]) for d in ("1", "2", "3"))
        raise TransferError(
            f"round {row.get('id')} ({row.get('title_zh')}): draw rule part {parts} takes"
            f" questions of any difficulty worth {values} points by difficulty, so"
            " participants could face different maximum scores; give each such part"
            ' "points" of its own, or every difficulty the same points'
        )


def import_contest(data: dict[str, Any], now: datetime) -> int:
    """Load an export into this instance (one transaction); returns the new contest id."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise TransferError(f"not a {FORMAT} version {VERSION} file")
    for row in data["rounds"]:  # before anything is written
        _check_one_maximum(row)
    users: dict[int, int] = {}
    for row in data["users"]:
        existing = db.session.scalar(
            select(User.id).where(User.username_key == row["username_key"])
        )
        if existing is None:
            existing = _insert(
                User,
                row,
                # No usable password: "!" never matches a Werkzeug hash.
                password_hash="!" + secrets.token_hex(8),
                is_active_account=True,
                session_version=1,
                created_at=now,
            )
        users[row["id"]] = existing
    banks = {}
    for row in data["banks"]:
        slug = f"{str(row.get('slug', 'bank'))[:48]}-import-{secrets.token_hex(3)}"
        changes = {"slug": slug} if "slug" in _table(QuestionBank).c else {}
        banks[row["id"]] = _insert(QuestionBank, row, **changes)
    questions = {}
    for row in data["questions"]:
        questions[row["id"]] = _insert(Question, row, bank_id=banks[row["bank_id"]])
    for row in data["question_texts"]:
        _insert(QuestionText, row, question_id=questions[row["question_id"]])
    source = data["contest"]
    slug = source["slug"]
    if db.session.scalar(select(func.count()).where(Contest.slug == slug)):
        slug = f"{slug[:56]}-{secrets.token_hex(3)}"
    contest_id = _insert(
        Contest, source, slug=slug, created_by_id=users.get(source.get("created_by_id"))
    )
    leagues = {}
    for row in data["leagues"]:
        leagues[row["id"]] = _insert(League, row, contest_id=contest_id, school_id=None)
    rounds = {}
    for row in data["rounds"]:
        rounds[row["id"]] = _insert(
            Round, row, contest_id=contest_id, bank_id=banks[row["bank_id"]]
        )
    for row in data["enrollments"]:
        _insert(
            Enrollment,
            row,
            contest_id=contest_id,
            user_id=users[row["user_id"]],
            league_id=leagues[row["league_id"]],
        )
    attempts = {}
    for row in data["attempts"]:
        attempts[row["id"]] = _insert(
            Attempt,
            row,
            contest_id=contest_id,
            round_id=rounds[row["round_id"]],
            user_id=users[row["user_id"]],
            league_id=leagues[row["league_id"]],
        )
    for row in data["attempt_items"]:
        _insert(
            AttemptItem,
            row,
            attempt_id=attempts[row["attempt_id"]],
            question_id=questions[row["question_id"]],
        )
    for row in data["answers"]:
        _insert(Answer, row, attempt_id=attempts[row["attempt_id"]])
    db.session.commit()
    return int(contest_id)
