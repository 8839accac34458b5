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

from question_bank.transliteration import to_mongolian


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


# The Mongolian names are written in the project's transliteration
# (``question_bank.transliteration``) and converted below; drafted, not yet reviewed.
_ROWS: tuple[tuple[Part, str, str], ...] = (
    (
        Part.SPIRIT,
        "知道世界是可被认知的，能以科学的态度认识世界",
        "yirtincU_yi tanin medejU bolqu_yi medejU, sinjileqU uqagan_u qandulg-a_bar yirtincU_yi "
        "tanin medeqU",
    ),
    (
        Part.METHOD,
        "知道用系统的方法分析问题、解决问题",
        "sistem_Un arg-a_bar asagudal_i sinjilejU sigidqeqU_yi medeqU",
    ),
    (
        Part.SPIRIT,
        "具有基本的科学精神，了解科学技术研究的基本过程",
        "sinjileqU uqagan_u UndUsUn sedqil_tei bolju, sinjileqU uqagan tegnig_Un sudulgan_u "
        "UndUsUn yabuca_yi oyilgaqu",
    ),
    (
        Part.SPIRIT,
        "具有创新意识，理解和支持科技创新",
        "sin-e_yi bUtegeqU uqamsar_tai bolju, sinjileqU uqagan tegnig_Un sin-e bUtegel_i "
        "oyilgaju demjiqU",
    ),
    (
        Part.SPIRIT,
        "了解科学、技术与社会的关系，认识到技术产生的影响具有两面性",
        "sinjileqU uqagan, tegnig ba neyigem_Un qarilcag-a_yi oyilgaju, tegnig_Un nOlOge qoyar "
        "tal-a_tai_yi tanin medeqU",
    ),
    (
        Part.SPIRIT,
        "树立生态文明理念，与自然和谐相处",
        "amidural orcin_u soyol_un uqagdaqun_i togtagaju, bayigal_tai eb qamtu orosiqu",
    ),
    (
        Part.SPIRIT,
        "树立可持续发展理念，有效利用资源",
        "tOgOldUr qOgjil_Un uqagdaqun_i togtagaju, bayalig_i Ur-e asigtai qeregleqU",
    ),
    (
        Part.SPIRIT,
        "崇尚科学，具有辨别信息真伪的基本能力",
        "sinjileqU uqagan_i erqimlejU, medege_yin Unen qudal_i ilgaqu UndUsUn cidal_tai bolqu",
    ),
    (
        Part.METHOD,
        "掌握获取知识或信息的科学方法",
        "medelge buyu medege olqu sinjileqU uqagan_u arg-a_yi ejemdeqU",
    ),
    (
        Part.METHOD,
        "掌握基本的数学运算和逻辑思维能力",
        "UndUsUn tog-a bodolga ba logiq sedqilge_yin cidal_i ejemdeqU",
    ),
    (Part.KNOWLEDGE, "掌握基本的物理知识", "UndUsUn fizig_Un medelge_yi ejemdeqU"),
    (Part.KNOWLEDGE, "掌握基本的化学知识", "UndUsUn qimi_yin medelge_yi ejemdeqU"),
    (Part.KNOWLEDGE, "掌握基本的天文知识", "UndUsUn odun oron_u medelge_yi ejemdeqU"),
    (
        Part.KNOWLEDGE,
        "掌握基本的地球科学和地理知识",
        "deleqei_yin sinjileqU uqagan ba gajar jUi_yin UndUsUn medelge_yi ejemdeqU",
    ),
    (
        Part.KNOWLEDGE,
        "了解生命现象、生物多样性与进化的基本知识",
        "amidural_un Ujegdel, amitan urgumal_un olan jUil ba qubisal_un UndUsUn medelge_yi "
        "oyilgaqu",
    ),
    (Part.KNOWLEDGE, "了解人体生理知识", "qUmUn_U bey-e_yin Uiledel_Un medelge_yi oyilgaqu"),
    (
        Part.KNOWLEDGE,
        "知道常见疾病和安全用药的常识",
        "jergelig ebedcin ba em_i ayulgui qeregleqU UndUsUn medelge_yi medeqU",
    ),
    (
        Part.KNOWLEDGE,
        "掌握饮食、营养的基本知识，养成良好生活习惯",
        "idegen umdagan ba sim-e tejigel_Un UndUsUn medelge_yi ejemdejU, sayin amidural_un dadul "
        "bolgaqu",
    ),
    (
        Part.APPLICATION,
        "掌握安全出行基本知识，能正确使用交通工具",
        "ayulgui yabuqu UndUsUn medelge_yi ejemdejU, terge unagan_i jOb qeregleqU",
    ),
    (
        Part.APPLICATION,
        "掌握安全用电、用气等常识，能正确使用家用电器和电子产品",
        "caqilgan, qiy-a_yi ayulgui qeregleqU medelge_yi ejemdejU, ger_Un caqilgan bagaji ba "
        "eleqtron ed_i jOb qeregleqU",
    ),
    (
        Part.APPLICATION,
        "了解农业生产的基本知识和方法",
        "tariyalaN_un UiledbUrilel_Un UndUsUn medelge ba arg-a_yi oyilgaqu",
    ),
    (
        Part.APPLICATION,
        "具备基本劳动技能，能正确使用相关工具与设备",
        "UndUsUn ajil qodulmur_un cidabqi_tai bolju, qolbogdaqu bagaji tOqOgeremji_yi jOb "
        "qeregleqU",
    ),
    (
        Part.APPLICATION,
        "具有安全生产意识，遵守生产规章制度和操作规程",
        "ayulgui UiledbUrilel_Un uqamsar_tai bolju, UiledbUrilel_Un dUrim ba ajillaqu jurum_i "
        "saqiqu",
    ),
    (
        Part.APPLICATION,
        "掌握常见事故的救援知识和急救方法",
        "jergelig osol_un abural_un medelge ba yaralig tusalamji_yin arg-a_yi ejemdeqU",
    ),
    (
        Part.APPLICATION,
        "掌握自然灾害的防御和应急避险的基本方法",
        "bayigali_yin gamsig_aca qamagalaqu ba yaralig_tu jayilan jailaqu UndUsUn arg-a_yi "
        "ejemdeqU",
    ),
    (
        Part.APPLICATION,
        "了解环境污染的危害及其应对措施，合理利用土地资源和水资源",
        "orcin bujarlal_un qour ba tegUn_U esergU arg-a_yi oyilgaju, gajar usu_yin nOgOce_yi jOb "
        "qeregleqU",
    ),
)

BENCHMARKS: dict[str, Benchmark] = {
    f"B{number:02d}": Benchmark(f"B{number:02d}", part, zh, to_mongolian(mn))
    for number, (part, zh, mn) in enumerate(_ROWS, start=1)
}
"""The 26 benchmarks by id (``B01`` … ``B26``), in the document's order."""


def part_of(benchmark: str | None, part: str | None) -> Part | None:
    """The part a question counts towards: its own, else its benchmark's usual one."""
    if part:
        return Part(part)
    if benchmark:
        return BENCHMARKS[benchmark].part
    return None
