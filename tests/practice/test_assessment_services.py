"""Self-test services on a real database: the draw from a tagged bank, answers that
stay unmarked until the end, finishing (unanswered = wrong, wrong ones in the book),
the deadline, someone else's test, and a language the bank cannot cover."""

from __future__ import annotations

from collections import Counter

import pytest

from question_bank.literacy import BENCHMARKS
from quiz.banks.models import Question
from quiz.errors import Conflict, NotFound, ValidationFailed
from quiz.extensions import db
from quiz.practice import assessment as selftests
from quiz.practice import services
from quiz.practice.models import AssessmentItem, Mistake
from tests.practice.literacy_bank import import_literacy_bank


def right_keys(assessment_id: int, no: int) -> list[str]:
    item = db.session.get(AssessmentItem, (assessment_id, no))
    question = db.session.get(Question, item.question_id)
    return sorted(chr(65 + item.option_order.index(k)) for k in question.answer)


def wrong_keys(assessment_id: int, no: int) -> list[str]:
    item = db.session.get(AssessmentItem, (assessment_id, no))
    question = db.session.get(Question, item.question_id)
    key = next(k for k in item.option_order if k not in question.answer)
    return [chr(65 + item.option_order.index(key))]


def test_a_self_test_covers_every_benchmark_and_scores_at_the_end(make, clock):
    import_literacy_bank(clock())
    make.bank()  # untagged questions are never drawn
    user = make.user(region_code="150102")
    test = selftests.start(user, "mn", clock(), "30-39")
    db.session.commit()
    assert test.region_code == "150102" and test.age_group == "30-39"
    assert test.deadline == clock() + selftests.DURATION
    items = selftests.items(test)
    assert len(items) == 50
    assert {i.benchmark for i in items} == set(BENCHMARKS)
    assert Counter(i.part for i in items) == {k.value: v for k, v in selftests.PART_COUNTS.items()}
    assert all(i.text.startswith("ᠠᠰᠠᠭᠤᠯᠲᠠ B") for i in items)
    assert all(i.correct_options is None and i.explanation is None for i in items)
    assert all("correct_options" not in i.to_json(False) for i in items)

    # 40 right, 5 wrong, 5 unanswered; an answer may change before the end.
    for no in range(1, 46):
        selftests.answer(test, no, wrong_keys(test.id, no), clock())
    for no in range(1, 41):
        selftests.answer(test, no, right_keys(test.id, no), clock())
    db.session.commit()
    assert db.session.get(Mistake, (user.id, items[0].question_id)) is None  # not yet marked
    selftests.finish(test, clock.advance(minutes=10))
    db.session.commit()
    assert test.score == 80.0 and test.band == "literate"
    parts = selftests.part_scores(test)
    assert sum(parts.values()) == pytest.approx(80.0)
    shown = selftests.items(test)
    assert sum(i.correct for i in shown) == 40
    assert all(i.correct_options for i in shown)
    wrong = {i.question_id for i in db.session.query(AssessmentItem).filter_by(correct=False)}
    in_book = {m.question_id for m in db.session.query(Mistake).filter_by(user_id=user.id)}
    assert wrong == in_book and len(wrong) == 10
    assert {m.last_source for m in db.session.query(Mistake)} == {"selftest"}
    weakest = selftests.weakest_of(test)
    assert len(weakest) == 3 and all(b in BENCHMARKS for b in weakest)

    # Finishing again changes nothing; answers are refused once finished.
    assert selftests.finish(test, clock.advance(minutes=1)).score == 80.0
    with pytest.raises(Conflict) as refused:
        selftests.answer(test, 46, right_keys(test.id, 46), clock())
    assert refused.value.code == "assessment_finished"
    assert selftests.finished_of(user.id) == [test]


def test_after_the_deadline_answers_are_refused_and_finishing_works(make, clock):
    import_literacy_bank(clock())
    user = make.user()
    test = selftests.start(user, "zh", clock())
    selftests.answer(test, 1, right_keys(test.id, 1), clock())
    db.session.commit()
    clock.advance(minutes=46)
    with pytest.raises(Conflict) as late:
        selftests.answer(test, 2, right_keys(test.id, 2), clock())
    assert late.value.code == "assessment_time_over"
    selftests.finish(test, clock())
    db.session.commit()
    assert test.score == 2.0 and test.band == "low"
    assert test.finished_at == test.deadline


def test_other_people_bad_input_and_an_uncovered_language(make, clock):
    import_literacy_bank(clock(), with_mn=False)
    owner, other = make.user(), make.user()
    with pytest.raises(Conflict) as unavailable:
        selftests.start(owner, "mn", clock())
    assert unavailable.value.code == "selftest_unavailable"
    assert not selftests.available("mn") and selftests.available("zh")
    for bad in ("xx", None, 3):
        with pytest.raises(ValidationFailed):
            selftests.start(owner, bad, clock())
    for bad_age in ("17", 30, "a" * 50):
        with pytest.raises(ValidationFailed):
            selftests.start(owner, "zh", clock(), bad_age)
    test = selftests.start(owner, "zh", clock(), "70+")
    db.session.commit()
    with pytest.raises(NotFound):
        selftests.get_own(test.id, other)
    with pytest.raises(NotFound):
        selftests.answer(test, 51, ["A"], clock())
    for bad_choice in (["Z"], "A", [], [1], ["A", "B"]):
        with pytest.raises(ValidationFailed):
            selftests.answer(test, 1, bad_choice, clock())


def test_a_missing_benchmark_makes_the_self_test_unavailable(make, clock):
    import_literacy_bank(clock(), skip="B21")
    with pytest.raises(Conflict):
        selftests.start(make.user(), "zh", clock())


def test_practice_can_draw_one_benchmark(make, clock):
    import_literacy_bank(clock())
    make.bank()
    user = make.user()
    session, _ = services.start_session(user, "zh", clock(), benchmark="B07", count=10)
    items = services.session_items(session)
    assert len(items) == 4 and all(i.text.startswith("B07") for i in items)
    for bad in ("B27", "b07", 7):
        with pytest.raises(ValidationFailed):
            services.start_session(user, "zh", clock(), benchmark=bad)
