"""The bundled bank carries the self-test: every benchmark can be drawn in both languages.

A self-test (``quiz.practice``) asks at least one question per benchmark and ten method
questions, in the participant's language; so every benchmark B01–B26 needs four questions
with a Chinese and a Mongolian version, and the three method benchmarks (B02, B09, B10)
five each. The Mongolian of those questions and the benchmark names must pass the
checker's certain rules (the probable ones are left for the reviewer).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import question_bank
from question_bank.literacy import BENCHMARKS, Part
from question_bank.mongolian_check import certain, check
from question_bank.transliteration import to_latin

BANK = Path(question_bank.__file__).parent / "banks" / "science-literacy.yaml"
METHOD_BENCHMARKS = {"B02", "B09", "B10"}


@pytest.fixture(scope="module")
def bank():
    return question_bank.load_bank(BANK)


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_every_benchmark_has_enough_questions_in_each_language(bank, language):
    counts = Counter(q.benchmark for q in bank.questions if language in q.versions)
    short = {b: counts[b] for b in BENCHMARKS if counts[b] < (5 if b in METHOD_BENCHMARKS else 4)}
    assert short == {}


def test_enough_method_and_knowledge_questions_for_one_self_test(bank):
    both = [q for q in bank.questions if {"zh", "mn"} <= set(q.versions) and q.benchmark]
    per_part = Counter(q.literacy_part for q in both)
    assert per_part[Part.METHOD.value] >= 15  # a self-test asks 10
    assert per_part[Part.KNOWLEDGE.value] >= 32  # a self-test asks 20


def test_tagged_questions_use_known_benchmarks_and_unique_ids(bank):
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    assert {q.benchmark for q in bank.questions} - {None} <= set(BENCHMARKS)


def test_mongolian_of_the_bank_and_the_benchmark_names_has_no_certain_defect(bank):
    found = []
    for q in bank.questions:
        version = q.versions.get("mn")
        if version is None:
            continue
        for text in (version.text, version.explanation, *version.options.values()):
            found += [(q.id, f.code, to_latin(f.word)) for f in certain(check(text or ""))]
    for benchmark in BENCHMARKS.values():
        assert benchmark.mn, benchmark.id
        found += [(benchmark.id, f.code, to_latin(f.word)) for f in certain(check(benchmark.mn))]
    assert found == []
