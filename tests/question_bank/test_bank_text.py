"""Text handling for Chinese and traditional Mongolian: NFC, tokens, folded and sort keys."""

import unicodedata

import pytest

from question_bank import fold_key, mongolian_words, normalize, sort_key

NNBSP = "\u202f"
MVS = "\u180e"
FVS1, FVS2, FVS3, FVS4 = "\u180b", "\u180c", "\u180d", "\u180f"
ZWNJ, ZWJ = "\u200c", "\u200d"
MONGOL = "ᠮᠣᠩᠭᠣᠯ"  # mongɣol
BICHIG = "ᠪᠢᠴᠢᠭ"  # bičig
UN = "ᠤᠨ"  # genitive suffix -un, joined to its word by NNBSP


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Cafe\u0301 ", "Café"),  # NFC composes
        ("\ufb01", "\ufb01"),  # NFKC would turn the ligature into "fi"
        ("ＡＢ１", "ＡＢ１"),  # NFKC would narrow full-width letters
        (f"{MONGOL}{NNBSP}{UN}", f"{MONGOL}{NNBSP}{UN}"),  # NFKC would make NNBSP a space
        (f"ᠰᠠᠷ{MVS}ᠠ", f"ᠰᠠᠷ{MVS}ᠠ"),
        ("第一行\r\n第二行\u2028第三行\r", "第一行\n第二行\n第三行"),
        ("\n\t 题目 \u3000", "题目"),
    ],
)
def test_normalize_is_nfc_and_strip_never_nfkc(raw: str, stored: str) -> None:
    assert normalize(raw) == stored
    assert unicodedata.is_normalized("NFC", normalize(raw))


def test_mongolian_words_keep_suffixes_joined_by_nnbsp() -> None:
    text = f"{MONGOL}{NNBSP}{UN} {BICHIG}"
    assert mongolian_words(text) == [f"{MONGOL}{NNBSP}{UN}", BICHIG]
    assert len(text.split()) == 3  # why str.split is not used: NNBSP counts as whitespace


def test_mongolian_words_keep_selectors_and_separators_inside() -> None:
    words = [f"ᠭ{FVS1}ᠠ", f"ᠰᠠᠷ{MVS}ᠠ", f"ᠠ{ZWJ}ᠪ{FVS4}", f"ᠴ{ZWNJ}ᠠ{FVS2}{FVS3}"]
    assert mongolian_words(" ".join(words)) == words


def test_mongolian_words_skip_chinese_latin_and_mongolian_punctuation() -> None:
    text = f"蒙古文《{MONGOL}᠂{BICHIG}᠃》 abc 123"
    assert mongolian_words(text) == [MONGOL, BICHIG]


def test_a_stray_suffix_connector_is_not_a_word() -> None:
    assert mongolian_words(f"ᠠ {NNBSP} ᠪ") == ["ᠠ", "ᠪ"]
    assert mongolian_words(f"{MONGOL} {NNBSP}{UN}") == [MONGOL, UN]
    assert mongolian_words(f"{FVS1}{MVS}") == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ᠣ", "ᠤ"),  # o and u look alike
        ("ᠥ", "ᠦ"),  # ö and ü look alike
        ("\u1832", "\u1833"),  # ta and da (medial t/d in some fonts)
        (f"{MONGOL}{NNBSP}{UN}", "ᠮᠤᠩᠭᠤᠯᠤᠨ"),
        (f"ᠭ{FVS1}ᠠ", "ᠭᠠ"),
        (f"ᠭ{FVS4}ᠠ", f"ᠭ{FVS2}ᠠ"),
        (f"ᠰᠠᠷ{MVS}ᠠ", "ᠰᠠᠷᠠ"),
        (f"ᠠ{ZWJ}ᠪ{ZWNJ}", "ᠠᠪ"),
        ("Vaccine DNA", "vaccine dna"),
        ("Straße", "STRASSE"),
        ("  疫苗 \t\n 接种  ", "疫苗 接种"),
        ("Cafe\u0301", "café"),
    ],
)
def test_fold_key_merges_what_readers_cannot_tell_apart(one: str, other: str) -> None:
    assert fold_key(one) == fold_key(other)


@pytest.mark.parametrize(
    ("one", "other"), [("ᠠ", "ᠡ"), ("ᠪᠢ", "ᠪᠠ"), ("疫苗", "疫情"), ("a b", "ab")]
)
def test_fold_key_keeps_different_words_apart(one: str, other: str) -> None:
    assert fold_key(one) != fold_key(other)


def test_fold_key_of_chinese_is_the_text_itself() -> None:
    assert fold_key("接种疫苗的主要作用是什么？") == "接种疫苗的主要作用是什么？"


def test_sort_key_drops_shaping_characters_but_keeps_nnbsp() -> None:
    assert sort_key(f"ᠭ{FVS1}ᠠ{ZWJ}") == "ᠭᠠ"
    assert sort_key(f"ᠰᠠᠷ{MVS}ᠠ{ZWNJ}") == "ᠰᠠᠷᠠ"
    assert sort_key(f"{MONGOL}{NNBSP}{UN}") == f"{MONGOL}{NNBSP}{UN}"


def test_sorting_is_code_point_order_without_selectors() -> None:
    words = ["ᠪᠢᠴᠢᠭ", f"ᠠ{FVS2}ᠯᠠ", "ᠡᠷᠡ", f"ᠠ{MVS}ᠠ", "ᠠᠪ"]
    assert sorted(words, key=sort_key) == [f"ᠠ{MVS}ᠠ", "ᠠᠪ", f"ᠠ{FVS2}ᠯᠠ", "ᠡᠷᠡ", "ᠪᠢᠴᠢᠭ"]
