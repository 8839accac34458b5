"""Access rows of the organizers' literacy dashboard (quiz/practice/dashboard_routes.py,
quiz/api/literacy.py): organizers and admins, like the daily set results; participants
and teachers are refused (403)."""

from __future__ import annotations

from tests.security.matrix import ORGANIZERS, Case, Expect

API_ORGANIZERS: Expect = (401, 403, 403, 200, 200, 200)

ROWS: dict[str, list[Case]] = {
    "practice.literacy": [
        Case("GET", "/console/practice/literacy", ORGANIZERS),
        Case("GET", "/console/practice/literacy?league=150100&from=2026-01&to=2026-12", ORGANIZERS),
    ],
    "practice.literacy_export": [
        Case("GET", "/console/practice/literacy.xlsx?league=150100&language=mn", ORGANIZERS)
    ],
    "api.literacy_dashboard": [
        Case("GET", "/api/v1/literacy/dashboard?league=150100&from=2026-01", API_ORGANIZERS)
    ],
}
