"""The literacy dashboard's part of the OpenAPI document (merged by ``quiz.api.openapi``):
``GET /literacy/dashboard`` (``quiz.api.literacy``)."""

from __future__ import annotations

from typing import Any

from quiz.api.schema import errors, integer, nullable, obj, operation, ref, response, string
from quiz.practice.assessment import BANDS
from quiz.practice.literacy_dashboard import MEANS, SUPPRESS_BELOW

LITERACY_ERRORS: dict[str, tuple[int, str, str]] = {
    "forbidden": (
        403,
        "You are not allowed to do this.",
        "the caller is signed in but lacks the role (here: organizer or admin)",
    ),
}

_MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}


def literacy_schemas() -> dict[str, Any]:

    share = {"type": "number", "minimum": 0, "maximum": 1}
    mean = {"type": "number", "minimum": 0, "maximum": 100}
    shown = obj(
        {
            "key": string(
                "The league or county code, age group, or month (`YYYY-MM`); "
                "empty for overall and for people without one."
            ),
            "suppressed": {"const": False},
            "people": integer(minimum=SUPPRESS_BELOW),
            "bands": obj({band: share for band in BANDS}, description="Shares; they sum to 1."),
            "means": obj(
                {name: mean for name in MEANS},
                description="Mean points per part and overall (`score`, out of 100).",
            ),
        },
        description="A group of people with their figures.",
    )
    hidden = obj(
        {"key": string(), "suppressed": {"const": True}},
        description=f"Fewer than {SUPPRESS_BELOW} people (or hidden so that such a group "
        "cannot be worked out from a total): no count, no figures.",
    )
    cells = {"type": "array", "items": ref("LiteracyCell")}
    return {
        "LiteracyCell": {"oneOf": [shown, hidden]},
        "LiteracyDashboard": obj(
            {
                "filters": obj(
                    {
                        "from": nullable(dict(_MONTH)),
                        "to": nullable(dict(_MONTH)),
                        "league": nullable(string("A league's region code.")),
                        "language": nullable(string("`zh` or `mn`.")),
                    },
                    description="The filters applied (malformed or unknown ones are ignored).",
                ),
                "minimum_people": integer(),
                "sample": {"const": "self-selected"},
                "overall": ref("LiteracyCell"),
                "leagues": cells,
                "counties": cells,
                "age_groups": cells,
                "months": cells,
            },
            description="Self-selected sample, not a survey estimate: each person counts "
            "once with their latest self-test finished in the period (per month: their "
            "latest of that month). `counties`: the chosen league's, else empty.",
        ),
    }


def literacy_paths() -> dict[str, Any]:

    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    return {
        "/literacy/dashboard": {
            "get": operation(
                "literacyDashboard",
                "practice",
                "The literacy dashboard",
                "Organizers and admins: the finished self-tests per league, county (of the "
                "chosen league), age group and month: people, band shares, mean points per "
                f"part. A group of fewer than {SUPPRESS_BELOW} people is "
                '`{"suppressed": true}`, and when one group of a list is suppressed the '
                "next smallest is too. Self-selected sample, not a survey estimate.",
                {
                    "200": response("The dashboard.", ref("LiteracyDashboard")),
                    # A NUL character in a parameter is refused before the view reads
                    # it (quiz/edge/params.py), as on every route with a query string.
                    **errors("validation_failed", "unauthorized", "forbidden", "unavailable"),
                },
                login=True,
                parameters=[
                    query("from", "First month, `YYYY-MM` (contest time zone).", _MONTH),
                    query("to", "Last month, `YYYY-MM`.", _MONTH),
                    query(
                        "league", "A league's region code: adds its counties.", {"type": "string"}
                    ),
                    query("language", "Only self-tests in `zh` or `mn`.", {"type": "string"}),
                ],
            )
        },
    }
