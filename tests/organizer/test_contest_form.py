"""The contest form: the short name made from the title, the join code only where used."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quiz.contests.models import Contest
from quiz.extensions import db
from quiz.organizer.services import SLUG_RE, slug_from_titles
from tests.factories import log_in
from tests.organizer.conftest import zh
from tests.organizer.test_contests import _contest_form


@pytest.mark.parametrize(
    ("titles", "slug"),
    [
        (("2026年全国科普日知识竞赛", ""), "2026-nian-quan-guo-ke-pu-ri-zhi-shi-jing"),
        (("内蒙古青少年科学素质大赛（初赛）", ""), "nei-meng-gu-qing-shao-nian-ke-xue-su-zhi"),
        (("Science Day Quiz!", ""), "science-day-quiz"),
        (("", "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ"), "sinjilehu-uhagan"),
        (("！？", "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ"), "sinjilehu-uhagan"),  # Chinese gives nothing
        (("！？", ""), "contest"),
    ],
)
def test_slug_from_titles(titles, slug):
    made = slug_from_titles(*titles)
    assert made == slug and SLUG_RE.match(made) and len(made) <= 40


def _create(client, **changes):
    response = client.post("/console/contests/new", data=_contest_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Contest).order_by(Contest.id.desc())).first()


def test_an_empty_short_name_is_made_from_the_title_and_kept_unique(client, organizer, clock):
    log_in(client, organizer)
    page = client.get("/console/contests/new").get_data(as_text=True)
    slug_input = re.search(r"<input[^>]*name=\"slug\"[^>]*>", page).group(0)
    assert "required" not in slug_input
    assert zh("Optional: left empty, it is made from the title (Latin letters and digits).") in page

    first = _create(client, slug="", title_zh="科普日")
    assert first.slug == "ke-pu-ri"
    second = _create(client, slug="", title_zh="科普日")
    assert re.fullmatch(r"ke-pu-ri-[a-z0-9]{4}", second.slug)
    mongolian = _create(client, slug="", title_zh="？", title_mn="ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ")
    assert mongolian.slug == "sinjilehu-uhagan"
    # Still editable: a typed one wins; an empty one on edit keeps the current one.
    typed = _create(client, slug="my-quiz", title_zh="科普日")
    assert typed.slug == "my-quiz"
    form = _contest_form(slug="", title_zh="改名了")
    assert client.post(f"/console/contests/{typed.id}/edit", data=form).status_code == 302
    db.session.refresh(typed)
    assert typed.slug == "my-quiz" and typed.title_zh == "改名了"
    # A typed one is still checked (ASCII only, unique).
    response = client.post("/console/contests/new", data=_contest_form(slug="科普"))
    assert response.status_code == 422
    assert zh("Use 2 to 64 lowercase letters, digits or hyphens.") in response.get_data(
        as_text=True
    )


def test_join_code_field_and_button_only_where_a_join_code_is_used(client, organizer, world):
    contest = world["contest"]
    log_in(client, organizer)
    # The form: the field sits in the block the stylesheet hides unless that choice is on.
    page = client.get(f"/console/contests/{contest.id}/edit").get_data(as_text=True)
    assert re.search(
        r'<div class="for-join-code">\s*<div class="field">\s*<label for="join_code"', page
    )
    css = client.application.static_folder + "/css/app.css"
    with open(css, encoding="utf-8") as handle:
        rules = handle.read()
    assert (
        'form.form:has(input[name="registration"]:not([value="join_code"]):checked) '
        ".for-join-code {\n  display: none;"
    ) in rules
    # The overview: no "new join code" button for an open contest ...
    button = zh("Generate a new join code")
    overview = f"/console/contests/{contest.id}"
    assert button not in client.get(overview).get_data(as_text=True)
    form = _contest_form(slug=contest.slug, registration="join_code")
    assert client.post(f"/console/contests/{contest.id}/edit", data=form).status_code == 302
    # ... and one once people join with a code.
    assert button in client.get(overview).get_data(as_text=True)
