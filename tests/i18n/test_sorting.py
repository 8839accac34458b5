"""Mongolian names are listed in Mongolian order (question_bank.sort_key); Chinese lists
keep the official GB/T 2260 order.

sort_key drops the shaping characters (FVS1-4, MVS, ZWJ, ZWNJ) and compares code
points, which is what ICU's ``mn`` collation gives (MONGOLIAN.md).
"""

from __future__ import annotations

import re
from html import unescape

from question_bank import sort_key
from quiz.contests.models import LeagueScheme
from quiz.contests.services import add_league
from quiz.i18n import sort_names
from quiz.regions.services import counties_by_league
from tests.factories import PASSWORD

# Letters by their code points (the spelling, not what it looks like).
A, U = "\u1820", "\u1824"
BA, QA, GA, MA, LA, SA, TA, DA = (
    "\u182a",
    "\u182c",
    "\u182d",
    "\u182e",
    "\u182f",
    "\u1830",
    "\u1832",
    "\u1833",
)
FVS1, MVS = "\u180b", "\u180e"


def test_sort_names_orders_mongolian_by_sort_key_ignoring_shaping_marks() -> None:
    names = [
        SA + A + LA,  # sal
        BA + A + GA + A,  # baga
        QA + MVS + A,  # q-a: MVS must not count
        BA + FVS1 + A + TA,  # b(FVS1)at: FVS must not count
        A + LA + TA + A,  # alta
    ]
    ordered = sort_names(names, lambda n: n, "mn")
    assert ordered == [
        A + LA + TA + A,
        BA + A + GA + A,
        BA + FVS1 + A + TA,
        QA + MVS + A,
        SA + A + LA,
    ]
    assert ordered == sorted(names, key=sort_key)
    # Chinese lists keep the order they were given.
    assert sort_names(names, lambda n: n, "zh") == names


def _options(html: str) -> list[tuple[str, str, str]]:
    """(group, value, text) of every county choice: the select's options in Chinese pages,
    the radio buttons under each disclosure in Mongolian ones."""
    control = html.split('id="region_code"')[1]
    if "</select>" in control.split("</fieldset>")[0]:
        pattern = r'<optgroup label="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*>([^<]*)<'
        control = control.split("</select>")[0]
    else:
        pattern = (
            r"<summary>([^<]*)</summary>"
            r'|<input type="radio"[^>]*value="([^"]*)"[^>]*>\s*<label[^>]*>([^<]*)<'
        )
        control = control.split("</fieldset>")[0]
    rows, group = [], ""
    for match in re.finditer(pattern, control):
        if match.group(1) is not None:
            group = unescape(match.group(1))
        elif match.group(2):  # (the select's "Choose…" placeholder has no value)
            rows.append((group, match.group(2), unescape(match.group(3))))
    return rows


def test_mongolian_pages_offer_counties_as_radio_buttons(client) -> None:
    """A select's drop-down stays horizontal in vertical writing (MONGOLIAN.md)."""
    mn = client.get("/register", headers={"Accept-Language": "mn-CN"}).get_data(as_text=True)
    zh = client.get("/register", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<select id="region_code"' not in mn and mn.count('name="region_code"') > 100
    assert '<select id="region_code"' in zh


def test_register_page_lists_counties_in_mongolian_order(client) -> None:
    html = client.get("/register", headers={"Accept-Language": "mn-CN"}).get_data(as_text=True)
    options = _options(html)
    assert len(options) > 100
    groups = list(dict.fromkeys(group for group, _value, _text in options))
    assert len(groups) == 12
    assert groups == sorted(groups, key=sort_key)
    for group in groups:
        names = [text for g, _value, text in options if g == group]
        assert names == sorted(names, key=sort_key), group
    # Every value is still a county code: only the order changed.
    expected = {c.code for _league, counties in counties_by_league() for c in counties}
    assert {value for _g, value, _t in options} == expected


def test_register_page_in_chinese_keeps_the_official_order(client) -> None:
    html = client.get("/register", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    codes = [value for _g, value, _t in _options(html)]
    assert codes == [c.code for _league, counties in counties_by_league() for c in counties]


def test_profile_page_lists_counties_in_mongolian_order(client, make) -> None:
    make.user("nara", language="mn")
    client.post("/login", data={"username": "nara", "password": PASSWORD})
    options = _options(client.get("/profile").get_data(as_text=True))
    names = [text for _g, _v, text in options]
    groups = list(dict.fromkeys(g for g, _v, _t in options))
    assert groups == sorted(groups, key=sort_key)
    assert names == [
        n for g in groups for n in sorted((t for gg, _v, t in options if gg == g), key=sort_key)
    ]


def test_contest_page_lists_leagues_in_mongolian_order(client, make) -> None:
    contest = make.contest(league_scheme=LeagueScheme.AGE_GROUP)
    # Added in an order that is neither the Chinese nor the Mongolian one.
    for code, zh, mn in (
        ("public", "公众组", SA + A + LA),  # any Mongolian words do
        ("primary", "小学组", BA + A + GA + A),
        ("middle", "中学组", DA + U + MA + A + DA + U),
    ):
        add_league(contest, code=code, name_zh=zh, name_mn=mn)
    make.user("nara", language="mn")
    client.post("/login", data={"username": "nara", "password": PASSWORD})
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    shown = re.findall(r'<span lang="mn-Mong-CN" class="mn-label">([^<]*)</span>', html)
    mn_names = [SA + A + LA, BA + A + GA + A, DA + U + MA + A + DA + U]
    assert sorted(mn_names, key=sort_key) != mn_names  # the test means something
    assert [n for n in shown if n in mn_names] == sorted(mn_names, key=sort_key)

    client.post("/language/zh", data={})
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    zh = [n for n in re.findall(r'lang="zh-Hans-CN">([^<]*)<', html) if n.endswith("组")]
    assert zh == ["公众组", "小学组", "中学组"]
