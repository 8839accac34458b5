"""Reading comfort: the text size is kept per account (and in a cookie for visitors),
set from every page's header or the API, and put on <html> of every page."""

from __future__ import annotations

from quiz.accounts.models import User
from quiz.extensions import db
from tests.factories import PASSWORD


def _html_class(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    start = page.index("<html")
    return page[start : page.index(">", start)]


def test_a_visitor_keeps_the_size_in_a_cookie(client):
    assert "class=" not in _html_class(client)  # standard: no class
    response = client.post("/text-size/larger", data={"next": "/"})
    assert response.status_code == 302
    assert 'class="text-larger"' in _html_class(client)
    assert client.post("/text-size/huge").status_code == 400


def test_the_account_keeps_the_size_across_devices(app, client, make):
    user = make.user("bat", language="mn")
    client.post("/login", data={"username": "bat", "password": PASSWORD})
    client.post("/text-size/large", data={"next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).text_size == "large"
    # Another browser (no cookie) shows the account's size once logged in, in Mongolian too.
    other = app.test_client()
    other.post("/login", data={"username": "bat", "password": PASSWORD})
    html = _html_class(other)
    assert 'class="text-large"' in html and 'lang="mn-Mong-CN"' in html
    profile = client.get("/profile").get_data(as_text=True)
    assert 'id="text-size"' in profile and 'action="/text-size/larger"' in profile
    client.post("/text-size/standard", data={"next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).text_size is None


def test_the_api_reads_and_sets_the_same_preference(client, make):
    user = make.user("bat")
    token = client.post("/api/v1/auth/token", json={"username": "bat", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    assert client.get("/api/v1/me/preferences", headers=headers).json == {"text_size": "standard"}
    response = client.put("/api/v1/me/preferences", headers=headers, json={"text_size": "larger"})
    assert response.status_code == 200 and response.json == {"text_size": "larger"}
    db.session.expire_all()
    assert db.session.get(User, user.id).text_size == "larger"
    for bad in ("huge", 3, None, ["large"]):
        refused = client.put("/api/v1/me/preferences", headers=headers, json={"text_size": bad})
        assert refused.status_code == 422
    assert client.put("/api/v1/me/preferences", headers=headers, json={}).status_code == 200
    assert client.get("/api/v1/me/preferences").status_code == 401
