"""The bundled starter bank meets the brief: size, coverage, languages, explanations."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import question_bank

BANK = Path(question_bank.__file__).parent / "banks" / "science-literacy.yaml"
AREAS = {
    "life-health",
    "earth-environment",
    "physics-energy",
    "technology-information",
    "scientific-method",
    "safety-emergency",
    "agriculture-herding",
}
MONGOLIAN = re.compile(r"[\u1800-\u18AF]")


def test_size_and_coverage():
    bank = question_bank.load_bank(BANK)
    assert len(bank.questions) >= 150
    per_area = Counter(q.category for q in bank.questions)
    assert set(per_area) == AREAS
    assert min(per_area.values()) >= 20
    assert {str(q.kind) for q in bank.questions} == {"single", "multiple", "truefalse"}
    assert {q.difficulty for q in bank.questions} == {1, 2, 3}


def test_every_question_in_chinese_with_explanation_and_source():
    bank = question_bank.load_bank(BANK)
    for q in bank.questions:
        assert "zh" in q.versions, q.id
        assert q.versions["zh"].explanation, q.id
        assert q.source.strip(), q.id


def test_mongolian_versions_are_real_script_and_marked_unreviewed():
    bank = question_bank.load_bank(BANK)
    in_mn = [q for q in bank.questions if "mn" in q.versions]
    assert len(in_mn) >= 60
    assert {q.category for q in in_mn} == AREAS
    for q in in_mn:
        version = q.versions["mn"]
        assert version.reviewed is False, q.id
        assert MONGOLIAN.search(version.text), q.id
        assert not re.search(r"[\u0400-\u04FF]", version.text), q.id  # no Cyrillic
        assert set(version.options) == set(q.versions["zh"].options), q.id


def test_demo_round_can_be_drawn_in_both_languages():
    from question_bank import Candidate, DrawPool, DrawRule

    bank = question_bank.load_bank(BANK)
    pool = DrawPool.from_candidates(
        Candidate(q.id, q.category, q.difficulty)
        for q in bank.questions
        if {"zh", "mn"} <= set(q.versions)
    )
    rule = DrawRule.from_json([{"count": 2, "category": area} for area in sorted(AREAS)])
    assert len(pool.draw(rule, seed=1)) == 14
