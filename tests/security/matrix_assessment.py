"""Access rows of the science-literacy self-test (quiz/practice/assessment.py, its pages
in quiz/practice/routes.py and quiz/api/assessment.py).

Every signed-in person may take the self-test; a self-test (AS open, ASF finished, the
participant's) is nobody else's business, admins included (404).
"""

from __future__ import annotations

from typing import Any

from quiz.extensions import db
from quiz.practice import assessment
from tests.practice.literacy_bank import import_literacy_bank
from tests.security.matrix import (
    API_OWNER_ONLY_200,
    LOGIN,
    MEMBERS_200,
    OWNER_ONLY_200,
    Case,
)

MEMBERS_302 = (LOGIN, 302, 302, 302, 302, 302)
OWNER_ONLY_302 = (LOGIN, 302, 404, 404, 404, 404)


def extend(scenario: Any, make: Any, clock: Any) -> None:
    import_literacy_bank(clock())
    participant = scenario.users["participant"]
    open_test = assessment.start(participant, "zh", clock())
    finished = assessment.start(participant, "zh", clock())
    assessment.finish(finished, clock())
    db.session.commit()
    scenario.ids["AS"] = open_test.id
    scenario.ids["ASF"] = finished.id


ROWS: dict[str, list[Case]] = {
    "practice.selftest_home": [Case("GET", "/self-test", MEMBERS_200)],
    "practice.selftest_start": [
        Case("POST", "/self-test/start", MEMBERS_302, form={"age_group": "40-49"})
    ],
    "practice.selftest_question": [
        Case("GET", "/self-test/{AS}/q/1", OWNER_ONLY_200),
        Case("POST", "/self-test/{AS}/q/1", OWNER_ONLY_302, form={"choice": "A"}),
    ],
    "practice.selftest_finish": [Case("POST", "/self-test/{ASF}/finish", OWNER_ONLY_302)],
    "practice.selftest_result": [Case("GET", "/self-test/{ASF}", OWNER_ONLY_200)],
    "api.start_assessment": [
        Case("POST", "/api/v1/assessments", (401, 201, 201, 201, 201, 201), json={"language": "zh"})
    ],
    "api.get_assessment": [Case("GET", "/api/v1/assessments/{AS}", API_OWNER_ONLY_200)],
    "api.assessment_answer": [
        Case(
            "PUT",
            "/api/v1/assessments/{AS}/answers/2",
            API_OWNER_ONLY_200,
            json={"choice": ["A"]},
        )
    ],
    "api.finish_assessment": [Case("POST", "/api/v1/assessments/{ASF}/finish", API_OWNER_ONLY_200)],
}
