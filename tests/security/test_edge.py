"""The edge toolkit (quiz/edge): hostile numbers are refused, never a 500; downloads are
named per RFC 5987; every audit event says who made the change and from where."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import quote

import pytest
from flask_login import login_user
from sqlalchemy import select

from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.contests.models import Contest
from quiz.edge.client import CLI, Actor, client_ip, current_actor
from quiz.edge.downloads import download
from quiz.edge.params import json_int, whole_number
from quiz.errors import ValidationFailed
from quiz.extensions import db
from quiz.schools.services import class_students
from tests.factories import PASSWORD, log_in
from tests.organizer.test_contests import _contest_form
from tests.schools.conftest import import_students, make_school

# Arabic-Indic and full-width digits (``int()`` takes both), a superscript
# (``isdigit()`` takes it), a number no column holds, and one thousands of digits long.
HOSTILE = ["١٢", "１２", "²", str(2**64), "9" * 4000]


@pytest.mark.parametrize("value", HOSTILE)
def test_whole_number_refuses_what_int_would_take(value):
    assert whole_number(value) is None
    assert whole_number(value, low=-10) is None


@pytest.mark.parametrize("value", [*HOSTILE, "12", 2**40, True, 1.5, -1])
def test_json_numbers_are_json_integers_in_range(value):
    with pytest.raises(ValidationFailed) as refused:
        json_int({"round_id": value}, "round_id", low=1, high=2**31 - 1)
    assert "round_id" in refused.value.field_messages()
    assert json_int({}, "round_id") is None and json_int({"n": 7}, "n") == 7


@pytest.fixture
def player(client, make):
    contest, round_ = make.setup(live_scores=True)
    user = make.enrolled(contest)
    token = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    ).json["token"]
    return {"Authorization": f"Bearer {token}"}, round_


@pytest.mark.parametrize("value", HOSTILE)
def test_api_query_and_body_numbers_are_a_422(client, player, value):
    headers, round_ = player
    for name in ("limit", "league"):
        response = client.get(
            f"/api/v1/rounds/{round_.id}/leaderboard", query_string={name: value}, headers=headers
        )
        assert response.status_code == 422, (name, response.status_code)
    response = client.post("/api/v1/live-games", json={"round_id": value}, headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("value", HOSTILE)
def test_web_query_and_form_numbers_never_500(client, make, value):
    admin = make.user("edge-admin", roles=(Role.ADMIN,))
    log_in(client, admin)
    assert client.get("/admin", query_string={"before": value}).status_code == 200
    target = make.user("edge-seen")
    path = f"/admin/users/{target.id}"
    assert client.get(path, query_string={"before": value}).status_code == 200
    organizer = make.user("edge-org", roles=(Role.ORGANIZER,))
    contest = make.contest(organizer=organizer)
    log_in(client, organizer)
    form = {
        "title_zh": "初赛",
        "opens_at": "2026-09-15T09:00",
        "closes_at": "2026-09-15T18:00",
        "time_limit_minutes": "10",
        "max_attempts": value,
        "languages": ["zh"],
    }
    response = client.post(f"/console/contests/{contest.id}/rounds/new", data=form)
    assert response.status_code == 422


def test_a_download_is_named_per_rfc_5987_with_an_ascii_fallback(app):
    full = "成绩-ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ.xlsx"
    with app.test_request_context():
        response = download(b"x", "text/csv", 'results "3"/../x.csv', full)
    header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="results--3--..-x.csv"; ')
    assert header.endswith(f"filename*=UTF-8''{quote(full, safe='')}")
    assert header.isascii() and "\n" not in header


def test_the_review_sheet_download_has_an_rfc_5987_name(app, client, make):
    admin = make.user("edge-sheet", roles=(Role.ADMIN,), language="mn")
    log_in(client, admin)
    response = client.get("/admin/translations/review.xlsx")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert 'filename="mongolian-review.xlsx"' in header and "filename*=UTF-8''" in header


def test_an_audit_event_records_the_clients_address(client, make):
    """Organizer services built no address before the edge's Actor: now every one does."""
    organizer = make.user("edge-audit", roles=(Role.ORGANIZER,))
    log_in(client, organizer)
    response = client.post(
        "/console/contests/new",
        data=_contest_form(slug="edge-ip"),
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest).where(Contest.slug == "edge-ip"))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.contest_id == contest.id)
    ).first()
    assert event.actor_id == organizer.id and event.ip == "203.0.113.7"
    assert event.operator is None


def test_an_admin_change_records_the_clients_address(client, make):
    admin = make.user("edge-root", roles=(Role.ADMIN,))
    target = make.user("edge-target")
    log_in(client, admin)
    response = client.post(
        f"/admin/users/{target.id}/active",
        data={"active": "0"},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert response.status_code == 302
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_id, event.ip) == (admin.id, "198.51.100.4")


def test_the_command_line_actor_has_no_address(app):
    assert (CLI.user_id, CLI.ip, CLI.operator) == (None, None, "cli")
    assert client_ip() is None  # outside a request
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        assert Actor.of(None) == Actor(user_id=None, ip="192.0.2.1")


class TestBehindAProxy:
    @pytest.fixture
    def config_overrides(self):
        return {"QUIZ_PROXY_FIX": 1}

    def test_the_address_is_the_one_the_trusted_proxy_saw(self, client, make):
        admin = make.user("edge-proxy", roles=(Role.ADMIN,))
        target = make.user("edge-proxied")
        log_in(client, admin)
        client.post(
            f"/admin/users/{target.id}/active",
            data={"active": "0"},
            headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.50"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.ip == "203.0.113.50"  # one proxy trusted: its peer, not the spoofable first


@pytest.mark.parametrize("value", HOSTILE)
def test_number_fields_of_forms_refuse_what_int_would_take(app, value):
    """Forms use ``WholeNumberField`` (WTForms' ``IntegerField`` calls ``int()``)."""
    from quiz.live.forms import GameForm
    from quiz.schools.forms import ClassForm, EnrollClassForm

    data = {"grade": value, "name": "一班", "school_year": "2026", "seconds": value}
    with app.test_request_context(method="POST", data={**data, "podium": "3"}):
        school_class, game = ClassForm(), GameForm()
        assert not school_class.validate() and "grade" in school_class.errors
        assert not game.validate() and "seconds" in game.errors
    with app.test_request_context(method="POST", data={"contest_id": value}):
        enroll = EnrollClassForm()
        enroll.contest_id.choices = [(12, "比赛"), (2, "初赛")]
        assert not enroll.validate() and "contest_id" in enroll.errors


# -- who builds the Actor ------------------------------------------------------------------

QUIZ = Path(__file__).resolve().parents[2] / "quiz"

# Modules that read the request by nature, not services recording a change: the access
# log line, the rate limiter's key and the login-session record all describe the request
# being answered. A new entry here must say why in the same way.
READS_THE_REQUEST = {
    "ops/logs.py": "the access log line names the client's address",
    "accounts/ratelimits.py": "a rate limit keys on the client's address",
    "accounts/sessions.py": "a login session records the address it was opened from",
}


def _is_edge(relative: str) -> bool:
    """Routes, the API, the command line, the app factory and quiz/edge itself."""
    stem = relative.rsplit("/", 1)[-1].removesuffix(".py")
    return (
        relative.startswith(("edge/", "api/"))
        or relative in ("cli.py", "app.py")
        or stem == "routes"
        or stem.endswith("_routes")
    )


def _reads_the_client(tree: ast.AST) -> list[int]:
    """Lines that build an Actor from the request or read the client's address."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if any(a.name in ("client_ip", "current_actor") for a in node.names):
                lines.append(node.lineno)
        elif (isinstance(node, ast.Name) and node.id in ("client_ip", "current_actor")) or (
            isinstance(node, ast.Attribute)
            and (
                node.attr in ("client_ip", "current_actor", "remote_addr")
                or (
                    node.attr == "of"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "Actor"
                )
            )
        ):
            lines.append(node.lineno)
    return lines


def _builds_its_own_actor(tree: ast.AST) -> list[int]:
    """Lines where a service takes the address beside a person (a parameter named
    ``ip``) or assembles an Actor from one (``Actor(user.id, ...)``): the second way of
    naming who made a change, which the edge's one Actor replaced."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            lines += [a.lineno for a in arguments if a.arg == "ip"]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Actor"
        ):
            values = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(v, ast.Attribute) and v.attr == "id" for v in values):
                lines.append(node.lineno)
    return lines


def test_services_take_the_actor_not_a_user_and_an_address():
    """A service that changes something receives the edge's Actor (who, from where, and
    the User for permission checks), never a User plus a separate ``ip`` it would wrap
    itself: one way to say who did it, so an audit event cannot lose the address."""
    offenders = []
    for path in sorted(QUIZ.rglob("*.py")):
        relative = path.relative_to(QUIZ).as_posix()
        if _is_edge(relative) or relative in READS_THE_REQUEST:
            continue
        lines = _builds_its_own_actor(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"quiz/{relative}:{line}" for line in lines]
    assert offenders == [], "take an Actor from the edge: " + ", ".join(offenders)


def test_the_check_sees_a_user_and_an_address_passed_apart():
    source = "def close(round_, actor, now, ip=None):\n    record(Actor(actor.id, ip))\n"
    assert _builds_its_own_actor(ast.parse(source)) == [1, 2]
    assert (
        _builds_its_own_actor(ast.parse("def close(round_, actor, now):\n    record(actor)\n"))
        == []
    )


def test_only_the_edge_builds_an_actor_from_the_request():
    """Services receive the Actor (who, from where) from their caller: a service that
    built it itself from a User would silently depend on a request, and a command or the
    job calling it would record a wrong or missing address."""
    offenders = []
    for path in sorted(QUIZ.rglob("*.py")):
        relative = path.relative_to(QUIZ).as_posix()
        if _is_edge(relative) or relative in READS_THE_REQUEST or relative == "edge/client.py":
            continue
        lines = _reads_the_client(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"quiz/{relative}:{line}" for line in lines]
    assert offenders == [], "build the Actor at the edge and pass it in: " + ", ".join(offenders)
    assert all((QUIZ / name).is_file() for name in READS_THE_REQUEST)


def test_the_check_sees_a_service_that_builds_its_own_actor():
    source = "from quiz.edge.client import Actor\ndef grant(user):\n    record(Actor.of(user))\n"
    assert _reads_the_client(ast.parse(source)) == [3]
    assert _reads_the_client(ast.parse("from quiz.edge.client import client_ip\n")) == [1]
    assert not _is_edge("organizer/services.py") and _is_edge("play/fairplay_routes.py")


def test_an_actor_carries_its_user_for_permission_checks_only(app, make):
    """``actor.user`` is what a service checks permissions with; the recorded value (and
    equality) stays who and from where."""
    user = make.user("edge-holder")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.9"}):
        actor = Actor.of(user)
    assert actor.user is user and actor == Actor(user_id=user.id, ip="192.0.2.9")
    assert "edge-holder" not in repr(actor)
    assert CLI.user is None


def test_the_current_actor_is_the_signed_in_user_not_the_proxy(app, make):
    """A route's ``current_actor()`` keeps the User behind ``current_user``, so a
    service's permission check does not depend on the request still being there."""
    teacher = make.user("edge-signed-in")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        login_user(teacher)
        actor = current_actor()
    assert actor.user is teacher
    assert (actor.user_id, actor.ip, actor.operator) == (teacher.id, "192.0.2.10", None)


def test_a_school_change_records_the_teachers_address(client, make, clock):
    """A school service records the route's Actor: the teacher and their address."""
    admin = make.user("edge-school-root", roles=(Role.ADMIN,))
    world = make_school(make, clock, admin, "边缘小学", teacher="edge-teacher")
    import_students(world, clock, [("Aa", "1")])
    [(_row, student)] = class_students(world.school_class)
    db.session.commit()
    log_in(client, world.teacher)
    response = client.post(
        f"/students/{student.id}/password", environ_base={"REMOTE_ADDR": "198.51.100.23"}
    )
    assert response.status_code == 200
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "student.password_reset")
    )
    assert (event.actor_id, event.ip, event.operator) == (world.teacher.id, "198.51.100.23", None)
