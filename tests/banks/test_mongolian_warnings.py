"""The Mongolian checker warns organizers about their own text, beside the field, in
their language, and never blocks: the import preview, the question editor and the
admins' region editor (issue 19).
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from question_bank.mongolian_check import MESSAGES
from question_bank.transliteration import to_mongolian as mn
from quiz.banks.models import Question as QuestionRow
from quiz.banks.models import QuestionBank
from quiz.banks.services import import_bank
from quiz.extensions import db
from quiz.regions.models import Region
from quiz.regions.services import sync_regions
from tests.banks.console_helpers import (
    LOCALES,
    digest_of,
    organizer_client,
    own_banks,
    token_of,
    translated,
    upload,
)
from tests.banks.test_console_manage import edit_form
from tests.factories import sample_bank

# ng typed as n + g (certain), a plain space before a suffix (certain), a word that mixes
# back and front vowels (for a native reviewer).
BANK_WORD = mn("asagulta_yin sang")
SPACED = mn("qota yin surgaguli")
MIXED = mn("Ogugsen")
CLEAN = mn("asagulta_yin saN")

YAML = f"""format: quiz-bank/1
bank:
  id: mn-check
  title: {{zh: 题库, mn: "{CLEAN}"}}
categories:
  - id: c1
    name: {{zh: 分类}}
questions:
  - id: q-1
    kind: single
    category: c1
    difficulty: 1
    source: test
    answer: A
    zh:
      text: 题目？
      options: {{A: 甲, B: 乙}}
    mn:
      text: "{BANK_WORD}"
      options: {{A: "{CLEAN}", B: "{SPACED}"}}
      explanation: "{MIXED}"
""".encode()


def message_tail(language: str, code: str) -> str:
    """The translated message of ``code`` after its word placeholder (as Jinja escapes it)."""
    from markupsafe import escape

    with force_locale(LOCALES[language]):
        text = gettext(MESSAGES[code])
    return str(escape(text.split("%(word)s", 1)[1]))[:20]


def warnings_in(html: str) -> list[str]:
    return re.findall(r'<ul class="text-warnings"[^>]*>(.*?)</ul>', html, re.S)


def test_preview_warns_beside_each_mongolian_field_and_still_imports(app, make, clock):
    browser = organizer_client(app, make)
    token = token_of(upload(browser, YAML, "mn.yaml", fmt="yaml", new_slug="mn-check"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)

    lists = warnings_in(html)
    assert len(lists) == 3  # the text, option B, the explanation; not option A
    text, option, explanation = lists
    assert message_tail("zh", "ng-split") in text
    assert mn("sang") in text and f'<span lang="mn-Mong-CN">{mn("saN")}</span>' in text
    assert 'class="warning-certain"' in text
    assert message_tail("zh", "nnbsp-missing") in option
    assert MIXED in explanation and 'class="warning-review"' in explanation
    assert translated("zh", "for a native reviewer to decide") in explanation
    # The warnings are the page's language inside the vertical Mongolian block.
    assert '<ul class="text-warnings" lang="zh-Hans-CN"' in html

    # Never blocking: the confirm form is there and imports the text as written.
    done = browser.post(f"/console/banks/import/{token}/confirm", data={"digest": digest_of(html)})
    assert done.status_code == 302
    row = db.session.scalars(select(QuestionRow).where(QuestionRow.external_id == "q-1")).one()
    assert row.text_for("mn").text == BANK_WORD


def test_a_mongolian_reader_gets_the_warnings_in_mongolian(app, make, clock):
    browser = organizer_client(app, make, language="mn")
    token = token_of(upload(browser, YAML, "mn.yaml", fmt="yaml", new_slug="mn-check"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    text = warnings_in(html)[0]
    assert '<ul class="text-warnings" lang="mn-Mong-CN"' in html
    assert message_tail("mn", "ng-split") in text
    assert message_tail("zh", "ng-split") not in text


def test_clean_text_gets_no_warning(app, make, clock):
    clean = YAML.replace(BANK_WORD.encode(), CLEAN.encode())
    clean = clean.replace(SPACED.encode(), CLEAN.encode()).replace(MIXED.encode(), CLEAN.encode())
    browser = organizer_client(app, make)
    token = token_of(upload(browser, clean, "mn.yaml", fmt="yaml", new_slug="mn-check"))
    html = browser.get(f"/console/banks/import/{token}").get_data(as_text=True)
    assert CLEAN in html and warnings_in(html) == []


def test_question_editor_warns_and_saves_anyway(app, make, clock):
    bank = import_bank(sample_bank(1), clock())[0]
    target = db.session.scalars(select(QuestionRow).where(QuestionRow.external_id == "q-001")).one()
    browser = organizer_client(app, make)
    own_banks(browser)  # an organizer changes only banks they own or their contests use
    url = f"/console/banks/{bank.id}/questions/{target.id}"
    before = warnings_in(browser.get(url).get_data(as_text=True))

    saved = browser.post(url, data=edit_form(target, mn_text=BANK_WORD, mn_explanation=MIXED))
    assert saved.status_code == 302  # a warning never blocks the save
    db.session.expire_all()
    target = db.session.get(QuestionRow, target.id)
    assert target.text_for("mn").text == BANK_WORD
    assert target.text_for("mn").explanation == MIXED

    html = browser.get(url).get_data(as_text=True)
    after = warnings_in(html)
    assert len(after) == len(before) + 2
    field = re.search(r'id="mn_text".*?</div>', html, re.S).group(0)
    assert "text-warnings" in field and f'<span lang="mn-Mong-CN">{mn("saN")}</span>' in field
    assert message_tail("zh", "mixed-harmony") in html
    # Chinese fields are never checked.
    zh_field = re.search(r'id="zh_text".*?</div>', html, re.S).group(0)
    assert "text-warnings" not in zh_field
    assert db.session.scalars(select(QuestionBank)).one().id == bank.id


@pytest.fixture
def restore_regions(app):
    yield
    db.session.rollback()
    db.session.execute(update(Region).values(mn_edited_at=None))
    sync_regions(db.session.connection())
    db.session.commit()


def test_region_editor_warns_about_a_name_and_saves_it(app, make, clock, restore_regions):
    from quiz.accounts.models import Role
    from tests.conftest import FreshContextClient
    from tests.factories import log_in

    admin = make.user("root", roles=(Role.ADMIN,))
    app.test_client_class = FreshContextClient
    browser = app.test_client()
    log_in(browser, admin)
    name = mn("sili yin gool")  # a plain space before the genitive
    saved = browser.post("/admin/regions/150102", data={"name_mn": name})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Region, "150102").name_mn == name
    html = browser.get("/admin/regions/150102").get_data(as_text=True)
    [found] = warnings_in(html)
    assert message_tail("zh", "nnbsp-missing") in found
    assert f'<span lang="mn-Mong-CN">{mn("sili_yin")}</span>' in found
