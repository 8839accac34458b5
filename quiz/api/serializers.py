"""JSON shapes of the API: one function per resource, shared by every endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from quiz.accounts.models import User
from quiz.contests.models import Contest, Enrollment, League, Round
from quiz.leaderboards.live import ViewerBoard
from quiz.leaderboards.services import BoardView
from quiz.regions.models import Region


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") + "Z" if moment else None


def names(zh: str, mn: str) -> dict[str, str]:
    return {"zh": zh, "mn": mn}


def region_json(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": names(region.name_zh, region.name_mn),
        "level": region.level,
        "parent": region.parent_code,
        "mn_reviewed": region.mn_reviewed,
    }


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "language": user.language,
        "region": region_json(user.region) if user.region else None,
        "school": (
            {"id": user.school.id, "name": names(user.school.name_zh, user.school.name_mn)}
            if user.school
            else None
        ),
        "roles": sorted(user.roles),
    }


def league_json(league: League) -> dict[str, Any]:
    return {
        "id": league.id,
        "code": league.code,
        "kind": league.kind,
        "name": names(league.name_zh, league.name_mn),
    }


def round_json(round_: Round, now: datetime) -> dict[str, Any]:
    return {
        "id": round_.id,
        "stage": round_.stage,
        "title": names(round_.title_zh, round_.title_mn),
        "opens_at": iso(round_.opens_at),
        "closes_at": iso(round_.effective_close()),
        "state": str(round_.state(now)),
        "time_limit_seconds": round_.time_limit_seconds,
        "question_count": sum(int(part["count"]) for part in round_.draw_rule),
        "languages": list(round_.languages),
        "max_attempts": round_.max_attempts,
        "review_policy": round_.review_policy,
        "live_scores": round_.live_scores,
        # "self_paced" or "live" (a host paces a game in a hall: join it with its PIN).
        "mode": round_.mode or "self_paced",
    }


def contest_json(contest: Contest, enrollment: Enrollment | None, now: datetime) -> dict[str, Any]:
    return {
        "id": contest.id,
        "slug": contest.slug,
        "title": names(contest.title_zh, contest.title_mn),
        "description": names(contest.description_zh, contest.description_mn),
        "league_scheme": contest.league_scheme,
        "registration": contest.registration,
        "enrolled": enrollment is not None,
        "league": league_json(enrollment.league) if enrollment else None,
        "leagues": [league_json(league) for league in contest.leagues],
        "rounds": [round_json(r, now) for r in contest.rounds],
    }


def board_json(board: BoardView, league_names: dict[int, str]) -> dict[str, Any]:
    return {
        "entries": _entries_json(board, league_names),
        "me": board.me,
        "total": board.total,
        "stale": board.stale,
        "frozen": board.frozen,
    }


def _entries_json(board: BoardView, league_names: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "rank": e.rank,
            "display_name": e.display_name,
            "league": league_names.get(e.league_id or 0, ""),
            "league_id": e.league_id,
            "score": e.score,
            "time_used_ms": e.time_used_ms,
        }
        for e in board.entries
    ]


def _compact(value: Any) -> bytes:
    """The app's JSON (sorted keys, ASCII), compact as its responses are."""
    return current_app.json.dumps(value, separators=(",", ":")).encode()


def board_body(board: ViewerBoard, league_names: dict[int, str], language: str) -> bytes:
    """``board_json(board.view, league_names)`` as the response body, byte for byte, with
    the shared part (the entries: most of the bytes) serialized once per board version
    and language and only the viewer's own part per request."""
    view = board.top.view
    entries = board.top.prepared(
        ("api", language),
        league_names,
        lambda shared: _compact(_entries_json(shared, league_names)),
    )
    return b'{"entries":%s,"frozen":%s,"me":%s,"stale":%s,"total":%d}\n' % (
        entries,
        b"true" if view.frozen else b"false",
        _compact(board.me),
        b"true" if board.stale else b"false",
        view.total,
    )


def token_json(token: Any, *, current: bool) -> dict[str, Any]:
    """One of the caller's bearer tokens (never its value: only its hash is stored)."""
    return {
        "id": token.id,
        "client": token.client,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "current": current,
    }
