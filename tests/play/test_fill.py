"""Fill-in questions (填空, issue 12 item 5): stored from every format that has them,
answered by text on the quiz page and the API, graded after Unicode normalisation in
either language, reviewed with their accepted answers, analysed, exported; never drawn
into a live game (answered by a tap)."""

from __future__ import annotations

import pytest

from question_bank import Bank, Category, Kind, Question, Version
from question_bank.formats import read_bank
from quiz.banks.exporting import bank_from_sql
from quiz.banks.models import Question as QuestionRow
from quiz.banks.services import drawing_pool, import_bank
from quiz.extensions import db
from quiz.play.models import Answer
from quiz.play.scoring import fill_points
from quiz.results.item_analysis import analyse
from tests.factories import PASSWORD, log_in

WATER = Question(
    id="f-water",
    kind=Kind.FILL,
    category="science",
    difficulty=1,
    answer=(),
    option_keys=(),
    source="test",
    versions={
        "zh": Version(
            text="水的化学式是_____。",
            options={},
            explanation="两个氢原子和一个氧原子。",
            blanks=(("H2O", "H₂O"),),
        ),
        "mn": Version(
            text="ᠤᠰᠤ ᠶᠢᠨ ᠬᠢᠮᠢ ᠶᠢᠨ ᠲᠣᠮᠢᠶ᠎ᠠ _____",
            options={},
            explanation=None,
            blanks=(("H2O",),),
            reviewed=False,
        ),
    },
)
PLANTS = Question(
    id="f-plants",
    kind=Kind.FILL,
    category="science",
    difficulty=1,
    answer=(),
    option_keys=(),
    source="test",
    versions={
        "zh": Version(
            text="植物吸收_____，放出_____。",
            options={},
            explanation=None,
            blanks=(("二氧化碳", "CO2"), ("氧气", "O2")),
        ),
        "mn": Version(
            text="ᠤᠷᠭᠤᠮᠠᠯ _____ _____",
            options={},
            explanation=None,
            blanks=(("CO2",), ("O2",)),
        ),
    },
)


def fill_bank() -> Bank:
    return Bank(
        id="fill",
        title={"zh": "填空"},
        categories=(Category("science", {"zh": "科学"}),),
        questions=(WATER, PLANTS),
    )


@pytest.mark.parametrize(
    ("responses", "partial", "expected"),
    [
        (["H2O", "x"], False, (True, 10)),
        (["ｈ２ｏ"], False, (True, 10)),  # full width and case: NFKC, casefold
        (["H₂O"], False, (True, 10)),
        (["HO2"], False, (False, 0)),
        ([""], False, (False, 0)),
    ],
)
def test_one_blank(responses, partial, expected):
    accepted = {lang: v.blanks for lang, v in WATER.versions.items()}
    assert fill_points(accepted, responses[:1], 10, partial) == expected


def test_several_blanks_any_language_and_partial_credit():
    accepted = {lang: v.blanks for lang, v in PLANTS.versions.items()}
    assert fill_points(accepted, ["CO2", "氧气"], 10, False) == (True, 10)  # mixed languages
    assert fill_points(accepted, ["二氧化碳。", "O2"], 10, False) == (True, 10)  # punctuation
    assert fill_points(accepted, ["CO2", "N2"], 10, False) == (False, 0)
    assert fill_points(accepted, ["CO2", "N2"], 10, True) == (False, 5)


def test_gift_and_moodle_fill_in_questions_are_stored(runner, tmp_path):
    path = tmp_path / "fill.gift"
    path.write_text("::water::水的化学式是{=H2O =H₂O}。\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path), "--bank", "gift-fill"])
    assert result.exit_code == 0, result.output
    row = db.session.query(QuestionRow).one()
    assert row.kind == "fill" and row.text_for("zh").blanks == [["H2O", "H₂O"]]
    # Exported and read again, the accepted answers come back.
    exported = bank_from_sql("gift-fill")
    assert exported.questions[0].versions["zh"].blanks == (("H2O", "H₂O"),)


def _round(make, clock, **kwargs):
    bank_row = import_bank(fill_bank(), clock())[0]
    contest = make.contest()
    round_ = make.round(
        contest, bank_row, draw_rule=[{"count": 2, "category": "science", "points": 10}], **kwargs
    )
    return round_, make.enrolled(contest)


def _headers(client, user) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    ).json["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_takes_texts_grades_them_and_reviews_them(app, client, make, clock):
    round_, user = _round(make, clock, partial_credit=True)
    headers = _headers(client, user)
    attempt = client.post(
        f"/api/v1/rounds/{round_.id}/attempts", headers=headers, json={"language": "zh"}
    ).json
    by_text = {q["text"]: q for q in attempt["questions"]}
    water = by_text["水的化学式是_____。"]
    plants = by_text["植物吸收_____，放出_____。"]
    assert water["kind"] == "fill" and water["blanks"] == 1 and plants["blanks"] == 2
    assert water["options"] == [] and "accepted" not in water  # no key before review
    shown = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert shown["questions"] == attempt["questions"]  # the start's payloads say the same
    url = f"/api/v1/attempts/{attempt['id']}/answers"
    saved = client.put(f"{url}/{water['no']}", headers=headers, json={"text": ["ｈ２ｏ"]})
    assert saved.status_code == 200 and saved.json["choice"] == ["ｈ２ｏ"]
    saved = client.put(f"{url}/{plants['no']}", headers=headers, json={"text": ["CO2", "氮气"]})
    assert saved.status_code == 200
    # Bad input: a 422 with a message, nothing stored.
    for bad in ({"text": "x" * 201}, {"text": [1]}, {"text": ["a", "b", "c"]}, {"text": {}}):
        response = client.put(f"{url}/{plants['no']}", headers=headers, json=bad)
        assert response.status_code == 422, bad
        assert response.json["error"]["fields"]
    answers = {a.no: a for a in db.session.query(Answer).filter_by(attempt_id=attempt["id"])}
    assert answers[water["no"]].correct and answers[water["no"]].points == 10
    assert not answers[plants["no"]].correct and answers[plants["no"]].points == 5
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert {"no": water["no"], "text": ["ｈ２ｏ"]} in state["answers"]
    finished = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers).json
    assert finished["score"] == 15
    review = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    reviewed = {q["no"]: q for q in review["questions"]}
    assert reviewed[water["no"]]["accepted"] == [["H2O", "H₂O"]]
    assert reviewed[plants["no"]]["is_correct"] is False
    # Item analysis lists the answers given.
    items = {item.external_id: item for item in analyse(round_.id) if item.language == "zh"}
    assert items["f-water"].choices == {"ｈ２ｏ": 1}


def test_the_quiz_page_has_a_text_box_per_blank(app, client, make, clock):
    round_, user = _round(make, clock)
    log_in(client, user)
    started = client.post(f"/rounds/{round_.id}/start", data={"language": "zh"})
    assert started.status_code == 302
    shown = client.get(started.location, follow_redirects=True)
    page_url = shown.request.path  # the first question's page
    page = shown.get_data(as_text=True)
    boxes = page.count('name="text"')
    assert boxes in (1, 2) and 'name="choice"' not in page
    texts = ["H2O"] if boxes == 1 else ["二氧化碳", "氧气"]
    saved = client.post(page_url, data={"text": texts})
    assert saved.status_code in (200, 302)
    answer = db.session.query(Answer).one()
    assert answer.choice == texts and answer.correct
    page = client.get(page_url).get_data(as_text=True)
    assert f'value="{texts[0]}"' in page  # the typed text stays in its box


def test_live_games_never_draw_fill_in_questions(app, clock):
    bank_row = import_bank(fill_bank(), clock())[0]
    assert len(drawing_pool(bank_row.id, ["zh"]).meta) == 2
    assert drawing_pool(bank_row.id, ["zh"], choice_only=True).meta == {}


def test_a_fill_in_file_reads_back_with_the_library():
    result = read_bank("::w::水是{=H2O}。\n".encode(), "a.gift", "auto", bank_id="b")
    assert result.ok and result.questions[0].kind is Kind.FILL
