"""``quiz users``: staff accounts from the command line, through Flask's CLI runner against
the real database, with every change audited as the operator ``cli``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from quiz.accounts.models import ApiToken, Role, User
from quiz.accounts.services import authenticate, check_credentials, user_for_token
from quiz.admin import services as admin
from quiz.audit.models import AuditEvent
from quiz.edge.client import CLI
from quiz.errors import Conflict
from quiz.extensions import db
from tests.factories import PASSWORD, issue_token
from tests.play.test_attempts import _race


def _users(runner, *args: str):
    return runner.invoke(args=["users", *args])


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _one_time(output: str) -> str:
    line = next(line for line in output.splitlines() if "one-time password" in line)
    return line.rsplit(":", 1)[1].strip()


def test_create_prints_a_one_time_password_once_that_must_be_changed(runner, client):
    result = _users(
        runner,
        "create",
        "Bayar",
        "--role",
        "organizer",
        "--role",
        "teacher",
        "--display-name",
        "巴雅尔",
        "--language",
        "mn",
        "--email",
        "Bayar@Example.org",
    )
    assert result.exit_code == 0, result.output
    assert "created Bayar (organizer, teacher)" in result.output
    password = _one_time(result.output)
    assert len(password) == 10
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "Bayar"))
    assert user.roles == {"organizer", "teacher"}
    assert (user.display_name, user.language, user.email) == ("巴雅尔", "mn", "bayar@example.org")
    assert user.must_change_password and password not in user.password_hash
    assert user.region_code  # the first banner/county by default
    # The password works once, on the website, and must be changed there first.
    assert check_credentials("bayar", password) is not None
    response = client.post("/login", data={"username": "bayar", "password": password})
    assert response.status_code == 302
    assert client.get("/profile").location.startswith("/account/password")
    [event] = _events("user.create")
    assert event.operator == "cli" and event.actor_id is None
    assert event.object_id == str(user.id)
    assert event.after == {"username": "Bayar", "roles": ["organizer", "teacher"], "one_time": True}


def test_create_reads_the_password_from_a_file_and_refuses_a_weak_one(runner, tmp_path):
    good = tmp_path / "pw"
    good.write_text("long-enough-secret-77\n", encoding="utf-8")
    result = _users(runner, "create", "root2", "--role", "admin", "--password-file", str(good))
    assert result.exit_code == 0, result.output
    assert "one-time password" not in result.output and "long-enough" not in result.output
    user = authenticate("root2", "long-enough-secret-77")
    assert user is not None and user.roles == {"admin"} and not user.must_change_password

    weak = tmp_path / "weak"
    weak.write_text("short\n", encoding="utf-8")
    before = _count_users()
    result = _users(runner, "create", "root3", "--password-file", str(weak))
    assert result.exit_code == 1
    assert "password: The password must have at least 8 characters." in result.output
    assert _count_users() == before and _events("user.create") == [_events("user.create")[0]]

    # From standard input too.
    result = runner.invoke(
        args=["users", "create", "root4", "--password-file", "-"], input="another-secret-88\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate("root4", "another-secret-88") is not None


def test_create_refuses_bad_input_and_stores_nothing(runner, make):
    make.user("taken")
    before = _count_users()
    cases = [
        (["taken"], "username: This username is taken."),
        (["TAKEN"], "username: This username is taken."),  # one account per casefolded name
        (["a b"], "username: Use 3 to 32 letters"),
        (["newone", "--region", "999999"], "region_code: Choose your banner"),
        (["newone", "--email", "not-an-address"], "email: Give an e-mail address"),
        (["newone", "--display-name", ""], "display_name: Give a display name"),
    ]
    for args, message in cases:
        result = _users(runner, "create", *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    # Unknown role and language: refused by the option itself (usage error, exit 2).
    for args in (["newone", "--role", "superuser"], ["newone", "--language", "en"]):
        result = _users(runner, "create", *args)
        assert result.exit_code == 2 and "Invalid value" in result.output, result.output
    assert _count_users() == before and _events("user.create") == []


def test_grant_and_revoke_roles_are_audited_and_idempotent(runner, make):
    user = make.user("nara")
    result = _users(runner, "grant", "NARA", "organizer")
    assert result.exit_code == 0 and "nara: granted organizer" in result.output
    assert _users(runner, "grant", "nara", "organizer").output.strip() == (
        "nara: already has organizer"
    )
    db.session.expire_all()
    assert user.roles == {"participant", "organizer"}
    result = _users(runner, "revoke", "nara", "organizer")
    assert result.exit_code == 0 and "nara: revoked organizer" in result.output
    assert "does not have" in _users(runner, "revoke", "nara", "organizer").output
    db.session.expire_all()
    assert user.roles == {"participant"}
    [grant] = _events("user.role_grant")
    [revoke] = _events("user.role_revoke")
    assert grant.before == {"roles": ["participant"]}
    assert grant.after == {"roles": ["organizer", "participant"]}
    assert revoke.operator == grant.operator == "cli"


def test_unknown_user_and_unknown_role_are_refused(runner, make):
    make.user("nara")
    for args in (
        ["grant", "ghost", "teacher"],
        ["revoke", "ghost", "teacher"],
        ["reset-password", "ghost"],
        ["disable", "ghost"],
        ["enable", "ghost"],
    ):
        result = _users(runner, *args)
        assert result.exit_code == 1, args
        assert "No account has this username." in result.output
    for args in (["grant", "nara", "superuser"], ["revoke", "nara", "participant"]):
        result = _users(runner, *args)
        assert result.exit_code == 2 and "Invalid value" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_last_active_admin_cannot_be_revoked_or_disabled(runner, make):
    make.user("root", roles=(Role.ADMIN,))
    for args in (["revoke", "root", "admin"], ["disable", "root"]):
        result = _users(runner, *args)
        assert result.exit_code == 1, args
        assert "last active admin" in result.output
    # A disabled admin does not count: still the last active one.
    make.user("sleeper", roles=(Role.ADMIN,))
    assert _users(runner, "disable", "sleeper").exit_code == 0
    assert _users(runner, "revoke", "root", "admin").exit_code == 1
    # With a second active admin, the first can go.
    assert _users(runner, "enable", "sleeper").exit_code == 0
    result = _users(runner, "revoke", "root", "admin")
    assert result.exit_code == 0, result.output
    assert _users(runner, "disable", "sleeper").exit_code == 1


def test_two_admins_removing_each_other_at_once_leave_one(app, make):
    """The last-admin rule holds under concurrency (the admins' rows are locked)."""
    make.user("one", roles=(Role.ADMIN,))
    make.user("two", roles=(Role.ADMIN,))
    names = ("one", "two")

    def prepare(index: int) -> User:
        return admin.user_by_username(names[index])

    def act(index: int, user: User) -> str:
        try:
            if index == 0:
                admin.set_active(user, False, actor=CLI, now=user.created_at)
            else:
                admin.revoke_role(user, "admin", actor=CLI, now=user.created_at)
            db.session.commit()
            return "done"
        except Conflict:
            db.session.rollback()
            return "refused"

    assert sorted(_race(app, 2, prepare, act)) == ["done", "refused"]
    db.session.expire_all()
    active_admins = [
        u for u in db.session.scalars(select(User)) if "admin" in u.roles and u.is_active_account
    ]
    assert len(active_admins) == 1


def test_reset_password_prints_a_one_time_password_and_ends_sessions(runner, make, clock):
    user = make.user("nara")
    token, _ = issue_token(user, clock(), 30)
    result = _users(runner, "reset-password", "nara")
    assert result.exit_code == 0, result.output
    password = _one_time(result.output)
    db.session.expire_all()
    assert check_credentials("nara", PASSWORD) is None
    assert check_credentials("nara", password) is not None
    assert user.must_change_password
    assert user_for_token(token, clock()) is None
    [event] = _events("user.password_reset")
    assert event.operator == "cli" and password not in json.dumps(event.after)


def test_disable_and_enable(runner, make, clock):
    user = make.user("nara")
    token, _ = issue_token(user, clock(), 30)
    result = _users(runner, "disable", "nara")
    assert result.exit_code == 0 and "nara: disabled" in result.output
    assert "already disabled" in _users(runner, "disable", "nara").output
    db.session.expire_all()
    assert check_credentials("nara", PASSWORD) is None
    assert user_for_token(token, clock()) is None
    assert db.session.scalar(select(ApiToken.revoked)) is True
    assert _users(runner, "enable", "nara").exit_code == 0
    assert check_credentials("nara", PASSWORD) is not None
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "user.disable",
        "user.enable",
    ]


@pytest.mark.parametrize("as_json", [False, True])
def test_list_filters_by_role(runner, make, as_json):
    make.user("zed", roles=(Role.ORGANIZER,))
    make.user("amy", roles=(Role.TEACHER, Role.ORGANIZER))
    make.user("kid")
    args = ["list", "--role", "organizer"] + (["--json"] if as_json else [])
    result = _users(runner, *args)
    assert result.exit_code == 0, result.output
    if as_json:
        rows = json.loads(result.output)
        assert [r["username"] for r in rows] == ["amy", "zed"]
        assert rows[0]["roles"] == ["organizer", "teacher"] and rows[0]["active"] is True
        assert json.loads(_users(runner, "list", "--json").output)[1]["username"] == "kid"
    else:
        lines = result.output.splitlines()
        assert [line.split()[0] for line in lines] == ["amy", "zed"]
    assert json.loads(_users(runner, "list", "--role", "admin", "--json").output) == []


def test_every_users_command_has_a_row(app):
    """A new ``quiz users`` command fails here until tests/security/matrix_admin.py names
    the tests that prove it (and those tests exist)."""
    from quiz.cli import users_group
    from tests.security.matrix_admin import CLI_ROWS

    assert sorted(users_group.commands) == sorted(CLI_ROWS)
    for tests in CLI_ROWS.values():
        for name in tests:
            assert callable(globals().get(name)), name
