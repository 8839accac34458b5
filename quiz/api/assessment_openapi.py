"""The self-test part of the OpenAPI document (merged by ``quiz.api.openapi``): the
science-literacy self-test (``quiz.practice.assessment``)."""

from __future__ import annotations

from typing import Any

from question_bank.literacy import BENCHMARKS, Part
from quiz.api.schema import (
    LANGUAGE,
    OPTION_KEY,
    absent,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    moment,
    nullable,
    obj,
    operation,
    path_id,
    ref,
    request_object,
    response,
    string,
)
from quiz.practice.assessment import AGE_GROUPS, BANDS

ASSESSMENT_ERRORS: dict[str, tuple[int, str, str]] = {
    "assessment_not_found": (
        404,
        "This self-test does not exist.",
        "no such self-test, or another user's (ids reveal nothing)",
    ),
    "selftest_unavailable": (
        409,
        "The self-test is not available in this language yet.",
        "the bank has no question in the language for some benchmark (or too few for a part)",
    ),
    "assessment_finished": (
        409,
        "This self-test is finished.",
        "answers cannot change once the self-test is finished",
    ),
    "assessment_time_over": (
        409,
        "The time for this self-test is over.",
        "the deadline has passed: answers are refused, finishing still works",
    ),
}

_REVEALED = ["part", "benchmark", "correct", "correct_options", "explanation"]
_SCORE = {"type": "number", "minimum": 0, "maximum": 100}


def assessment_schemas() -> dict[str, Any]:

    question = obj(
        {
            "no": integer(minimum=1),
            "kind": string("`single`, `multiple` (several options) or `truefalse`."),
            "text": string("In the self-test's language."),
            "options": array(ref("Option")),
            "choice": array(OPTION_KEY, "The caller's answer so far (empty: none)."),
            "part": enum(list(Part), "Finished only: the survey part it counts for."),
            "benchmark": enum(list(BENCHMARKS), "Finished only."),
            "correct": boolean("Finished only; unanswered is wrong."),
            "correct_options": array(OPTION_KEY, "Finished only: the right option(s)."),
            "explanation": string("Finished only; may be empty."),
        },
        required=["no", "kind", "text", "options", "choice"],
        description="A self-test question. Nothing of the key before the test is finished.",
    )
    result = {
        "score": {**_SCORE, "description": "Out of 100, to 0.1; the parts add up to it."},
        "parts": obj({part.value: _SCORE for part in Part}, description="Points per part."),
        "band": enum(list(BANDS), "`advanced` above 85, `literate` 70-85, `basic` 55-70."),
        "weakest": array(enum(list(BENCHMARKS)), "The 3 benchmarks with the lowest share right."),
        "finished_at": moment(),
    }
    assessment = obj(
        {
            "id": integer(),
            "language": LANGUAGE,
            "started_at": moment(),
            "deadline": moment("Answers are refused after it; finishing still works."),
            "finished": boolean(),
            "age_group": nullable(enum(list(AGE_GROUPS), "As declared at the start.")),
            "questions": array(ref("AssessmentQuestion")),
            **result,
        },
        required=[
            "id",
            "language",
            "started_at",
            "deadline",
            "finished",
            "age_group",
            "questions",
        ],
        description="A self-test; the result fields only once finished.",
    )
    question["if"] = {"not": {"required": ["correct"]}}
    question["then"] = absent(*_REVEALED)
    return {
        "AssessmentQuestion": question,
        "Assessment": assessment,
        "AssessmentResult": obj(result, description="The result of a finished self-test."),
        "AssessmentAnswer": obj(
            {"no": integer(minimum=1), "choice": array(OPTION_KEY, "As stored.")},
            description="The stored answer (not marked before the end).",
        ),
    }


def assessment_paths() -> dict[str, Any]:

    assessment_id = path_id("assessment_id", "An id of one of the caller's self-tests.")
    return {
        "/assessments": {
            "post": operation(
                "startAssessment",
                "practice",
                "Start a self-test",
                "A science-literacy self-test in the shape of the national civic survey (not "
                "the official survey): 50 questions covering the 26 benchmarks, 20 "
                "knowledge, 10 method, 10 spirit, 10 application, 2 points each, 45 "
                "minutes. Nothing is marked before the end.",
                {
                    "201": response("The self-test.", ref("Assessment")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "selftest_unavailable",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=True,
                body=json_body(
                    request_object(
                        {
                            "language": LANGUAGE,
                            "age_group": nullable(
                                enum(list(AGE_GROUPS), "Optional, self-declared.")
                            ),
                        },
                        ["language"],
                    ),
                    {"language": "mn", "age_group": "30-39"},
                ),
            )
        },
        "/assessments/{assessment_id}": {
            "get": operation(
                "getAssessment",
                "practice",
                "A self-test",
                "Its questions and the caller's answers; once finished, the marking and result.",
                {
                    "200": response("The self-test.", ref("Assessment")),
                    **errors("unauthorized", "assessment_not_found", "unavailable"),
                },
                login=True,
                parameters=[assessment_id],
            )
        },
        "/assessments/{assessment_id}/answers/{no}": {
            "put": operation(
                "answerAssessment",
                "practice",
                "Answer a self-test question",
                "Stores (or changes) the answer; not marked before the end.",
                {
                    "200": response("The stored answer.", ref("AssessmentAnswer")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "assessment_not_found",
                        "question_not_found",
                        "assessment_finished",
                        "assessment_time_over",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[assessment_id, path_id("no", "The question's number, from 1.")],
                body=json_body(
                    request_object({"choice": array(string(pattern="^[A-Z]$"))}, ["choice"]),
                    {"choice": ["B"]},
                ),
            )
        },
        "/assessments/{assessment_id}/finish": {
            "post": operation(
                "finishAssessment",
                "practice",
                "Finish a self-test",
                "Marks every question (unanswered is wrong), puts the wrong ones in the "
                "wrong-answer book and returns the result. Works after the deadline too; "
                "finishing again returns the same result.",
                {
                    "200": response("The result.", ref("AssessmentResult")),
                    **errors(
                        "csrf_failed",
                        "unauthorized",
                        "assessment_not_found",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[assessment_id],
            )
        },
    }
