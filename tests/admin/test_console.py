"""The admin console (/admin): find accounts, change roles and state, reset passwords,
read an account's trail, edit regions, see settings. Every write audited with the admin
and their address; the last active admin stays."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from quiz.accounts.models import Role, User
from quiz.accounts.services import check_credentials
from quiz.admin import services as admin
from quiz.audit.models import AuditEvent
from quiz.edge.client import CLI
from quiz.extensions import db
from quiz.regions.models import Region
from quiz.regions.services import sync_regions
from quiz.schools.models import School
from tests.factories import PASSWORD
from tests.security.scenario import check_security_headers, inline_code


@pytest.fixture
def config_overrides(monkeypatch):
    # Read when the app starts: one setting from the environment, one from the app.
    monkeypatch.setenv("QUIZ_TOKEN_DAYS", "7")
    return {"QUIZ_MAIL_URL": "smtps://mailer:hunter2@mail.example.org:465"}


@pytest.fixture
def root(make):
    return make.user("root", roles=(Role.ADMIN,), display_name="管理员")


@pytest.fixture
def console(client, root):
    response = client.post("/login", data={"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _usernames(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', html)


def _page(console, **args) -> str:
    response = console.get("/admin", query_string=args)
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert check_security_headers(response) == [] and inline_code(html) == []
    return html


def test_find_accounts_by_username_name_email_role_region_and_school(console, make, root):
    school = School(name_zh="呼和浩特市第二中学", name_mn="ᠬᠥᠬᠡᠬᠣᠲᠠ", region_code="150102")
    db.session.add(school)
    db.session.flush()
    make.user("bat.erdene", display_name="巴特尔", region_code="150102")
    make.user("batu", display_name="Batu", roles=(Role.TEACHER,), region_code="150203")
    saran = make.user("saran", display_name="萨仁", region_code="150203")
    saran.email, saran.school_id = "saran@example.org", school.id
    db.session.commit()

    assert _usernames(_page(console, q="BAT")) == ["batu", "bat.erdene"]  # newest first
    assert _usernames(_page(console, q="巴特")) == ["bat.erdene"]
    assert _usernames(_page(console, q="Saran@Example.org")) == ["saran"]
    assert _usernames(_page(console, q="%")) == []  # LIKE wildcards are plain text
    assert _usernames(_page(console, q="b*")) == []  # and so are GLOB's
    assert _usernames(_page(console, role="teacher")) == ["batu"]
    assert _usernames(_page(console, role="admin")) == ["root"]
    # A 盟市 stands for its banners and counties; a county for itself.
    assert _usernames(_page(console, region="150200")) == ["saran", "batu"]
    assert _usernames(_page(console, region="150203", q="sa")) == ["saran"]
    assert _usernames(_page(console, school="呼和浩特市第二")) == ["saran"]
    assert _usernames(_page(console, school="ᠬᠥᠬᠡ")) == ["saran"]
    admin.set_active(saran, False, actor=CLI, now=saran.created_at)
    db.session.commit()
    assert _usernames(_page(console, disabled="y")) == ["saran"]
    # A bad filter value is refused, not a 500.
    response = console.get("/admin", query_string={"role": "emperor", "before": "１２"})
    assert response.status_code == 422


def test_results_come_in_pages(console, make):
    for number in range(admin.PAGE_SIZE + 5):
        make.user(f"kid{number:03d}")
    first = _page(console, q="kid")
    assert len(_usernames(first)) == admin.PAGE_SIZE
    link = re.search(r'href="(/admin\?[^"]+)">', first).group(1).replace("&amp;", "&")
    assert "q=kid" in link and "before=" in link
    second = console.get(link).get_data(as_text=True)
    assert _usernames(second) == [f"kid{n:03d}" for n in range(4, -1, -1)]


def test_roles_state_and_password_changes_are_audited_with_the_admin_and_address(
    console, make, root
):
    nara = make.user("nara")
    assert (
        console.post(
            f"/admin/users/{nara.id}/roles", data={"role": "organizer", "action": "grant"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert nara.roles == {"participant", "organizer"}
    assert (
        console.post(
            f"/admin/users/{nara.id}/roles", data={"role": "organizer", "action": "revoke"}
        ).status_code
        == 302
    )
    # Unknown role or action: refused, nothing changes.
    bad = console.post(f"/admin/users/{nara.id}/roles", data={"role": "god", "action": "grant"})
    assert bad.status_code == 400
    assert console.post(f"/admin/users/{nara.id}/active", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    assert not nara.is_active_account and check_credentials("nara", PASSWORD) is None
    assert console.post(f"/admin/users/{nara.id}/active", data={"active": "1"}).status_code == 302

    response = console.post(f"/admin/users/{nara.id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(
        r'<code class="one-time-password">([a-z0-9]+)</code>', response.get_data(as_text=True)
    ).group(1)
    db.session.expire_all()
    assert check_credentials("nara", password) is not None and nara.must_change_password
    # The page of the account does not show it again.
    assert password not in console.get(f"/admin/users/{nara.id}").get_data(as_text=True)

    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == [
        "user.role_grant",
        "user.role_revoke",
        "user.disable",
        "user.enable",
        "user.password_reset",
    ]
    assert {(e.actor_id, e.ip, e.object_id) for e in events} == {
        (root.id, "127.0.0.1", str(nara.id))
    }
    # The account's trail shows them, newest first, with who did it.
    html = console.get(f"/admin/users/{nara.id}").get_data(as_text=True)
    from quiz.audit.labels import action_label

    with force_locale("zh_Hans_CN"):
        expected = [action_label(e.action) for e in reversed(events)]
    row = (
        r'<tr class="audit-row">\s*<td>[^<]*</td>\s*<td>[^<]*(?:<span[^>]*>[^<]*</span>)?</td>'
        r"\s*<td>([^<]+) <span"
    )
    shown = re.findall(row, html)
    assert shown == expected
    assert "user.role_grant" not in html  # the reader's words, not the stored names
    assert "root" in html


def test_the_last_active_admin_cannot_remove_themselves(console, root):
    with force_locale("zh_Hans_CN"):  # the page's language
        refused = gettext("This is the last active admin: make another account an admin first.")
    for path, data in (
        (f"/admin/users/{root.id}/roles", {"role": "admin", "action": "revoke"}),
        (f"/admin/users/{root.id}/active", {"active": "0"}),
    ):
        response = console.post(path, data=data)
        assert response.status_code == 409
        assert refused in response.get_data(as_text=True)
    db.session.expire_all()
    assert root.roles == {"admin"} and root.is_active_account
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_unknown_accounts_are_404(console):
    assert console.get("/admin/users/999999").status_code == 404
    assert console.post("/admin/users/999999/active", data={"active": "0"}).status_code == 404


def test_region_names_are_edited_audited_and_kept_by_the_sync(console, root, restore_regions):
    bundled = db.session.get(Region, "150102").name_mn
    response = console.post("/admin/regions/150102", data={"name_mn": "ᠰᠢᠨ᠎ᠡ ᠬᠣᠲᠠ", "reviewed": "y"})
    assert response.status_code == 302
    # `quiz db upgrade` syncs the bundled list: the edit stays, the rest is refreshed.
    sync_regions(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    region = db.session.get(Region, "150102")
    assert (region.name_mn, region.mn_reviewed) == ("ᠰᠢᠨ᠎ᠡ ᠬᠣᠲᠠ", True)
    assert region.name_zh == "新城区"
    # The edit page shows what the bundled list has.
    assert bundled in console.get("/admin/regions/150102").get_data(as_text=True)
    [event] = db.session.scalars(select(AuditEvent))
    assert (event.action, event.actor_id, event.object_id) == ("region.update", root.id, "150102")
    # only what changed (150102 has no named source, so the bundle leaves it unreviewed)
    assert event.after == {"name_mn": "ᠰᠢᠨ᠎ᠡ ᠬᠣᠲᠠ", "mn_reviewed": True}
    # An empty name is refused and nothing changes; an unknown code is 404.
    assert console.post("/admin/regions/150102", data={"name_mn": " "}).status_code == 422
    assert db.session.get(Region, "150102").name_mn == "ᠰᠢᠨ᠎ᠡ ᠬᠣᠲᠠ"
    assert console.get("/admin/regions/999999").status_code == 404
    assert "ᠰᠢᠨ᠎ᠡ ᠬᠣᠲᠠ" in console.get("/admin/regions").get_data(as_text=True)


def test_settings_show_their_source_and_never_a_secret(console, app):
    html = console.get("/admin/settings").get_data(as_text=True)
    rows = dict(
        re.findall(r"<td><code>(QUIZ_[A-Z_]+)</code></td>\s*<td><code>([^<]*)</code></td>", html)
    )
    assert rows["QUIZ_TOKEN_DAYS"] == "7"
    assert rows["QUIZ_MAIL_URL"] == "smtps://mailer:***@mail.example.org:465"
    assert rows["QUIZ_SECRET_KEY"] == "***" and "QUIZ_DATABASE_URL" in rows
    assert "hunter2" not in html and app.config["SECRET_KEY"] not in html
    sources = dict(
        re.findall(r"<td><code>(QUIZ_[A-Z_]+)</code></td>\s*<td>.*?</td>\s*<td>([^<]+)</td>", html)
    )
    with force_locale("zh_Hans_CN"):  # the page's language
        environment, application, default = (
            gettext(s) for s in ("environment", "set by the application", "default")
        )
    assert sources["QUIZ_TOKEN_DAYS"] == environment
    assert sources["QUIZ_MAIL_URL"] == application
    assert sources["QUIZ_ANSWER_GRACE_SECONDS"] == default


def test_requiring_two_factor_login_is_audited(console, root):
    bad = console.post("/admin/settings/two-factor", data={"roles": ["participant"]})
    assert bad.status_code == 422 and db.session.scalar(select(AuditEvent.id)) is None
    response = console.post("/admin/settings/two-factor", data={"roles": ["admin", "organizer"]})
    assert response.status_code == 302
    [event] = db.session.scalars(select(AuditEvent))
    assert event.action == "settings.two_factor_roles" and event.ip == "127.0.0.1"
    assert event.after == {"roles": ["admin", "organizer"]}
    # The admin's own role now needs it: the console sends them to set it up.
    assert console.get("/admin").location == "/account/two-factor"


def test_the_console_speaks_mongolian_and_is_for_admins_only(app, console, make):
    console.post("/language/mn")
    html = console.get("/admin").get_data(as_text=True)
    assert 'lang="mn-Mong-CN"' in html
    make.user("org", roles=(Role.ORGANIZER,))
    other = app.test_client()
    other.post("/login", data={"username": "org", "password": PASSWORD})
    assert other.get("/admin").status_code == 403
    assert db.session.scalar(select(User.id).where(User.username == "org"))
