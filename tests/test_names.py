"""Issue 13: names with control, text-direction or invisible characters are refused in every
name field, by one rule (``quiz.names``), while traditional Mongolian (FVS, MVS, NNBSP,
ZWJ/ZWNJ inside words) still passes."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.accounts.models import Role
from quiz.accounts.services import display_name_problems, update_profile
from quiz.admin.services import update_region
from quiz.edge.client import Actor
from quiz.errors import ValidationFailed
from quiz.live.services import GameSettings, _check_settings
from quiz.names import name_problems
from quiz.organizer import services as organizer
from quiz.schools import roster
from quiz.schools import services as schools

BAD = ["\u202e", "\u200b", "\u0000", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"]
BAD += ["\ufeff", "\u2060", "\u00ad", "\x1b", "\x7f", "\x85", "\n", "\t", "\u2028", "\u2029"]
BAD += ["\U000e0041", "\u3164", "\u115f", "\uffa0", "\u2800", "\ud800", "\u0378"]

MONGOLIAN_GOOD = [
    "ᠪᠠᠭ᠎ᠠ",  # MVS before a final a
    "ᠮᠣᠩᠭᠣᠯ ᠤᠨ ᠪᠢᠴᠢᠭ",
    "ᠲᠡᠮᠴᠡᠭᠡᠨ\u202fᠳᠦ",  # NNBSP before a case suffix
    "ᠨᠢᠭᠤᠴᠠ ᠳ᠋ᠤᠭᠠᠷ",  # FVS1 after a letter
    "ᠮᠢᠨᠦ᠋ᠲ",
    "ᠠ\u200dᠠ",  # ZWJ inside a word
    "ᠠ\u200cᠢ",  # ZWNJ inside a word
    "ᠬᠥᠬᠡᠬᠣᠲᠠ ᠶᠢᠨ ᠨᠡᠶᠢᠰᠢᠯ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ",
    "巴特尔",
    "Bat-Erdene O'Neil",
    "第一小学（新城区）",
    "👩‍🔬",  # ZWJ between symbols
]


@pytest.mark.parametrize("bad", BAD, ids=[f"U+{ord(c):04X}" for c in BAD])
def test_each_bad_character_is_refused_anywhere(bad):
    for name in (bad + "巴特尔", "巴特" + bad + "尔", "巴特尔" + bad, bad):
        assert name_problems(name), repr(name)


@pytest.mark.parametrize("name", MONGOLIAN_GOOD)
def test_real_names_pass(name):
    assert name_problems(unicodedata.normalize("NFC", name)) == []


@pytest.mark.parametrize(
    "name", ["\u200d", "ᠠ\u200d", "\u200dᠠ", "ᠠ \u200c ᠡ", "\u180e", "\u180b", " \u180bᠠ", "\u202f"]
)
def test_joiners_and_selectors_only_inside_words(name):
    assert name_problems(name), repr(name)


@pytest.mark.parametrize("name", ["\u0301", "\ufe0f", "\u3000", "\u00a0\u2003", "\u034f"])
def test_a_name_needs_something_visible(name):
    assert name_problems(name), repr(name)


# Property tests: Mongolian words as they are really written, and any bad character in them.
LETTERS = [chr(c) for c in range(0x1820, 0x1843)]
FVS = ["\u180b", "\u180c", "\u180d", "\u180f"]
SUFFIXES = ["ᠶᠢᠨ", "ᠤᠨ", "ᠦᠨ", "ᠢ", "ᠳᠤ", "ᠳᠦ", "ᠡᠴᠡ", "ᠠᠴᠠ", "ᠪᠠᠷ"]


@st.composite
def mongolian_word(draw) -> str:
    out = []
    for _ in range(draw(st.integers(1, 8))):
        out.append(draw(st.sampled_from(LETTERS)))
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(FVS)))
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["\u200c", "\u200d"])))
            out.append(draw(st.sampled_from(LETTERS)))
    word = "".join(out)
    if draw(st.booleans()):
        word += "\u180e" + draw(st.sampled_from(["ᠠ", "ᠡ"]))
    if draw(st.booleans()):
        word += "\u202f" + draw(st.sampled_from(SUFFIXES))
    return word


mongolian_name = st.lists(mongolian_word(), min_size=1, max_size=4).map(" ".join)


@given(mongolian_name)
@settings(max_examples=300, deadline=None)
def test_any_mongolian_name_passes(name):
    assert name_problems(unicodedata.normalize("NFC", name)) == []


@given(mongolian_name, st.sampled_from(BAD), st.integers(min_value=0))
@settings(max_examples=300, deadline=None)
def test_a_bad_character_anywhere_in_a_mongolian_name_is_refused(name, bad, where):
    at = where % (len(name) + 1)
    assert name_problems(name[:at] + bad + name[at:])


@given(st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1))
@settings(max_examples=200, deadline=None)
def test_control_and_format_text_is_refused(text):
    assert name_problems(text)


@given(st.text(st.characters(categories=["Zs", "Mn", "Me"]), min_size=1))
@settings(max_examples=200, deadline=None)
def test_spaces_and_marks_alone_are_refused(text):
    assert name_problems(text)


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_passing_name_holds_a_bad_character(text):
    if not name_problems(text):
        assert not any(c in text for c in BAD[:-2] if c != "\u200d")


# Every name field uses the rule --------------------------------------------------------

EVIL = "巴特\u202e尔"


def _refused(call, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert field in refused.value.field_messages(), refused.value.field_messages()


def test_account_names_on_pages_and_api(client, make):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "username": "evil",
            "password": "Steppe-wind-2026",
            "display_name": "\u200b",
            "region_code": "150102",
            "language": "zh",
        },
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"display_name"}
    response = client.post(
        "/register",
        data={
            "username": "evil",
            "password": "Steppe-wind-2026",
            "display_name": "Bat\u0000",
            "region_code": "150102",
            "language": "zh",
        },
    )
    assert response.status_code == 422
    user = make.user("bat", display_name="ᠪᠠᠲᠤ")
    _refused(
        lambda: update_profile(user, display_name=EVIL, region_code="150102", language="zh"),
        "display_name",
    )
    assert display_name_problems(EVIL)  # live-game guests' nicknames use this rule


def test_school_teacher_class_and_roster_names(make, clock):
    admin = make.user("root", roles=(Role.ADMIN,))
    _refused(
        lambda: schools.create_school(
            Actor.of(admin), name_zh=EVIL, name_mn="", region_code="150102", now=clock()
        ),
        "name_zh",
    )
    _refused(
        lambda: schools.create_school(
            Actor.of(admin), name_zh="一中", name_mn="ᠠ\u2066", region_code="150102", now=clock()
        ),
        "name_mn",
    )
    school = schools.create_school(
        Actor.of(admin), name_zh="一中", name_mn="ᠨᠢᠭᠡᠳᠦᠭᠡᠷ", region_code="150102", now=clock()
    )
    _refused(
        lambda: schools.add_teacher(
            Actor.of(admin), school, now=clock(), username="t1", display_name=EVIL, language="zh"
        ),
        "display_name",
    )
    _refused(
        lambda: schools.create_class(
            Actor.of(admin), school, grade=5, name="2\u200b", school_year=2026, now=clock()
        ),
        "name",
    )
    school_class = schools.create_class(
        Actor.of(admin), school, grade=5, name="2", school_year=2026, now=clock()
    )
    data = "Name,Student number\n巴特尔,1\nᠪᠠᠭ᠎ᠠ,2\n\u202eabc,3\n".encode()
    with pytest.raises(roster.RosterInvalid) as refused:
        roster.import_roster(Actor.of(admin), school_class.id, data, "list.csv", clock())
    problems = refused.value.problems
    assert [(p.row, p.column) for p in problems] == [(4, "name")]


def test_contest_league_round_and_team_names(make, clock):
    org = make.user("org", roles=(Role.ORGANIZER,))
    data = organizer.ContestData(slug="c1", title_zh="赛\u202e", starts_at=clock())
    _refused(lambda: organizer.create_contest(data, Actor.of(org), clock()), "title_zh")
    data = organizer.ContestData(slug="c1", title_zh="赛", title_mn="\u200b", starts_at=clock())
    _refused(lambda: organizer.create_contest(data, Actor.of(org), clock()), "title_mn")
    contest = organizer.create_contest(
        organizer.ContestData(slug="c1", title_zh="赛", title_mn="ᠲᠡᠮᠴᠡᠭᠡᠨ", starts_at=clock()),
        Actor.of(org),
        clock(),
    )
    _refused(
        lambda: organizer.add_league(
            contest, code="x", name_zh="组\u0000", name_mn="", actor=Actor.of(org), now=clock()
        ),
        "name_zh",
    )
    bank = make.bank()
    round_ = make.round(
        contest,
        bank,
        opens_at=clock() + timedelta(days=1),
        closes_at=clock() + timedelta(days=2),
    )
    edit = organizer.RoundData.of(round_)
    edit.title_mn = "ᠱᠠᠲᠤ\u2067"
    _refused(lambda: organizer.update_round(round_, edit, Actor.of(org), clock()), "title_mn")
    errors = _check_settings(GameSettings(teams="custom", team_names=("红队", "\u3164")), round_)
    assert "team_names" in errors


def test_region_names_in_the_admin_console(make, clock):
    admin = make.user("root", roles=(Role.ADMIN,))
    from quiz.edge.client import Actor

    _refused(
        lambda: update_region(
            "150102", name_mn="ᠰᠢᠨ\u202e", reviewed=True, actor=Actor(admin.id), now=clock()
        ),
        "name_mn",
    )
