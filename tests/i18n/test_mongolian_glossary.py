"""One glossary (question_bank/data/mongolian_glossary.tsv, docs/mongolian-glossary.md),
and the Mongolian catalog uses its forms (issue 19 item 2)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from question_bank.mongolian_check import check
from question_bank.mongolian_glossary import Term, fold, mismatches, terms
from question_bank.transliteration import to_latin
from question_bank.transliteration import to_mongolian as mn
from quiz.mongolian_texts import CATALOG, ROOT, glossary_findings

REQUIRED = [
    *[
        "contest",
        "round",
        "league",
        "question",
        "option",
        "answer",
        "score",
        "rank",
        "attempt",
        "school",
        "class",
        "student",
        "teacher",
        "organizer",
        "category",
        "certificate",
        "change",
        "delete",
        "publish",
        "open",
        "close",
        "yes",
        "no",
        "number",
        "only",
        "account",
        "password",
    ],
    "question bank",
    "join code",
]


def test_the_issue_terms_are_there_once_each() -> None:
    english = [term.english for term in terms()]
    assert len(english) == len(set(english))
    assert set(REQUIRED) <= set(english)
    by_name = {term.english: term for term in terms()}
    assert by_name["change"].mongolian == mn("Ogerecile") and by_name["change"].is_stem
    assert by_name["bank"].mongolian == mn("saN")
    assert by_name["question bank"].mongolian == mn("asagulta_yin saN")


@pytest.mark.parametrize("term", terms(), ids=lambda term: term.english)
def test_each_form_passes_the_checker(term: Term) -> None:
    assert check(term.mongolian) == []
    for wrong in term.avoid:
        assert fold(wrong) != fold(term.mongolian)


def test_the_page_shows_every_row() -> None:
    page = (ROOT / "docs/mongolian-glossary.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(terms()) + 1  # and the header
    for term in terms():
        form = term.mongolian + ("-" if term.is_stem else "")
        assert f"| {term.english} | {term.chinese} | {form} | `{term.transliteration}` |" in page


def test_a_row_that_does_not_convert_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "glossary.tsv"
    bad.write_text(f"bank\t库\t{mn('sang')}\tsaN\t\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"glossary.tsv:1: .* is not saN"):
        terms(bad)
    bad.write_text("bank\t库\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected 7 columns"):
        terms(bad)


def test_mismatches_name_missing_and_wrong_forms() -> None:
    def names(msgid: str, msgstr: str) -> list[str]:
        return [term.english for term in mismatches(msgid, msgstr)]

    assert names("Delete the class", mn("aNgi_yi usadqaqu")) == []
    assert names("Delete the class", mn("angi_yi usadqaqu")) == ["class"]  # n + g
    assert names("Change password", mn("niguca d1ugar_i ObercileqU")) == ["change"]
    # a wrong form that contains the right one is still wrong
    assert names("Certificates", mn("gerecilgen")) == ["certificate"]
    assert names("Certificates", mn("gerecilge")) == []
    # FVS and the suffix connector do not matter; YAML keys kept in Latin are fine
    assert names("Password", mn("niguca dugar")) == []
    assert names("list the categories", "categories " + mn("jigsagalta")) == []


def test_the_mongolian_catalog_is_read_for_the_check() -> None:
    with (ROOT / CATALOG).open("rb") as handle:
        catalog = read_po(handle)
    using = Counter(
        term.english
        for message in catalog
        if message.id
        for term in terms()
        if term.pattern is not None and term.pattern.search(str(message.id))
    )
    assert using["question"] > 50 and using["change"] > 10 and using["join code"] >= 2


def _catalog_mismatches() -> list[tuple[str, str, Term]]:
    return [(text.context, text.text, term) for text, term in glossary_findings()]


def test_the_catalog_uses_the_glossary_forms() -> None:
    found = _catalog_mismatches()
    counts = Counter(term.english for _id, _text, term in found)
    report = [f"{len(found)} msgids without the glossary's form: {dict(counts.most_common())}"]
    for msgid, text, term in found[:40]:
        short = re.sub(r"\s+", " ", msgid)[:60]
        report.append(f"  {term.english} ({term.transliteration}): {short} | {to_latin(text)}")
    print("\n".join(report))
    assert not found, "\n".join(report)


def test_cli_lists_the_glossary_mismatches_on_request(runner, monkeypatch) -> None:
    from quiz import mongolian_texts
    from quiz.mongolian_texts import Text

    change = next(term for term in terms() if term.english == "change")
    text = Text("catalog", f"{CATALOG}:12", mn("ObercileqU"), "Change password")
    monkeypatch.setattr(mongolian_texts, "project_findings", lambda: [])
    monkeypatch.setattr(mongolian_texts, "glossary_findings", lambda: [(text, change)])
    plain = runner.invoke(args=["i18n", "check-mongolian"])
    assert plain.exit_code == 0 and "glossary" not in plain.output
    result = runner.invoke(args=["i18n", "check-mongolian", "--glossary"])
    assert result.exit_code == 1
    assert f"{CATALOG}:12: glossary 'change': {mn('Ogerecile')}- (Ogerecile-)" in result.output
    assert "1 catalog entries without the glossary's form" in result.output
