"""A bank tagged with the science-literacy frame, for self-test tests: ``per_benchmark``
questions for each of the 26 benchmarks, in Chinese and (optionally) Mongolian, every
third one a true/false, imported through the bank import service."""

from __future__ import annotations

from datetime import datetime

from question_bank import Kind
from question_bank.literacy import BENCHMARKS
from question_bank.model import Bank, Category, Question, Version
from quiz.banks.models import QuestionBank
from quiz.banks.services import import_bank


def literacy_bank(per_benchmark: int = 4, *, with_mn: bool = True, skip: str = "") -> Bank:
    questions = []
    for benchmark in BENCHMARKS:
        if benchmark == skip:
            continue
        for n in range(1, per_benchmark + 1):
            tf = n % 3 == 0
            keys = ("T", "F") if tf else ("A", "B", "C", "D")
            answer = ("T",) if tf else ("B",)
            zh = {"T": "正确", "F": "错误"} if tf else {k: f"{benchmark}选项{k}" for k in keys}
            versions = {
                "zh": Version(
                    text=f"{benchmark}第{n}题", options=zh, explanation=f"{benchmark}解释{n}"
                )
            }
            if with_mn:
                mn = (
                    {"T": "ᠵᠥᠪ", "F": "ᠪᠤᠷᠤᠭᠤ"}
                    if tf
                    else {k: f"ᠰᠣᠩᠭᠣᠯᠲᠠ {benchmark}{k}" for k in keys}
                )
                versions["mn"] = Version(
                    text=f"ᠠᠰᠠᠭᠤᠯᠲᠠ {benchmark} {n}",
                    options=mn,
                    explanation=f"ᠲᠠᠶᠢᠯᠪᠤᠷᠢ {benchmark} {n}",
                    reviewed=False,
                )
            questions.append(
                Question(
                    id=f"lit-{benchmark}-{n}",
                    kind=Kind.TRUEFALSE if tf else Kind.SINGLE,
                    category="literacy",
                    difficulty=1 + n % 3,
                    answer=answer,
                    option_keys=keys,
                    source="test",
                    versions=versions,
                    benchmark=benchmark,
                    literacy_part=BENCHMARKS[benchmark].part.value,
                )
            )
    return Bank(
        id="literacy-test",
        title={"zh": "素质测试题库"},
        categories=(Category(id="literacy", name={"zh": "科学素质"}),),
        questions=tuple(questions),
    )


def import_literacy_bank(now: datetime, **kwargs: object) -> QuestionBank:
    row, _, _ = import_bank(literacy_bank(**kwargs), now)  # type: ignore[arg-type]
    return row
