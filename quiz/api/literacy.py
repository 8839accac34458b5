"""API v1 for the organizers' literacy dashboard (``quiz.practice.literacy_dashboard``):
the page's tables as JSON for mini-program clients, organizer and admin tokens only."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from quiz.accounts.access import roles_required
from quiz.accounts.models import Role
from quiz.api.routes import bp
from quiz.practice import literacy_dashboard as figures


@bp.get("/literacy/dashboard")
@roles_required(Role.ORGANIZER)
def literacy_dashboard() -> Any:
    """``?from=YYYY-MM&to=YYYY-MM&league=<code>&language=zh|mn``; a malformed or unknown
    value is ignored (``filters`` in the answer says what applied); a NUL character is
    refused (422) before the view, as on every route with a query string."""
    return jsonify(figures.to_json(figures.dashboard(figures.parse_filters(request.args))))
