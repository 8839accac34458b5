"""Access rows of practice, the wrong-answer book and the daily set (quiz/practice,
quiz/api/practice.py), and of reserving a question for contests in the bank console.

Every signed-in person may practise; a practice session (PS, the participant's) is
nobody else's business, admins included (404). The daily results are for organizers.
"""

from __future__ import annotations

from typing import Any

from quiz.extensions import db
from quiz.practice import services
from tests.security.matrix import (
    API_MEMBERS_200,
    API_OWNER_ONLY_200,
    LOGIN,
    MEMBERS_200,
    ORGANIZERS,
    OWNER_ONLY_200,
    Case,
)
from tests.security.matrix_banks import OWNER_302

MEMBERS_302 = (LOGIN, 302, 302, 302, 302, 302)
OWNER_ONLY_302 = (LOGIN, 302, 404, 404, 404, 404)


def extend(scenario: Any, make: Any, clock: Any) -> None:
    session, _ = services.start_session(scenario.users["participant"], "zh", clock(), count=3)
    db.session.commit()
    scenario.ids["PS"] = session.id


ROWS: dict[str, list[Case]] = {
    "practice.home": [Case("GET", "/practice", MEMBERS_200)],
    "practice.book": [Case("GET", "/practice/book", MEMBERS_200)],
    "practice.daily": [Case("GET", "/practice/daily", MEMBERS_200)],
    "practice.start": [Case("POST", "/practice/start", MEMBERS_302, form={"language": "zh"})],
    "practice.resume": [Case("GET", "/practice/{PS}", OWNER_ONLY_302)],
    "practice.question": [
        Case("GET", "/practice/{PS}/q/1", OWNER_ONLY_200),
        Case("POST", "/practice/{PS}/q/1", OWNER_ONLY_302, form={"choice": "A"}),
    ],
    "practice.summary": [Case("GET", "/practice/{PS}/summary", OWNER_ONLY_200)],
    "practice.daily_results": [Case("GET", "/console/practice/daily", ORGANIZERS)],
    "api.practice_categories": [Case("GET", "/api/v1/practice/categories", API_MEMBERS_200)],
    "api.start_practice": [
        Case("POST", "/api/v1/practice", (401, 201, 201, 201, 201, 201), json={"language": "zh"})
    ],
    "api.get_practice": [Case("GET", "/api/v1/practice/{PS}", API_OWNER_ONLY_200)],
    "api.practice_answer": [
        Case(
            "PUT",
            "/api/v1/practice/{PS}/answers/2",
            API_OWNER_ONLY_200,
            json={"choice": ["A"]},
        )
    ],
    "api.my_mistakes": [Case("GET", "/api/v1/me/mistakes", API_MEMBERS_200)],
    "practice.history": [Case("GET", "/me/history", MEMBERS_200)],
    "api.my_history": [Case("GET", "/api/v1/me/history", API_MEMBERS_200)],
    "api.my_daily": [Case("GET", "/api/v1/me/daily", API_MEMBERS_200)],
    "banks.reserve": [
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}/reserve", OWNER_302)
    ],
    "banks.unreserve": [
        Case("POST", "/console/banks/{BANK}/questions/{BANK_QUESTION}/unreserve", OWNER_302)
    ],
}
