"""Red-team finding (docs/security.md): once a question was drawn, its option texts could
be swapped (only the key letter was guarded), by any organizer, on any bank.

- A drawn question's option texts may change only in form (spacing, full-width forms,
  a final mark): a swap or a rewording is refused, in the editor and on import.
- An organizer changes only banks they created or banks the contests they run use;
  admins change any; reading and exporting stay open to organizers.
- The audit event of an edit names the contests it affects.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy import select

from question_bank import dump_bank
from question_bank.formats import write_bank
from question_bank.rules import moved_options
from quiz.accounts.models import Role
from quiz.audit.models import AuditEvent
from quiz.banks import console
from quiz.banks.models import Question as QuestionRow
from quiz.banks.models import QuestionBank
from quiz.banks.services import import_bank
from quiz.contests.services import enroll
from quiz.edge.client import Actor
from quiz.extensions import db
from quiz.organizer.services import add_organizer
from quiz.play import services as play
from tests.banks.console_helpers import digest_of, organizer_client, token_of, upload
from tests.banks.test_console_import import CSV
from tests.banks.test_console_manage import edit_form, question
from tests.factories import log_in, sample_bank


def _drawn_bank(make, clock, organizer=None):
    """A bank (no owner: imported from the command line) whose every question has been
    drawn in an attempt of a contest run by ``organizer``."""
    bank = sample_bank(1)
    row = import_bank(bank, clock())[0]
    contest = make.contest(organizer=organizer, slug="c-guard")
    round_ = make.round(contest, row)  # draws every question of the bank
    player = make.user("player")
    enroll(player, contest, clock())
    play.start_attempt(player, round_, "zh", clock())
    db.session.commit()
    return bank, row, contest


def test_the_option_rule():
    old = {"A": "水", "B": "火", "C": "H2O"}
    assert moved_options(old, {"A": "火", "B": "水", "C": "H2O"}) == ["A", "B"]  # a swap
    assert moved_options(old, {"A": "冰", "B": "火", "C": "H2O"}) == ["A"]  # reworded
    assert moved_options(old, {"A": " 水。", "B": "火", "C": "Ｈ₂Ｏ"}) == []  # form only
    assert moved_options({"A": "-5"}, {"A": "5"}) == ["A"]  # a sign is not form
    assert moved_options({"A": "东方"}, {"A": "西方"}) == ["A"]  # one character, one word


def test_swapping_option_texts_of_a_drawn_question_is_refused(app, make, clock):
    organizer = make.user("runner", roles=(Role.ORGANIZER,))
    _bank, row, contest = _drawn_bank(make, clock, organizer)
    browser = organizer_client(app, make, "other-org")
    log_in(browser, organizer)
    target = question("q-003")  # single choice, key B
    zh, mn = target.text_for("zh").options, target.text_for("mn").options
    before = {t.language: dict(t.options) for t in target.texts}
    for change in (
        {"zh_option_A": zh["B"], "zh_option_B": zh["A"]},  # the key letter stays B
        {"mn_option_B": mn["C"], "mn_option_C": mn["B"]},
        {"zh_option_B": "另一个答案"},
    ):
        response = browser.post(
            f"/console/banks/{row.id}/questions/{target.id}", data=edit_form(target, **change)
        )
        assert response.status_code == 409, change
        db.session.expire_all()
        target = question("q-003")
        assert {t.language: dict(t.options) for t in target.texts} == before
    # A form-only change passes, and its audit event names the contests affected.
    response = browser.post(
        f"/console/banks/{row.id}/questions/{target.id}",
        data=edit_form(target, zh_option_A=zh["A"] + "。"),
    )
    assert response.status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "question.update")
    ).one()
    assert event.after["contests"] == [contest.id]


def test_swapping_option_texts_on_import_is_refused(app, make, clock):
    organizer = make.user("runner", roles=(Role.ORGANIZER,))
    bank, row, _contest = _drawn_bank(make, clock, organizer)
    single = next(q for q in bank.questions if q.answer == ("B",))
    zh = single.versions["zh"]
    swapped = replace(zh, options={**zh.options, "A": zh.options["B"], "B": zh.options["A"]})
    changed = replace(
        bank, questions=(replace(single, versions={**single.versions, "zh": swapped}),)
    )
    browser = organizer_client(app, make, "other-org")
    log_in(browser, organizer)
    token = token_of(upload(browser, write_bank(changed, "yaml"), "b.yaml", bank=bank.id))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert 'id="frozen"' in html and f"<li>{single.id}</li>" in html
    digest = hashlib.sha256(dump_bank(changed).encode()).hexdigest()
    refused = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest})
    assert refused.status_code == 302 and refused.location.endswith(token)
    db.session.expire_all()
    stored = db.session.scalars(
        select(QuestionRow).where(
            QuestionRow.bank_id == row.id, QuestionRow.external_id == single.id
        )
    ).one()
    assert stored.text_for("zh").options == dict(zh.options)


def test_who_may_change_a_bank(app, make, clock):
    runner = make.user("runner", roles=(Role.ORGANIZER,))
    co = make.user("co-org", roles=(Role.ORGANIZER,))
    stranger = make.user("stranger", roles=(Role.ORGANIZER,))
    admin = make.user("root", roles=(Role.ADMIN,))
    teacher = make.user("teach", roles=(Role.TEACHER,))
    _bank, row, contest = _drawn_bank(make, clock, runner)
    add_organizer(contest, co.username, Actor.of(runner), clock())
    db.session.commit()
    target = question("q-004")
    url = f"/console/banks/{row.id}/questions/{target.id}"
    form = edit_form(target, zh_explanation="新的解释")
    browser = organizer_client(app, make, "someone")

    def status(user, method: str = "post", path: str = url) -> int:
        log_in(browser, user)
        if method == "get":
            return browser.get(path).status_code
        return browser.post(path, data=form).status_code

    # Another organizer reads and exports the bank but cannot change it.
    assert status(stranger, "get", f"/console/banks/{row.id}") == 200
    assert status(stranger, "get", f"/console/banks/{row.id}/export?format=yaml") == 200
    assert status(stranger) == 403
    assert status(stranger, "get") == 403
    assert status(stranger, path=f"{url}/retire") == 403
    assert status(teacher) == 403
    db.session.expire_all()
    assert question("q-004").text_for("zh").explanation != "新的解释"
    # The contest's organizers and admins can.
    for user in (runner, co, admin):
        assert status(user) == 302, user.username
    # A bank an organizer created (page or import) is theirs.
    log_in(browser, stranger)
    created = browser.post(
        "/console/banks/new", data={"slug": "mine", "title_zh": "我的题库", "title_mn": ""}
    )
    assert created.status_code == 302
    assert (
        db.session.scalar(select(QuestionBank.created_by_id).where(QuestionBank.slug == "mine"))
        == stranger.id
    )
    token = token_of(upload(browser, CSV, "题库.csv"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    done = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})
    assert done.status_code == 302
    imported = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "web-bank"))
    assert imported.created_by_id == stranger.id
    theirs = db.session.scalars(
        select(QuestionRow).where(QuestionRow.bank_id == imported.id).limit(1)
    ).one()
    path = f"/console/banks/{imported.id}/questions/{theirs.id}"
    assert status(stranger, path=path) in (302, 422)  # allowed (the form is another's)
    assert status(runner, path=path) == 403
    # An import into someone else's bank is refused (and not offered)...
    log_in(browser, stranger)
    refused = upload(browser, write_bank(sample_bank(1), "yaml"), "x.yaml", bank=row.slug)
    assert refused.status_code == 403
    # ...and an upload kept for a bank that is not theirs: preview and confirm are 403.
    stored = console.store_upload(
        user_id=runner.id,
        data=write_bank(sample_bank(1), "yaml"),
        filename="z.yaml",
        choice=console.UploadChoice(bank_slug="web-bank"),
        now=clock(),
        max_bytes=1 << 20,
    )
    db.session.commit()
    log_in(browser, runner)
    assert browser.get(f"/console/banks/import/{stored.token}").status_code == 403
    confirm = browser.post(f"/console/banks/import/{stored.token}/confirm", data={"digest": "x"})
    assert confirm.status_code == 403
