"""An attempt's drawn items as each process loads them (quiz.play.hotpath)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from quiz.banks.models import Question, QuestionText
from quiz.extensions import db
from quiz.play import hotpath
from quiz.play import services as play
from quiz.play.models import AttemptItem


def _started_and_sent(make: Any, clock: Any, read: Any) -> tuple[Any, Any, list[str], Any]:
    """A started attempt, then ``read(attempt)`` with the statements it sent (lowered,
    one line each): the user, the attempt, the statements and what ``read`` returned."""
    contest, round_ = make.setup()
    user = make.enrolled(contest)
    attempt, _ = play.start_attempt(user, round_, "zh", clock())
    db.session.commit()
    sent: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        result = read(attempt)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return user, attempt, sent, result


def test_the_load_reads_each_question_by_its_key_never_through_a_join(app, make, clock):
    """The load's plan must not hang on attempt_items' statistics: a join with questions
    was hash-joined with a scan of every question when they were stale (40-170 ms per
    load instead of 0.2 ms; docs/performance.md, "10. Latency under steady load")."""
    user, attempt, sent, drawn = _started_and_sent(
        make, clock, lambda attempt: hotpath._load_drawn(attempt.id)
    )
    # (Besides it: SQLite's BEGIN, and the accepted answers if a fill-in was drawn.)
    [statement] = [s for s in sent if "from attempt_items" in s]
    assert "join questions" not in statement
    assert "from questions where questions.id = attempt_items.question_id" in statement
    assert drawn is not None and drawn.user_id == user.id
    items = db.session.execute(
        select(AttemptItem.no, AttemptItem.option_order, AttemptItem.points, Question)
        .join(Question, Question.id == AttemptItem.question_id)
        .where(AttemptItem.attempt_id == attempt.id)
    ).all()
    assert sorted(drawn.items) == sorted(no for no, *_ in items)
    for no, order, points, question in items:
        item = drawn.items[no]
        assert (item.option_order, item.points) == (list(order), points)
        assert (item.kind, item.answer) == (question.kind, list(question.answer))


def test_the_attempt_page_reads_each_question_and_text_by_key(app, make, clock):
    """The attempt's state (a large bank's start, every page load) had the same join and
    the same plan flip (20 ms of PostgreSQL per read on stale statistics): its items'
    questions and texts are read by primary key too, with the same result."""
    from quiz.play.state import attempt_state

    _, attempt, sent, state = _started_and_sent(
        make, clock, lambda attempt: attempt_state(attempt, "zh", clock()).to_json()
    )
    [statement] = [s for s in sent if "from attempt_items" in s]
    assert " join " not in statement
    assert "where question_texts.question_id = attempt_items.question_id" in statement
    texts = dict(
        db.session.execute(
            select(AttemptItem.no, QuestionText.text)
            .join(QuestionText, QuestionText.question_id == AttemptItem.question_id)
            .where(AttemptItem.attempt_id == attempt.id, QuestionText.language == "zh")
        ).all()
    )
    assert [q["no"] for q in state["questions"]] == sorted(texts)
    assert [q["text"] for q in state["questions"]] == [texts[no] for no in sorted(texts)]
