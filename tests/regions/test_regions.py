"""Region reference data: the 12 盟市 and 103 旗县/市/区 of Inner Mongolia (GB/T 2260)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from quiz.extensions import db
from quiz.regions.models import COUNTY_LEVEL, LEAGUE_LEVEL, Region

# Characters a traditional-script Mongolian name may contain besides the letters of the
# Mongolian block (U+1800–U+18AF, which also holds FVS1–3 and MVS): a space, FVS4
# (U+180F), ZWNJ/ZWJ and the suffix connector NNBSP (U+202F).
MONGOLIAN_EXTRAS = {" ", "\u180f", "\u200c", "\u200d", "\u202f"}

LEAGUES = {
    "150100": "呼和浩特市",
    "150200": "包头市",
    "150300": "乌海市",
    "150400": "赤峰市",
    "150500": "通辽市",
    "150600": "鄂尔多斯市",
    "150700": "呼伦贝尔市",
    "150800": "巴彦淖尔市",
    "150900": "乌兰察布市",
    "152200": "兴安盟",
    "152500": "锡林郭勒盟",
    "152900": "阿拉善盟",
}


def _regions(level: str) -> list[Region]:
    return list(db.session.scalars(select(Region).where(Region.level == level)))


def test_twelve_leagues_and_103_counties_after_migrations(app):
    leagues = _regions(LEAGUE_LEVEL)
    counties = _regions(COUNTY_LEVEL)
    assert {r.code: r.name_zh for r in leagues} == LEAGUES
    assert len(counties) == 103
    assert db.session.scalar(select(func.count()).select_from(Region)) == 115


def test_codes_follow_gb_t_2260(app):
    hohhot = db.session.get(Region, "150100")
    assert (hohhot.name_zh, hohhot.level, hohhot.parent_code) == ("呼和浩特市", "league", None)
    xincheng = db.session.get(Region, "150102")
    assert (xincheng.name_zh, xincheng.level, xincheng.parent_code) == (
        "新城区",
        "county",
        "150100",
    )
    assert db.session.get(Region, "152921").name_zh == "阿拉善左旗"
    assert db.session.get(Region, "150781").name_zh == "满洲里市"
    for region in _regions(LEAGUE_LEVEL) + _regions(COUNTY_LEVEL):
        assert re.fullmatch(r"15\d{4}", region.code), region.code
    for league in _regions(LEAGUE_LEVEL):
        assert league.code.endswith("00")


def test_every_county_belongs_to_a_league_with_its_prefix(app):
    leagues = {r.code for r in _regions(LEAGUE_LEVEL)}
    per_league = dict.fromkeys(leagues, 0)
    for county in _regions(COUNTY_LEVEL):
        assert county.parent_code in leagues, county.code
        assert county.code[:4] == county.parent_code[:4], county.code
        assert not county.code.endswith("00")
        per_league[county.parent_code] += 1
    assert all(per_league.values()), per_league  # no league without counties


def test_names_are_unique_within_their_league(app):
    seen: set[tuple[str | None, str]] = set()
    for region in _regions(LEAGUE_LEVEL) + _regions(COUNTY_LEVEL):
        key = (region.parent_code, region.name_zh)
        assert key not in seen, key
        seen.add(key)


def test_every_mongolian_name_is_traditional_script(app):
    for region in _regions(LEAGUE_LEVEL) + _regions(COUNTY_LEVEL):
        name = region.name_mn
        assert name and name == name.strip(), region.code
        assert any("\u1820" <= ch <= "\u18aa" for ch in name), region.code  # has letters
        for ch in name:
            assert "\u1800" <= ch <= "\u18af" or ch in MONGOLIAN_EXTRAS, (region.code, hex(ord(ch)))
        assert "  " not in name


def test_api_regions_shape(client):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.max_age > 0
    body = response.json
    assert list(body) == ["regions"]
    regions = body["regions"]
    assert len(regions) == 115
    for region in regions:
        assert {"code", "name", "level", "parent"} <= set(region)
        assert set(region["name"]) == {"zh", "mn"}
        assert region["level"] in {"league", "county"}
        assert (region["parent"] is None) is (region["level"] == "league")
    by_code = {r["code"]: r for r in regions}
    assert by_code["150100"]["name"]["zh"] == "呼和浩特市"
    assert by_code["150100"]["parent"] is None
    assert by_code["150102"]["name"]["zh"] == "新城区"
    assert by_code["150102"]["parent"] == "150100"
    assert by_code["150102"]["level"] == "county"
    # A league comes before its counties, so clients can build the tree in one pass.
    position = {r["code"]: i for i, r in enumerate(regions)}
    for region in regions:
        if region["parent"]:
            assert position[region["parent"]] < position[region["code"]]


def test_api_regions_needs_no_login_and_no_language(client):
    zh = client.get("/api/v1/regions", headers={"Accept-Language": "zh-CN"}).json
    mn = client.get("/api/v1/regions", headers={"Accept-Language": "mn-CN"}).json
    assert zh == mn  # both names are always sent; the client picks
