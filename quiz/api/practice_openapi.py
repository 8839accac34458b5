"""The practice part of the OpenAPI document (merged by ``quiz.api.openapi``): free
practice, the wrong-answer book and the daily set. The helpers, the error table and the
checks (tests/api/test_openapi.py) are the document's own."""

from __future__ import annotations

from typing import Any

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
from quiz.practice.models import Source

PRACTICE_ERRORS: dict[str, tuple[int, str, str]] = {
    "practice_not_found": (
        404,
        "This practice does not exist.",
        "no such practice session, or another user's (ids reveal nothing)",
    ),
    "no_questions": (
        409,
        "There are no practice questions in this language yet.",
        "nothing to draw: no practice questions in the language (or category), or an "
        "empty wrong-answer book for `mistakes`",
    ),
}

PRACTICE_TAG = {
    "name": "practice",
    "description": "Practice between contests: by topic, from the wrong-answer book, and "
    "the daily set. Each answer is marked at once with the right option(s) and the "
    "explanation; questions reserved for contests are never drawn, and nothing here "
    "touches contest boards or results.",
}

_REVEALED = ["choice", "correct", "correct_options", "explanation"]


def practice_schemas() -> dict[str, Any]:

    question = obj(
        {
            "no": integer(minimum=1),
            "kind": string("`single`, `multiple` (several options) or `truefalse`."),
            "text": string("In the session's language."),
            "options": array(ref("Option")),
            "answered": boolean(),
            "choice": array(OPTION_KEY, "Answered only: the caller's answer."),
            "correct": boolean("Answered only."),
            "correct_options": array(OPTION_KEY, "Answered only: the right option(s)."),
            "explanation": string("Answered only; may be empty."),
        },
        required=["no", "kind", "text", "options", "answered"],
        description="A practice question. The key and the explanation appear only once "
        "the question is answered.",
    )
    question["if"] = {"properties": {"answered": {"const": False}}}
    question["then"] = absent(*_REVEALED)
    return {
        "PracticeQuestion": question,
        "PracticeSession": obj(
            {
                "id": integer(),
                "source": enum(
                    [Source.PRACTICE, Source.MISTAKES, Source.DAILY], "What it drew from."
                ),
                "category": nullable(string("The category id; null: mixed.")),
                "language": LANGUAGE,
                "daily_day": nullable(
                    string("The daily set's day (Beijing time), e.g. `2026-09-15`.")
                ),
                "question_count": integer(minimum=1),
                "answered_count": integer(minimum=0),
                "correct_count": integer(minimum=0),
                "finished": boolean("Every question answered."),
                "questions": array(ref("PracticeQuestion")),
            },
            description="A practice session.",
        ),
        "PracticeMarked": obj(
            {
                "no": integer(minimum=1),
                "correct": boolean(),
                "correct_options": array(OPTION_KEY, "The right option(s)."),
                "explanation": string("In the session's language; may be empty."),
                "choice": array(OPTION_KEY, "The answer as stored (the first one is final)."),
                "finished": boolean("Every question of the session is answered."),
            },
            description="The marking of one answer.",
        ),
        "PracticeCategories": obj(
            {
                "categories": array(
                    obj(
                        {
                            "id": string("Pass it as `category`."),
                            "name": string("In the caller's language."),
                            "questions": integer("Practice questions in it.", minimum=1),
                        }
                    )
                )
            },
            description="Categories with practice questions in the caller's language.",
        ),
        "Mistakes": obj(
            {
                "entries": array(
                    obj(
                        {
                            "question": obj(
                                {
                                    "id": integer(),
                                    "text": string("In the caller's language where written."),
                                    "category": string(),
                                }
                            ),
                            "times_wrong": integer(minimum=1),
                            "first_wrong_at": moment(),
                            "last_wrong_at": moment(),
                            "source": enum(
                                [
                                    Source.PRACTICE,
                                    Source.MISTAKES,
                                    Source.DAILY,
                                    Source.CONTEST,
                                    Source.SELFTEST,
                                ],
                                "Where it was last answered wrong.",
                            ),
                            "correct_in_a_row": integer(
                                "Right answers on different days since (2 take it out).",
                                minimum=0,
                                maximum=1,
                            ),
                        }
                    ),
                    "Most recently wrong first.",
                )
            },
            description="The caller's wrong-answer book (错题本).",
        ),
        "History": obj(
            {
                "rounds": array(
                    obj(
                        {
                            "contest_id": integer(),
                            "contest": string("The contest's title in the caller's language."),
                            "round_id": integer(),
                            "round": string("The round's title in the caller's language."),
                            "attempt_id": integer(),
                            "score": integer(minimum=0),
                            "max_score": integer(minimum=0),
                            "finished_at": moment(),
                            "rank": nullable(integer("On the round's board.", minimum=1)),
                            "league_rank": nullable(integer(minimum=1)),
                        }
                    ),
                    "Finished attempts, latest first (at most 50).",
                ),
                "practice": obj(
                    {
                        "sessions": integer(minimum=0),
                        "answered": integer(minimum=0),
                        "correct": integer(minimum=0),
                    }
                ),
                "daily": obj({"streak": integer(minimum=0), "days_done": integer(minimum=0)}),
                "self_tests": array(
                    obj(
                        {
                            "id": integer(),
                            "score": {"type": "number", "minimum": 0, "maximum": 100},
                            "band": string("`advanced`, `literate`, `basic` or `low`."),
                            "language": LANGUAGE,
                            "finished_at": moment(),
                        }
                    ),
                    "Finished science-literacy self-tests, latest first.",
                ),
            },
            description="The caller's history: contest rounds, practice, the daily streak.",
        ),
        "DailyStatus": obj(
            {
                "today": string("Today in Beijing time."),
                "done_today": boolean(),
                "streak": integer("Days in a row with the daily set done.", minimum=0),
                "days_done": array(string(), "Every day done, oldest first."),
                "session_id": nullable(integer("Today's daily session, once started.")),
            },
            description="The caller's daily set: streak and calendar.",
        ),
    }


def practice_paths() -> dict[str, Any]:

    session_id = path_id("session_id", "An id of one of the caller's practice sessions.")
    session_ok = response("The session.", ref("PracticeSession"))
    return {
        "/practice/categories": {
            "get": operation(
                "listPracticeCategories",
                "practice",
                "Practice categories",
                "Categories with practice questions in the caller's language.",
                {
                    "200": response("The categories.", ref("PracticeCategories")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
        "/practice": {
            "post": operation(
                "startPractice",
                "practice",
                "Start practice",
                "By topic (`category`, or none for mixed), from the wrong-answer book "
                "(`source` `mistakes`) or today's daily set (`source` `daily`: five "
                "questions, the same for everyone today in the language; asking again the "
                "same day returns the same session with 200).",
                {
                    "201": session_ok,
                    "200": response(
                        "Today's daily session, started before.", ref("PracticeSession")
                    ),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "no_questions",
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
                            "category": nullable(string("A category id; none: mixed.")),
                            "count": integer("Questions (default 10).", minimum=1, maximum=50),
                            "source": string("`practice` (default), `mistakes` or `daily`."),
                            "benchmark": nullable(
                                string(
                                    "A science-literacy benchmark, `B01`…`B26`: only its questions."
                                )
                            ),
                        },
                        ["language"],
                    ),
                    {"language": "mn", "category": "life-health", "count": 10},
                ),
            )
        },
        "/practice/{session_id}": {
            "get": operation(
                "getPractice",
                "practice",
                "A practice session",
                "Its questions, with the marking of those answered.",
                {
                    "200": session_ok,
                    **errors("unauthorized", "practice_not_found", "unavailable"),
                },
                login=True,
                parameters=[session_id],
            )
        },
        "/practice/{session_id}/answers/{no}": {
            "put": operation(
                "answerPractice",
                "practice",
                "Answer a practice question",
                "Marked at once. The first answer is final: the same answer again gets the "
                "same marking, another one `already_answered`. A wrong answer puts the "
                "question in the caller's wrong-answer book.",
                {
                    "200": response("The marking.", ref("PracticeMarked")),
                    **errors(
                        "invalid_json",
                        "csrf_failed",
                        "unauthorized",
                        "practice_not_found",
                        "question_not_found",
                        "already_answered",
                        "validation_failed",
                        "rate_limited",
                        "unavailable",
                    ),
                },
                login=True,
                parameters=[session_id, path_id("no", "The question's number, from 1.")],
                body=json_body(
                    request_object({"choice": array(string(pattern="^[A-Z]$"))}, ["choice"]),
                    {"choice": ["B"]},
                ),
            )
        },
        "/me/mistakes": {
            "get": operation(
                "myMistakes",
                "practice",
                "My wrong-answer book",
                "Every question the caller got wrong in practice, the daily set or a "
                "contest round whose review is open, until answered right twice in a row "
                "on different days.",
                {
                    "200": response("The book.", ref("Mistakes")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
        "/me/history": {
            "get": operation(
                "myHistory",
                "practice",
                "My history",
                "Contest rounds finished with score and rank, practice totals, the daily streak.",
                {
                    "200": response("The history.", ref("History")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
        "/me/daily": {
            "get": operation(
                "myDaily",
                "practice",
                "My daily set",
                "The streak and the days done.",
                {
                    "200": response("The status.", ref("DailyStatus")),
                    **errors("unauthorized", "unavailable"),
                },
                login=True,
            )
        },
    }
