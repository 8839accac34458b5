"""The OpenAPI document is valid, matches the routes one to one, and matches the JSON the
serializers really produce, so clients generated from it work against the server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from quiz import create_app
from quiz.api.openapi import openapi_document

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
NOW = datetime(2025, 5, 1, 8, 0, 0)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    tmp_path = tmp_path_factory.mktemp("redis")
    return create_app(
        {
            "QUIZ_ENV": "testing",
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "QUIZ_REDIS_DIR": str(tmp_path),
        }
    )


def api_rules(app: Flask) -> dict[tuple[str, str], str]:
    """(OpenAPI path, method) -> endpoint, for every API rule of the app."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        for method in (rule.methods or set()) - IGNORED_METHODS:
            found[(path, method.lower())] = rule.endpoint
    return found


def documented(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }


def schema_validator(name: str) -> Draft202012Validator:
    """A validator for one component schema, resolving ``#/components/...`` references."""
    doc = openapi_document()
    root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return Draft202012Validator(root)


def assert_valid(name: str, instance: Any) -> None:
    problems = [e.message for e in schema_validator(name).iter_errors(instance)]
    assert not problems, (name, instance, problems)


def test_document_is_valid_openapi_3_1() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": PREFIX}]
    validate(doc)


def test_every_route_is_documented_and_every_documented_route_exists(app: Flask) -> None:
    routes = set(api_rules(app))
    docs = set(documented(openapi_document()))
    assert routes, "no API routes found"
    assert routes - docs == set(), "routes missing from the OpenAPI document"
    assert docs - routes == set(), "documented operations the app does not serve"


def test_security_follows_the_access_decorators(app: Flask) -> None:
    ops = documented(openapi_document())
    for key, endpoint in api_rules(app).items():
        kind, _ = app.view_functions[endpoint].access_rule
        has_security = bool(ops[key].get("security"))
        assert has_security == (kind != "public"), (key, kind)


def test_path_parameters_are_integers_and_declared() -> None:
    for (path, method), op in documented(openapi_document()).items():
        names = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"]: p for p in op.get("parameters", []) if "name" in p}
        for name in names:
            assert declared[name]["in"] == "path", (path, method, name)
            assert declared[name]["schema"]["type"] == "integer", (path, method, name)


def test_examples_match_their_schemas() -> None:
    """Every request and error example validates, so the examples teach no wrong shapes."""
    doc = openapi_document()
    components = doc["components"]
    checked = 0
    for (path, method), op in documented(doc).items():
        media = []
        if "requestBody" in op:
            media.append(op["requestBody"]["content"]["application/json"])
        for resp in op["responses"].values():
            media.extend(resp.get("content", {}).values())
        for entry in media:
            examples = [e["value"] for e in entry.get("examples", {}).values()]
            if "example" in entry:
                examples.append(entry["example"])
            validator = Draft202012Validator({**entry["schema"], "components": components})
            for example in examples:
                problems = [e.message for e in validator.iter_errors(example)]
                assert not problems, (path, method, example, problems)
                checked += 1
    assert checked > 10


# --- the real serializers against the schemas -------------------------------------------


def make_region(code: str = "150102", parent: str | None = "150100") -> Any:
    from quiz.regions.models import Region

    return Region(
        code=code,
        level="county" if parent else "league",
        parent_code=parent,
        name_zh="新城区",
        name_mn="",
        mn_reviewed=False,
    )


def make_league(league_id: int = 3) -> Any:
    from quiz.contests.models import League

    return League(id=league_id, code="150100", kind="region", name_zh="呼和浩特市", name_mn="")


def test_user_and_region_json_match() -> None:
    from quiz.accounts.models import User, UserRole
    from quiz.api.serializers import region_json, user_json
    from quiz.schools.models import School

    user = User(id=1, username="bat", display_name="巴特尔", language="mn")
    user.role_rows = [UserRole(role="participant")]
    assert_valid("User", user_json(user))
    user.region = make_region()
    user.school = School(id=2, name_zh="一中", name_mn="")
    assert_valid("User", user_json(user))
    assert_valid("Region", region_json(make_region("150100", None)))


def test_contest_json_matches() -> None:
    from types import SimpleNamespace

    from quiz.api.serializers import contest_json
    from quiz.contests.models import Contest, Round

    contest = Contest(
        id=1,
        slug="spring",
        title_zh="春季赛",
        title_mn="",
        description_zh="",
        description_mn="",
        league_scheme="region",
        registration="open",
    )
    contest.leagues = [make_league()]
    contest.rounds = [
        Round(
            id=5,
            stage="preliminary",
            title_zh="初赛",
            title_mn="",
            opens_at=NOW,
            closes_at=NOW + timedelta(days=1),
            closed_at=None,
            time_limit_seconds=600,
            draw_rule=[{"count": 10, "difficulty": 1}],
            languages=["zh", "mn"],
            max_attempts=1,
            review_policy="after_finish",
            live_scores=False,
        )
    ]
    assert_valid("Contest", contest_json(contest, None, NOW))
    enrollment = SimpleNamespace(league=contest.leagues[0])
    assert_valid("Contest", contest_json(contest, enrollment, NOW))  # type: ignore[arg-type]


@pytest.mark.parametrize("finished", [False, True])
@pytest.mark.parametrize("review", [False, True])
def test_attempt_json_matches_and_key_shows_only_in_review(finished: bool, review: bool) -> None:
    from quiz.play.models import Attempt
    from quiz.play.state import AttemptState, ShownOption, ShownQuestion

    attempt = Attempt(
        id=9,
        round_id=5,
        contest_id=1,
        league_id=3,
        attempt_no=1,
        language="zh",
        started_at=NOW,
        deadline=NOW + timedelta(minutes=10),
        finished_at=NOW + timedelta(minutes=4) if finished else None,
        finish_reason="submitted" if finished else None,
        points=10,
        max_points=20,
        time_used_ms=240000 if finished else None,
        question_count=2,
        answered_count=1,
    )
    options = [ShownOption("A", "对"), ShownOption("B", "错")]
    questions = [
        ShownQuestion(no=1, kind="truefalse", text="?", options=options, choice=["A"]),
        ShownQuestion(no=2, kind="multiple", text="?", options=options),
    ]
    if review:
        for q in questions:
            q.correct_keys, q.is_correct, q.explanation, q.points = ["A"], bool(q.choice), None, 0
    state = AttemptState(
        attempt=attempt,
        round=None,  # type: ignore[arg-type]
        language="zh",
        remaining_seconds=0 if finished else 360,
        questions=questions,
        review=review,
    )
    body = state.to_json()
    assert_valid("Attempt", body)
    # The conditional parts of the schema really bite: a leaked key is rejected.
    if not review:
        leaked = {**body, "questions": [{**body["questions"][0], "correct": ["A"]}]}
        assert list(schema_validator("Attempt").iter_errors(leaked))


def test_leaderboard_json_matches() -> None:
    from quiz.api.serializers import board_json
    from quiz.leaderboards.services import BoardEntry, BoardView

    entries = [
        BoardEntry(
            rank=1, user_id=1, display_name="巴特尔", league_id=3, score=20, time_used_ms=5000
        ),
        BoardEntry(rank=2, user_id=2, display_name="", league_id=None, score=10, time_used_ms=1),
    ]
    me = {"rank": 2, "league_rank": None, "score": 10, "time_used_ms": 1}
    assert_valid("Leaderboard", board_json(BoardView(entries, 2, me, False), {3: "呼和浩特市"}))
    assert_valid("Leaderboard", board_json(BoardView([], 0, None, True), {}))
