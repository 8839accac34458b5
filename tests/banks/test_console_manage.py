"""The console's bank pages: list, create, search and filters, edit, retire, export."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from question_bank.formats import read_bank
from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.banks.models import Question as QuestionRow
from quiz.banks.models import QuestionBank, QuestionText
from quiz.banks.services import drawing_pool, import_bank
from quiz.contests.services import enroll
from quiz.extensions import db
from quiz.play import services as play
from quiz.play.models import AttemptItem
from tests.banks.console_helpers import count, organizer_client, own_banks, translated
from tests.conftest import FreshContextClient
from tests.factories import log_in, sample_bank


def question(external_id: str) -> QuestionRow:
    return db.session.scalars(
        select(QuestionRow).where(QuestionRow.external_id == external_id)
    ).one()


def found(html: str) -> list[str]:
    return re.findall(r'<tr class="question-row" data-question="([^"]+)"', html)


def edit_form(row: QuestionRow, **changes: Any) -> dict[str, Any]:
    """The edit form as the page would post it for ``row``, with ``changes``."""
    form: dict[str, Any] = {
        "kind": row.kind,
        "category": row.category,
        "difficulty": str(row.difficulty),
        "answer": list(row.answer),
    }
    for text in row.texts:
        lang = text.language
        form[f"{lang}_text"] = text.text
        form[f"{lang}_explanation"] = text.explanation or ""
        if text.reviewed:
            form[f"{lang}_reviewed"] = "y"
        if row.kind != "truefalse":
            for key, value in text.options.items():
                form[f"{lang}_option_{key}"] = value
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_bank_list_shows_counts_coverage_and_review_share(app, make, clock):
    import_bank(sample_bank(1), clock())  # 6 questions, mn versions unreviewed
    import_bank(sample_bank(1, bank_id="zh-only", with_mn=False), clock())
    browser = organizer_client(app, make)
    html = browser.get("/console/banks").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td class=\"col-name\">(.*?)</tr>", html, re.S)
    cells = [re.findall(r'<td class="num">([^<]*)</td>', row) for row in rows]
    # active, retired, zh count, zh reviewed, mn count, mn reviewed
    assert cells == [["6", "0", "6", "100%", "6", "0%"], ["6", "0", "6", "100%", "0", "–"]]


def test_create_an_empty_bank(app, make, clock):
    browser = organizer_client(app, make)
    response = browser.post(
        "/console/banks/new", data={"slug": "physics", "title_zh": "物理", "title_mn": ""}
    )
    bank = db.session.scalars(select(QuestionBank)).one()
    assert response.status_code == 302 and response.location == f"/console/banks/{bank.id}"
    assert (bank.slug, bank.title_zh, bank.revision) == ("physics", "物理", 1)
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.after["slug"]) == ("bank.create", "physics")
    again = browser.post("/console/banks/new", data={"slug": "physics", "title_zh": "x"})
    assert again.status_code == 422
    assert translated("zh", "A bank with this id exists already.") in again.get_data(as_text=True)
    bad = browser.post("/console/banks/new", data={"slug": "Not OK", "title_zh": "x"})
    assert bad.status_code == 422 and count(QuestionBank) == 1
    assert browser.get(f"/console/banks/{bank.id}").status_code == 200
    empty = browser.get(f"/console/banks/{bank.id}/export?format=xlsx&language=mn")
    assert empty.status_code == 200 and read_bank(empty.data, "e.xlsx").problems == []


def test_search_in_both_languages_with_a_mongolian_variant_form(app, make, clock):
    bank = sample_bank(1)
    import_bank(bank, clock())
    row = import_bank(bank, clock())[0]
    browser = organizer_client(app, make)
    page = f"/console/banks/{row.id}"

    assert found(browser.get(page, query_string={"q": "第5题"}).get_data(as_text=True)) == ["q-005"]
    assert found(browser.get(page, query_string={"q": "选项c4"}).get_data(as_text=True)) == [
        "q-004"
    ]
    assert found(browser.get(page, query_string={"q": "解释3"}).get_data(as_text=True)) == ["q-003"]
    stored = bank.questions[3].versions["mn"].text  # "ᠠᠰᠠᠭᠤᠯᠲᠠ 4"
    # Another spelling of the same word: o for u, a free variation selector, an MVS and ZWJ.
    variant = stored.replace("\u1824", "\u1823")
    variant = variant[:2] + "\u180b" + variant[2:4] + "\u200d" + variant[4:]
    assert variant != stored
    assert found(browser.get(page, query_string={"q": variant}).get_data(as_text=True)) == ["q-004"]
    # A Mongolian option text matches too; nothing matches a word that is nowhere.
    option = bank.questions[0].versions["mn"].options["A"]
    assert found(browser.get(page, query_string={"q": option}).get_data(as_text=True)) == ["q-001"]
    assert found(browser.get(page, query_string={"q": "无此词"}).get_data(as_text=True)) == []


def test_filters_and_pages(app, make, clock):
    row = import_bank(sample_bank(10), clock())[0]  # 60 questions
    zh_only = replace(
        sample_bank(1, with_mn=False).questions[0], id="z-001", category="life-health"
    )
    import_bank(replace(sample_bank(0), questions=(zh_only,)), clock())
    browser = organizer_client(app, make)
    page = f"/console/banks/{row.id}"

    def ids(**args: Any) -> list[str]:
        return found(browser.get(page, query_string=args).get_data(as_text=True))

    assert len(ids()) == 50
    assert len(ids(page=2)) == 11
    assert ids(page=2)[-1] == "z-001"
    assert ids(coverage="missing-mn") == ["z-001"]
    assert len(ids(coverage="has-mn", page=2)) == 10
    assert all(
        question(i).category == "safety-emergency" and question(i).difficulty == 3
        for i in ids(category="safety-emergency", difficulty="3")
    )
    assert len(ids(category="safety-emergency", difficulty="3")) == 10
    assert ids(review="mn-reviewed") == []
    text = question("q-002").text_for("mn")
    text.reviewed = True
    db.session.commit()
    assert ids(review="mn-reviewed") == ["q-002"]
    assert "q-002" not in ids(review="mn-unreviewed")
    question("q-003").retired = True
    db.session.commit()
    assert ids(status="retired") == ["q-003"]
    assert "q-003" not in ids(status="active", page=2) + ids(status="active")
    # Filters survive paging; unknown values are ignored rather than failing.
    html = browser.get(page, query_string={"coverage": "has-mn"}).get_data(as_text=True)
    assert "page=2" in html and "coverage=has-mn" in html
    assert browser.get(page, query_string={"difficulty": "9", "page": "x"}).status_code == 200


def test_edit_page_shows_both_versions_side_by_side_vertical_mongolian(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    target = question("q-001")
    browser = organizer_client(app, make)
    own_banks(browser)
    html = browser.get(f"/console/banks/{row.id}/questions/{target.id}").get_data(as_text=True)
    assert 'class="card version version-zh"' in html
    assert 'class="card version version-mn mn-block" lang="mn-Mong-CN" dir="ltr"' in html
    mn = target.text_for("mn")
    assert re.search(
        r'<textarea dir="ltr" id="mn_text" lang="mn-Mong-CN" name="mn_text"[^>]*>\s*'
        + re.escape(mn.text),
        html,
    )
    assert target.text_for("zh").text in html
    assert 'name="csrf_token"' in html or app.config["WTF_CSRF_ENABLED"] is False


def test_wording_edit_bumps_the_revision_and_refreshes_the_pool(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    target = question("q-001")
    pool = drawing_pool(row.id, ["zh", "mn"])
    revision = row.revision
    browser = organizer_client(app, make)
    own_banks(browser)
    response = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        data=edit_form(target, zh_text="新的题目文字？", mn_reviewed="y"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    target = question("q-001")
    assert target.text_for("zh").text == "新的题目文字？"
    assert target.text_for("mn").reviewed is True
    bank = db.session.get(QuestionBank, row.id)
    assert bank.revision == revision + 1
    assert drawing_pool(row.id, ["zh", "mn"]) is not pool
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "question.update"
    assert set(event.after) == {"zh", "mn", "contests"}  # what changed, and for whom
    assert event.after["contests"] == []  # no contest draws from this bank yet
    assert event.after["zh"]["text"] == "新的题目文字？"
    # The search follows the edit.
    html = browser.get(f"/console/banks/{row.id}", query_string={"q": "新的题目"}).get_data(
        as_text=True
    )
    assert found(html) == ["q-001"]


def test_add_a_missing_mongolian_version(app, make, clock):
    row = import_bank(sample_bank(1, with_mn=False), clock())[0]
    target = question("q-001")  # a multiple-choice question, options A-D
    browser = organizer_client(app, make)
    own_banks(browser)
    mn = {f"mn_option_{k}": f"ᠰᠣᠩᠭᠣᠯᠲᠠ {k}" for k in "ABCD"}
    response = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        data=edit_form(target, mn_text="ᠠᠰᠠᠭᠤᠯᠲᠠ ᠰᠢᠨ᠎ᠡ", **mn),
    )
    assert response.status_code == 302
    db.session.expire_all()
    version = question("q-001").text_for("mn")
    assert version is not None and version.text == "ᠠᠰᠠᠭᠤᠯᠲᠠ ᠰᠢᠨ᠎ᠡ"
    assert version.reviewed is False
    assert list(version.options) == list("ABCD")
    # Options that do not match the Chinese ones are refused, in the user's language.
    other = question("q-004")
    assert other.kind == "multiple" and other.option_keys == list("ABCD")
    bad = browser.post(
        f"/console/banks/{row.id}/questions/{other.id}",
        data=edit_form(other, mn_text="ᠠᠰᠠᠭᠤᠯᠲᠠ", mn_option_A="ᠨᠢᠭᠡ", mn_option_B="ᠬᠣᠶᠠᠷ"),
    )
    assert bad.status_code == 422
    db.session.expire_all()
    assert question("q-004").text_for("mn") is None


def test_invalid_edits_are_refused_with_localized_field_errors(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    target = question("q-003")  # single choice, key B
    assert target.kind == "single"
    browser = organizer_client(app, make, language="mn")
    own_banks(browser)
    response = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        data=edit_form(target, answer=["A", "B"]),
    )
    assert response.status_code == 422
    from question_bank import messages as m

    assert translated("mn", m.SINGLE_ANSWER_COUNT, count=2) in response.get_data(as_text=True)
    db.session.expire_all()
    assert question("q-003").answer == ["B"]


IN_USE = (
    "This question already appears in attempts: changing its answer key, kind or options "
    "would be unfair to those who answered it. Only the wording can change; retire it and "
    "import a new question instead."
)


def _attempt_on(make: Any, clock: Any, bank_row: QuestionBank) -> tuple[Any, Any]:
    contest = make.contest(slug="c-edit")
    round_ = make.round(contest, bank_row)
    participant = make.user("player")
    enroll(participant, contest, clock())
    attempt, _ = play.start_attempt(participant, round_, "zh", clock())
    return participant, attempt


def test_changing_the_key_of_a_question_in_use_is_refused_wording_is_not(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    _, attempt = _attempt_on(make, clock, row)
    drawn = set(
        db.session.scalars(
            select(AttemptItem.question_id).where(AttemptItem.attempt_id == attempt.id)
        )
    )
    assert len(drawn) == 6  # 3 per category out of 3: every question is in use
    browser = organizer_client(app, make)
    own_banks(browser)
    options = {
        "zh_option_A": "对",
        "zh_option_B": "错",
        "mn_option_A": "ᠵᠥᠪ",
        "mn_option_B": "ᠪᠤᠷᠤᠭᠤ",
    }
    cases = [
        ("q-003", {"answer": ["A"]}),  # single, key B -> A
        ("q-003", {"zh_option_E": "新选项", "mn_option_E": "ᠰᠢᠨ᠎ᠡ"}),  # a fifth option
        ("q-001", {"answer": ["A"]}),  # multiple, A,C -> A
        ("q-002", {"answer": ["T"]}),  # true/false, F -> T
        ("q-002", {"kind": "single", "answer": ["A"], **options}),
    ]
    for external_id, change in cases:
        target = question(external_id)
        assert target.id in drawn
        before = (target.kind, list(target.answer), list(target.option_keys))
        response = browser.post(
            f"/console/banks/{row.id}/questions/{target.id}", data=edit_form(target, **change)
        )
        assert response.status_code == 409, (external_id, change)
        assert translated("zh", IN_USE) in response.get_data(as_text=True)
        db.session.expire_all()
        target = question(external_id)
        assert (target.kind, list(target.answer), list(target.option_keys)) == before
    target = question("q-003")
    option_a = target.text_for("zh").options["A"]
    wording = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        # An option's form may change (spacing, a final mark), not its words.
        data=edit_form(target, zh_explanation="更清楚的解释", zh_option_A=f" {option_a}。"),
    )
    assert wording.status_code == 302
    db.session.expire_all()
    assert question("q-003").text_for("zh").explanation == "更清楚的解释"
    assert question("q-003").text_for("zh").options["A"] == f"{option_a}。"


def test_retired_questions_are_never_drawn_and_results_still_show_them(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    participant, attempt = _attempt_on(make, clock, row)
    items = db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.no)
    ).all()
    for item in items:
        play.save_answer(attempt.id, participant, item.no, ["A"], clock())
    play.finish_attempt(attempt, clock())
    db.session.commit()  # the edge commits (services flush)
    drawn = db.session.get(QuestionRow, items[0].question_id)
    browser = organizer_client(app, make)
    own_banks(browser)

    response = browser.post(f"/console/banks/{row.id}/questions/{drawn.id}/retire")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionRow, drawn.id).retired is True
    assert drawn.id not in drawing_pool(row.id, ["zh", "mn"]).meta
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.object_id) == ("question.retire", str(drawn.id))
    # The participant's finished attempt still shows the retired question.
    app.test_client_class = FreshContextClient
    player = app.test_client()
    log_in(player, participant)
    result = player.get(f"/attempts/{attempt.id}/result")
    assert result.status_code == 200
    assert drawn.text_for("zh").text in result.get_data(as_text=True)

    back = browser.post(f"/console/banks/{row.id}/questions/{drawn.id}/unretire")
    assert back.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionRow, drawn.id).retired is False
    assert drawn.id in drawing_pool(row.id, ["zh", "mn"]).meta


@pytest.mark.parametrize(
    ("fmt", "language", "name"),
    [
        ("yaml", "zh", "test-bank.yaml"),
        ("xlsx", "mn", "test-bank.xlsx"),
        ("gift", "mn", "test-bank-mn.gift.txt"),
        ("moodle-xml", "zh", "test-bank-zh.xml"),
    ],
)
def test_export_downloads_parse_back(app, make, clock, fmt, language, name):
    bank = sample_bank(1)
    row = import_bank(bank, clock())[0]
    browser = organizer_client(app, make)
    response = browser.get(
        f"/console/banks/{row.id}/export", query_string={"format": fmt, "language": language}
    )
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{name}"; ')
    from urllib.parse import unquote

    full = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    stem = full.split(".", 1)[0]
    assert stem.startswith("测试题库")  # the bank's title in the reader's language
    assert not re.search("[A-Za-z]", stem), full  # no English, no slug, no "zh"
    result = read_bank(response.data, name)
    assert result.ok, result.problems
    assert {q.id for q in result.questions} == {q.id for q in bank.questions}
    by_id = {q.id: q for q in result.questions}
    for original in bank.questions:
        assert by_id[original.id].answer == original.answer
    assert browser.get(f"/console/banks/{row.id}/export?format=csv").status_code == 404


def test_participants_and_teachers_get_403_visitors_the_login(app, make, clock):
    row = import_bank(sample_bank(1), clock())[0]
    app.test_client_class = FreshContextClient
    for role in (Role.PARTICIPANT, Role.TEACHER):
        user = make.user(f"u-{role}", roles=(role,))
        browser = app.test_client()
        log_in(browser, user)
        for path in ("/console/banks", f"/console/banks/{row.id}", "/console/banks/import"):
            assert browser.get(path).status_code == 403
        assert (
            browser.post("/console/banks/new", data={"slug": "x", "title_zh": "x"}).status_code
            == 403
        )
        html = browser.get("/").get_data(as_text=True)
        assert "/console/banks" not in html  # no nav link
    anonymous = app.test_client().get("/console/banks")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    organizer = organizer_client(app, make)
    assert 'href="/console/banks"' in organizer.get("/").get_data(as_text=True)
    assert count(QuestionBank) == 1


class TestWithCsrf:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_carry_a_token_and_posts_without_one_fail(self, app, make, clock):
        row = import_bank(sample_bank(1), clock())[0]
        target = question("q-001")
        app.test_client_class = FreshContextClient
        user = make.user("csrf-org", roles=(Role.ORGANIZER,))
        browser = app.test_client()
        log_in(browser, user, with_csrf=True)
        for path in (
            "/console/banks",
            "/console/banks/import",
            f"/console/banks/{row.id}/questions/{target.id}",
        ):
            assert 'name="csrf_token"' in browser.get(path).get_data(as_text=True), path
        for path in (
            f"/console/banks/{row.id}/questions/{target.id}/retire",
            f"/console/banks/{row.id}/questions/{target.id}",
            "/console/banks/new",
        ):
            assert browser.post(path, data={"slug": "x", "title_zh": "x"}).status_code == 400
        db.session.expire_all()
        assert question("q-001").retired is False and count(QuestionBank) == 1
        assert count(QuestionText) == 12


def test_mongolian_typed_with_menksoft_is_stored_as_unicode(app, make, clock):
    """Issue 12 item 6: console forms convert Menksoft private-use text like imports do."""
    from tests.question_bank.test_menksoft import WORDS

    row = import_bank(sample_bank(1, with_mn=False), clock())[0]
    target = question("q-001")
    browser = organizer_client(app, make)
    own_banks(browser)
    menksoft, unicode = WORDS["mongol"]
    mn = {f"mn_option_{k}": f"{menksoft} {k}" for k in "ABCD"}
    response = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        data=edit_form(target, mn_text=f"{menksoft} {WORDS['bichig'][0]}", **mn),
    )
    assert response.status_code == 302
    db.session.expire_all()
    version = question("q-001").text_for("mn")
    assert version is not None and version.text == f"{unicode} {WORDS['bichig'][1]}"
    assert version.options["A"] == f"{unicode} A"
    assert not any(0xE234 <= ord(ch) <= 0xE34F for ch in version.text + version.options["B"])


def test_bank_and_question_edits_flush_and_leave_the_commit_to_the_edge(app, make, clock):
    """The console's edits only flush (docs/architecture.md, "Transactions"): the
    request commits them on its success, and a rollback there leaves nothing."""
    from quiz.banks import console
    from quiz.edge.client import Actor

    row = import_bank(sample_bank(1), clock())[0]  # a whole file: committed by the import
    target = question("q-001")
    organizer = make.user("org", roles=(Role.ORGANIZER,))
    actor = Actor(user_id=organizer.id)
    revision, text = row.revision, target.text_for("zh").text
    edit = console.QuestionEdit(
        kind=target.kind,
        category=target.category,
        difficulty=target.difficulty,
        answer=tuple(target.answer),
        versions={
            t.language: console.VersionEdit(
                text="改过的文字？" if t.language == "zh" else t.text,
                options=dict(t.options),
                explanation=t.explanation or "",
                reviewed=t.reviewed,
            )
            for t in target.texts
        },
    )
    console.create_bank(slug="flushed", title_zh="只刷新", title_mn="", actor=actor, now=clock())
    console.update_question(target, edit, actor=actor, now=clock())
    console.set_retired(target, True, actor=actor, now=clock())
    console.set_reserved(target, True, actor=actor, now=clock())
    assert count(AuditEvent) == 4 and count(QuestionBank) == 2

    db.session.rollback()  # what the request does with a refused or failed action

    assert count(AuditEvent) == 0 and count(QuestionBank) == 1
    stored = question("q-001")
    assert (stored.retired, stored.reserved) == (False, False)
    assert stored.text_for("zh").text == text
    assert db.session.get(QuestionBank, row.id).revision == revision
