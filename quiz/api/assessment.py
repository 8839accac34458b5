"""API v1 for the science-literacy self-test: thin wrappers over
``quiz.practice.assessment``, on the API blueprint (same CSRF rule, same errors)."""

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
from quiz.practice import assessment as tests


def assessment_json(found: Any) -> dict[str, Any]:
    finished = found.finished_at is not None
    body: dict[str, Any] = {
        "id": found.id,
        "language": found.language,
        "started_at": iso(found.started_at),
        "deadline": iso(found.deadline),
        "finished": finished,
        "age_group": found.age_group,
        "questions": [item.to_json(finished) for item in tests.items(found)],
    }
    if finished:
        body.update(result_json(found))
    return body


def result_json(found: Any) -> dict[str, Any]:
    return {
        "score": found.score,
        "parts": tests.part_scores(found),
        "band": found.band,
        "weakest": tests.weakest_of(found),
        "finished_at": iso(found.finished_at),
    }


@bp.post("/assessments")
@login_required
def start_assessment() -> Any:
    data = body()
    found = tests.start(current_user, _str(data, "language"), now(), data.get("age_group"))
    return jsonify(assessment_json(found)), 201


@bp.get("/assessments/<int:assessment_id>")
@login_required
def get_assessment(assessment_id: int) -> Any:
    return jsonify(assessment_json(tests.get_own(assessment_id, current_user)))


@bp.put("/assessments/<int:assessment_id>/answers/<int:no>")
@login_required
def assessment_answer(assessment_id: int, no: int) -> Any:
    data = body()
    found = tests.get_own(assessment_id, current_user)
    if "choice" not in data:
        raise ValidationFailed({"choice": [_l("This field is required.")]})
    choice = tests.answer(found, no, data["choice"], now())
    return jsonify({"no": no, "choice": choice})


@bp.post("/assessments/<int:assessment_id>/finish")
@login_required
def finish_assessment(assessment_id: int) -> Any:
    found = tests.finish(tests.get_own(assessment_id, current_user), now())
    return jsonify(result_json(found))
