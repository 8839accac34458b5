"""A bank's drawing pool as each worker keeps it (quiz.banks.services.drawing_pool)."""

from __future__ import annotations

from quiz.banks.services import drawing_pool


def test_questions_alike_share_one_draw_meta(app, make):
    """One DrawMeta per distinct (kind, option keys, difficulty), not one per question: a
    100,000-question bank would otherwise add 100,000 objects to every full garbage
    collection of every worker (docs/performance.md, "10. Latency under steady load")."""
    bank = make.bank(per_cell=4)
    cached = drawing_pool(bank.id, ["zh"])
    metas = list(cached.meta.values())
    distinct = {(m.kind, m.option_keys, m.difficulty) for m in metas}
    assert len(metas) > len(distinct)  # the sample bank repeats them
    assert len({id(m) for m in metas}) == len(distinct)
    for question_id, meta in cached.meta.items():
        assert cached.meta[question_id] == meta  # the values themselves are unchanged
