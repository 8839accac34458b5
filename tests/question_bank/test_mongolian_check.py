"""The Mongolian text checker: each rule finds its defect and leaves good text alone.

Texts are written in the project's transliteration (``question_bank.transliteration``):
``_`` is NNBSP, ``-`` is MVS, ``N`` is ng, capitals are the front vowels ö ü.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank.mongolian_check import CODES, MESSAGES, Finding, certain, check, fix
from question_bank.transliteration import to_latin
from question_bank.transliteration import to_mongolian as mn


def codes(text: str, **kwargs) -> list[tuple[str, bool]]:
    return [(f.code, f.certain) for f in check(text, **kwargs)]


def only(text: str) -> Finding:
    found = check(text)
    assert len(found) == 1, [(f.code, to_latin(f.text)) for f in found]
    return found[0]


# -- clean text stays clean -------------------------------------------------------------

GOOD = [
    "asagulta_yin tog-a",  # genitive after a vowel, MVS word
    "tan_u soNgolta",  # genitive after n
    "qereglegci_yin ner-e_yi qereglejU bolqu Ugei",
    "onug-a_yin jerge",  # a suffix after the separated final vowel
    "tegUn_ece olan",  # ablative, front
    "asagulta_aca",  # ablative, back
    "bicig_Un",  # i-only stem takes front suffixes
    "qoyar_un qogorondu",  # genitive after r
    "qeseg_tU",  # dative after g
    "ger_tU",  # after r
    "qota_du",  # after a vowel
    "temcegen_dU",  # after n
    "Kod_iyar batalagulun-a uu",  # polite request, instrumental after a consonant
    "nige_yi ni Uldegen-e UU",
    "saN_un",  # ng is one letter
    "moNgol qele",
    "aNgi_yin ner-e",
    "ajil_un debter_tU",
    "porogram_dagan nemen-e UU",  # dative reflexive after m
    "qarigu_ban",  # reflexive after a vowel
    "door-a",  # a written word with a doubled vowel
    "qOqeqota_yin surgaguli",  # Hohhot: a compound on the allow-list
    "tEgnig ba medegelel",  # a loanword with ē mixes freely
    "Kompiyuter",  # loanword letters
    "l tUr",  # tür "for a while" is a word after a plain space
    "bayiqu Ugei",
    "bayibal ber",  # the particle ber "even" follows a plain space and never inflects
    "xaN d1U siyan",  # 商都: d1U is a syllable of the name, not the dative
]


@pytest.mark.parametrize("latin", GOOD)
def test_good_text_has_no_finding(latin: str) -> None:
    text = mn(latin)
    assert check(text) == [], [(f.code, to_latin(f.text)) for f in check(text)]


def test_placeholders_latin_words_and_digits_are_left_alone() -> None:
    for latin in (
        "{%(count)d} asagulta",
        "{%(key)s} ni {yes} buyu {no (是/否)} bayiqu yosutai",
        "{Moodle}_un onug-a",
        "{CSV UTF-8} qelberi_ber",
        "{2026} on",
    ):
        assert check(mn(latin)) == [], latin
    assert check("{{ name }} " + mn("bolun-a")) == []  # a Jinja expression


# -- certain defects ---------------------------------------------------------------------


def test_ng_typed_as_n_and_g() -> None:
    for wrong, right in (("sang", "saN"), ("dangsa", "daNsa"), ("monggol", "moNgol")):
        finding = only(mn(wrong))
        assert (finding.code, finding.certain) == ("ng-split", True)
        text = mn(wrong)
        fixed = text[: finding.span[0]] + finding.suggestion + text[finding.span[1] :]
        assert fixed == mn(right)


def test_n_g_before_a_vowel_is_certain_only_for_known_roots() -> None:
    assert codes(mn("angi")) == [("ng-split", True)]  # aNgi "class"
    finding = only(mn("angilal"))
    assert finding.certain and finding.suggestion == mn("Ng")
    # elsewhere n + g + vowel can be a syllable boundary (a Chinese name): for review
    assert codes(mn("angua")) == [("ng-split", False)]


def test_plain_space_before_a_case_suffix() -> None:
    text = mn("asagulta yin tog-a")
    finding = only(text)
    assert finding.code == "nnbsp-missing" and finding.certain
    assert finding.text == " " and finding.suggestion == "\u202f"
    assert codes(mn("{Excel} un")) == [("nnbsp-missing", True)]


@pytest.mark.parametrize("latin", ["bag_a", "bag a", "onuga", "toga", "nere_yin"])
def test_separated_final_vowel_needs_mvs(latin: str) -> None:
    finding = only(mn(latin))
    assert (finding.code, finding.certain) == ("mvs-missing", True)


def test_polite_request_needs_mvs_and_an_agreeing_particle() -> None:
    assert codes(mn("bicine UU")) == [("mvs-missing", True)]
    finding = only(mn("oroldon-a UU"))
    assert (finding.code, finding.certain, finding.suggestion) == (
        "suffix-harmony",
        True,
        mn("uu"),
    )


def test_mvs_only_before_a_final_vowel() -> None:
    assert codes("A\u180eH") == [("mvs-stray", True)]
    assert codes(mn("tog-ab")) == [("mvs-stray", True)]
    assert only(mn("tan-u")).suggestion == "\u202f"  # a suffix wants NNBSP


def test_doubled_vowels_of_cyrillic_spelling() -> None:
    for latin in ("neegegdegsen", "qaagdasan", "OOrciljU"):
        assert ("cyrillic-double-vowel", True) in codes(mn(latin)), latin


def test_known_misspellings_name_the_written_form() -> None:
    for wrong, right in (
        ("too", "tog-a"),
        ("onoo", "onug-a"),
        ("tiyim", "teimU"),
        ("ustgaqu", "usadqaqu"),
        ("UbUr", "ObUr"),  # same glyphs, different code points
        ("surguguli", "surgaguli"),
    ):
        finding = only(mn(wrong))
        assert (finding.code, finding.suggestion) == ("misspelling", mn(right))


def test_known_wrong_stems_with_any_ending() -> None:
    finding = only(mn("ustgagdaba"))
    assert (finding.code, finding.corrected) == ("misspelling", mn("usadqagdaba"))
    assert only(mn("niyitelegdebe")).corrected == mn("neyitelegdebe")


def test_ugei_with_u() -> None:
    finding = only(mn("bayiqu ugei"))
    assert (finding.code, finding.certain) == ("ugei", True)
    assert finding.suggestion == mn("U")


def test_romanisation_leaks() -> None:
    assert codes(mn("ganchu")) == [("romanisation", True)]  # ch spelt c + h
    assert ("romanisation", True) in codes(mn("tushaa"))
    assert codes("ᠮᠣᠩᠭᠣᠯa") == [("romanisation", True)]  # a Latin letter glued on
    assert codes(mn("asagulta") + " мэдээ") == [("romanisation", True)]  # Cyrillic


@pytest.mark.parametrize(
    ("latin", "right"),
    [
        ("nigur_ece", "aca"),  # back stem, front suffix
        ("qele_du", "dU"),
        ("asagulta_tei", "tai"),
        ("oroljagsan_U", "u"),
        ("yagu_ber", "bar"),
        ("tog-e", "a"),  # the separated final vowel too
    ],
)
def test_suffix_harmony(latin: str, right: str) -> None:
    finding = only(mn(latin))
    assert (finding.code, finding.certain, finding.suggestion) == (
        "suffix-harmony",
        True,
        mn(right),
    )


@pytest.mark.parametrize(
    ("latin", "right"),
    [
        ("asagulta_un", "yin"),  # genitive after a vowel
        ("tan_un", "u"),  # after n
        ("saN_u", "un"),  # after another consonant
        ("qubi_iyar", "bar"),  # instrumental after a vowel
        ("debter_dU", "tU"),  # dative after r
        ("nigur_du", "tu"),
        ("qota_tu", "du"),
        ("qeseg_deqi", "teqi"),
        ("dor_dagan", "tagan"),
        ("qele_i", "yi"),
    ],
)
def test_suffix_form(latin: str, right: str) -> None:
    finding = only(mn(latin))
    assert (finding.code, finding.certain, finding.suggestion) == ("suffix-form", True, mn(right))


def test_suffix_after_a_placeholder() -> None:
    for text in ("%(league)s\u202f" + mn("dU"), "%(n)d " + mn("aca"), "{name}\u202f" + mn("yin")):
        finding = only(text)
        assert (finding.code, finding.certain) == ("suffix-after-placeholder", True)


# -- for a native reviewer ---------------------------------------------------------------


def test_mixed_vowels_are_for_review_and_names_can_be_allowed() -> None:
    assert codes(mn("Ogugsen")) == [("mixed-harmony", False)]
    assert codes(mn("baynUr")) == [("mixed-harmony", False)]
    assert check(mn("baynUr"), allow=[mn("baynUr")]) == []


def test_i_only_stem_with_a_back_suffix_is_for_review() -> None:
    assert codes(mn("bicig_aca")) == [("suffix-harmony", False)]


# -- the finding itself ------------------------------------------------------------------


def test_finding_carries_span_context_and_a_translatable_message() -> None:
    text = mn("ene asagulta yin")
    finding = only(mn("ene asagulta yin"))
    assert text[slice(*finding.span)] == finding.text == " "
    found = check(text, context="Question %(n)d")
    assert found[0].context == "Question %(n)d"
    assert finding.msgid == MESSAGES["nnbsp-missing"]
    assert "U+202F" in finding.message
    assert finding.word == mn("asagulta yin") and finding.word_start == len(mn("ene "))
    assert finding.corrected == mn("asagulta_yin")
    translated = finding.localized(lambda msgid: "<" + msgid + ">")
    assert translated.startswith("<" + mn("asagulta yin") + ":")


def test_every_code_has_a_message_and_certain_filters() -> None:
    assert set(CODES) == set(MESSAGES)
    found = check(mn("Ogugsen sang"))
    assert {f.code for f in certain(found)} == {"ng-split"}


def test_findings_are_ordered_by_position() -> None:
    found = check(mn("sang yin ugei"))
    assert [f.span for f in found] == sorted(f.span for f in found)
    assert [f.code for f in found] == ["ng-split", "nnbsp-missing", "suffix-form", "ugei"]


def test_fix_applies_the_certain_suggestions_only() -> None:
    text = mn("UbUr moNgol un sang yin Ogugsen")
    assert fix(text) == mn("ObUr moNgol_un saN_un Ogugsen")  # Ogugsen is for review
    assert fix(mn("asagulta_yin tog-a")) == mn("asagulta_yin tog-a")


PIECES = [
    *(chr(code) for code in range(0x1820, 0x1843)),
    "\u180b",
    "\u180e",
    "\u202f",
    " ",
    "\u1802",
    "%(n)d",
    "{name}",
    "ab",
    "7",
    "\u1811",
    "мэ",
    *(mn(latin) for latin in ("_yin", "_du", " aca", "-a", "ng", "ugei", "aa", " uu")),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24))
def test_any_text_is_checked_without_error_and_spans_hold(pieces: list[str]) -> None:
    text = "".join(pieces)
    for finding in check(text, context="fuzz"):
        assert finding.code in CODES
        assert text[slice(*finding.span)] == finding.text
        start = finding.word_start
        assert text[start : start + len(finding.word)] == finding.word
        assert finding.message and finding.context == "fuzz"
        if finding.suggestion is not None:
            assert finding.corrected is not None
    assert isinstance(fix(text), str)
