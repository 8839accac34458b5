"""A valid bank is read into the right values."""

from pathlib import Path

from question_bank import TRUE_FALSE_LABELS, Kind, load_bank, parse_bank

DATA = Path(__file__).parent / "data"
NNBSP = "\u202f"
MVS = "\u180e"


def test_good_bank_values() -> None:
    bank = load_bank(DATA / "good.yaml")

    assert bank.id == "science-sample"
    assert bank.title == {"zh": "科学素质样题", "mn": "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ"}
    assert [category.id for category in bank.categories] == ["life-health", "earth-space"]
    assert bank.categories[1].name == {"zh": "地球与宇宙"}
    assert bank.filename == str(DATA / "good.yaml")
    assert [question.id for question in bank.questions] == ["lh-001", "lh-002", "es-001"]


def test_single_question_in_two_languages() -> None:
    single = load_bank(DATA / "good.yaml").questions[0]

    assert single.kind is Kind.SINGLE
    assert single.category == "life-health"
    assert single.difficulty == 1
    assert single.answer == ("B",)
    assert single.option_keys == ("A", "B", "C", "D")
    assert single.source == "《中国公民科学素质基准》第 51 条"
    assert single.tags == ("vaccine", "health")
    assert single.line == 13
    assert single.languages == ("zh", "mn")
    zh, mn = single.versions["zh"], single.versions["mn"]
    assert zh.options["B"] == "使身体产生针对特定病原体的免疫力"
    assert zh.explanation == "疫苗模拟病原体，刺激免疫系统产生记忆。"
    assert zh.reviewed is True
    assert mn.reviewed is False
    assert mn.explanation is None
    assert list(mn.options) == ["A", "B", "C", "D"]
    # The suffix connector and the vowel separator survive loading (NFC, never NFKC).
    assert f"ᠲᠠᠷᠢᠯᠭ{MVS}ᠠ{NNBSP}ᠶᠢᠨ" in mn.text


def test_multiple_answer_is_put_in_option_order() -> None:
    multiple = load_bank(DATA / "good.yaml").questions[1]

    assert multiple.kind is Kind.MULTIPLE
    assert multiple.answer == ("A", "C")  # written as [C, A]
    assert multiple.languages == ("zh",)
    assert multiple.versions["zh"].explanation == "蛋白质和维生素都是必需营养素。\n塑料不是营养素。"


def test_truefalse_gets_its_labels_from_the_library() -> None:
    truefalse = load_bank(DATA / "good.yaml").questions[2]

    assert truefalse.kind is Kind.TRUEFALSE
    assert truefalse.answer == ("T",)
    assert truefalse.option_keys == ("T", "F")
    assert truefalse.versions["zh"].options == {"T": "正确", "F": "错误"}
    assert truefalse.versions["mn"].options == TRUE_FALSE_LABELS["mn"]


def test_true_false_labels_spell_jöb_and_buruγu() -> None:
    assert [hex(ord(ch)) for ch in TRUE_FALSE_LABELS["mn"]["T"]] == ["0x1835", "0x1825", "0x182a"]
    assert TRUE_FALSE_LABELS["mn"]["F"] == "\u182a\u1824\u1837\u1824\u182d\u1824"


def test_text_is_nfc_and_stripped_and_numbers_stay_as_written() -> None:
    bank = parse_bank(
        "format: quiz-bank/1\n"
        "bank: {id: b, title: {zh: '  Cafe\u0301  '}}\n"
        "categories: [{id: '007', name: {zh: 类}}]\n"
        "questions:\n"
        "  - {id: '007', kind: single, category: '007', difficulty: 2, answer: A,\n"
        "     source: 1.50, zh: {text: 2024, options: {A: 3.10, B: 0x1F}}}\n"
    )
    assert bank.title["zh"] == "Café"
    question = bank.questions[0]
    assert question.category == "007"
    assert question.source == "1.50"
    assert question.versions["zh"].text == "2024"
    assert question.versions["zh"].options == {"A": "3.10", "B": "0x1F"}


def test_empty_lists_and_yaml_1_1_booleans_are_accepted() -> None:
    empty = parse_bank(
        "format: quiz-bank/1\nbank: {id: b, title: {mn: ᠪ}}\ncategories:\nquestions:\n"
    )
    assert empty.categories == () and empty.questions == ()
    truefalse = parse_bank(
        "format: quiz-bank/1\nbank: {id: b, title: {zh: 题}}\n"
        "categories: [{id: c, name: {zh: 类}}]\n"
        "questions:\n"
        "  - {id: q, kind: truefalse, category: c, difficulty: 1, answer: no, source: s,\n"
        "     zh: {text: 对吗, reviewed: yes}}\n"
    )
    assert truefalse.questions[0].answer == ("F",)


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "good.yaml").read_bytes())
    assert load_bank(path) == load_bank(DATA / "good.yaml")
