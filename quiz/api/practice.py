"""API v1 for practice, the wrong-answer book and the daily set: thin wrappers over
``quiz.practice.services``, on the API blueprint (same CSRF rule, same errors)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from quiz.accounts.access import login_required
from quiz.api.routes import _str, body, bp
from quiz.api.serializers import iso
from quiz.clock import now
from quiz.errors import ValidationFailed
from quiz.i18n import current_language
from quiz.practice import history as histories
from quiz.practice import services


def _session_json(session: Any) -> dict[str, Any]:
    return {
        "id": session.id,
        "source": session.source,
        "category": session.category,
        "language": session.language,
        "daily_day": session.daily_day.isoformat() if session.daily_day else None,
        "question_count": session.question_count,
        "answered_count": session.answered_count,
        "correct_count": session.correct_count,
        "finished": session.finished_at is not None,
        "questions": [item.to_json() for item in services.session_items(session)],
    }


@bp.get("/practice/categories")
@login_required
def practice_categories() -> Any:
    return jsonify(
        {
            "categories": [
                {"id": c.id, "name": c.name, "questions": c.questions}
                for c in services.categories(current_language())
            ]
        }
    )


@bp.post("/practice")
@login_required
def start_practice() -> Any:
    data = body()
    session, created = services.start_session(
        current_user,
        _str(data, "language"),
        now(),
        source=data.get("source"),
        category=data.get("category"),
        count=data.get("count"),
        benchmark=data.get("benchmark"),
    )
    return jsonify(_session_json(session)), 201 if created else 200


@bp.get("/practice/<int:session_id>")
@login_required
def get_practice(session_id: int) -> Any:
    return jsonify(_session_json(services.get_own_session(session_id, current_user)))


@bp.put("/practice/<int:session_id>/answers/<int:no>")
@login_required
def practice_answer(session_id: int, no: int) -> Any:
    return jsonify(practice_answered(session_id, current_user.id, no, body()))


def practice_answered(session_id: int, user_id: int, no: int, data: dict[str, Any]) -> Any:
    """The view's work (its lane's too, ``quiz/api/practice_lane.py``): the body's
    choice marked, as the response's JSON."""
    if "choice" not in data:
        if "text" in data:
            raise ValidationFailed({"text": [_l("This question is answered with options.")]})
        raise ValidationFailed({"choice": [_l("This field is required.")]})
    return services.answer(session_id, user_id, no, data["choice"], now()).to_json()


@bp.get("/me/mistakes")
@login_required
def my_mistakes() -> Any:
    entries = services.book(current_user.id, current_language(), now())
    # Collecting contest mistakes may have written: the request commits them (a GET too).
    return jsonify({"entries": [entry.to_json(iso) for entry in entries]})


@bp.get("/me/daily")
@login_required
def my_daily() -> Any:
    status = services.daily_status(current_user.id, now())
    return jsonify(
        {
            "today": status.today.isoformat(),
            "done_today": status.done_today,
            "streak": status.streak,
            "days_done": sorted(day.isoformat() for day in status.days_done),
            "session_id": status.session.id if status.session else None,
        }
    )


@bp.get("/me/history")
@login_required
def my_history() -> Any:
    found = histories.history(current_user, current_language(), now())
    return jsonify(
        {
            "rounds": [
                {
                    "contest_id": line.contest_id,
                    "contest": line.contest_title,
                    "round_id": line.round_id,
                    "round": line.round_title,
                    "attempt_id": line.attempt_id,
                    "score": line.score,
                    "max_score": line.max_score,
                    "finished_at": iso(line.finished_at),
                    "rank": line.rank,
                    "league_rank": line.league_rank,
                }
                for line in found.rounds
            ],
            "practice": {
                "sessions": found.sessions,
                "answered": found.answered,
                "correct": found.correct,
            },
            "daily": {"streak": found.streak, "days_done": found.days_done},
            "self_tests": [
                {
                    "id": test.id,
                    "score": test.score,
                    "band": test.band,
                    "language": test.language,
                    "finished_at": iso(test.finished_at),
                }
                for test in found.self_tests
            ],
        }
    )
