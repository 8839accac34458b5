"""The science-literacy frame a self-test is built on.

《中国公民科学素质基准》 (2016) names 26 benchmarks; the national civic science-literacy
survey scores four parts out of 100. A question may carry one benchmark and one part in
the bank file (``benchmark: B07``, ``part: method``); a benchmark implies its usual part,
so ``part`` is only written where a question tests another. The self-test
(``quiz.practice``) draws over these so every benchmark is covered, and scores per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Part(StrEnum):
    """The survey's four parts, in the order the result page lists them."""

    KNOWLEDGE = "knowledge"
    METHOD = "method"
    SPIRIT = "spirit"
    APPLICATION = "application"


PART_POINTS: dict[Part, int] = {
    Part.KNOWLEDGE: 40,
    Part.METHOD: 20,
    Part.SPIRIT: 20,
    Part.APPLICATION: 20,
}
"""Points of each part in a self-test of 100 (the survey's weighting)."""


@dataclass(frozen=True)
class Benchmark:
    """One of the 26 benchmarks; ``part`` is the part its questions usually test."""

    id: str
    part: Part
    zh: str
    mn: str = ""
    """Filled in where the Mongolian is written; the Chinese stands in until then."""

    def name(self, language: str) -> str:
        return (self.mn or self.zh) if language == "mn" else self.zh


_ROWS: tuple[tuple[Part, str], ...] = (
    (Part.SPIRIT, "知道世界是可被认知的，能以科学的态度认识世界"),
    (Part.METHOD, "知道用系统的方法分析问题、解决问题"),
    (Part.SPIRIT, "具有基本的科学精神，了解科学技术研究的基本过程"),
    (Part.SPIRIT, "具有创新意识，理解和支持科技创新"),
    (Part.SPIRIT, "了解科学、技术与社会的关系，认识到技术产生的影响具有两面性"),
    (Part.SPIRIT, "树立生态文明理念，与自然和谐相处"),
    (Part.SPIRIT, "树立可持续发展理念，有效利用资源"),
    (Part.SPIRIT, "崇尚科学，具有辨别信息真伪的基本能力"),
    (Part.METHOD, "掌握获取知识或信息的科学方法"),
    (Part.METHOD, "掌握基本的数学运算和逻辑思维能力"),
    (Part.KNOWLEDGE, "掌握基本的物理知识"),
    (Part.KNOWLEDGE, "掌握基本的化学知识"),
    (Part.KNOWLEDGE, "掌握基本的天文知识"),
    (Part.KNOWLEDGE, "掌握基本的地球科学和地理知识"),
    (Part.KNOWLEDGE, "了解生命现象、生物多样性与进化的基本知识"),
    (Part.KNOWLEDGE, "了解人体生理知识"),
    (Part.KNOWLEDGE, "知道常见疾病和安全用药的常识"),
    (Part.KNOWLEDGE, "掌握饮食、营养的基本知识，养成良好生活习惯"),
    (Part.APPLICATION, "掌握安全出行基本知识，能正确使用交通工具"),
    (Part.APPLICATION, "掌握安全用电、用气等常识，能正确使用家用电器和电子产品"),
    (Part.APPLICATION, "了解农业生产的基本知识和方法"),
    (Part.APPLICATION, "具备基本劳动技能，能正确使用相关工具与设备"),
    (Part.APPLICATION, "具有安全生产意识，遵守生产规章制度和操作规程"),
    (Part.APPLICATION, "掌握常见事故的救援知识和急救方法"),
    (Part.APPLICATION, "掌握自然灾害的防御和应急避险的基本方法"),
    (Part.APPLICATION, "了解环境污染的危害及其应对措施，合理利用土地资源和水资源"),
)

BENCHMARKS: dict[str, Benchmark] = {
    f"B{number:02d}": Benchmark(f"B{number:02d}", part, zh)
    for number, (part, zh) in enumerate(_ROWS, start=1)
}
"""The 26 benchmarks by id (``B01`` … ``B26``), in the document's order."""


def part_of(benchmark: str | None, part: str | None) -> Part | None:
    """The part a question counts towards: its own, else its benchmark's usual one."""
    if part:
        return Part(part)
    if benchmark:
        return BENCHMARKS[benchmark].part
    return None
