"""Each gunicorn worker freezes its built app out of the garbage collector
(quiz/ops/heap.py, deploy/gunicorn.conf.py's ``post_worker_init``): a full collection
then visits only what the worker allocated since, not the ~200,000 objects of the app
(docs/performance.md, "10. Latency under steady load")."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz.ops.heap import settle_heap

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def thawed() -> Iterator[None]:
    """Give the test process its heap back: frozen objects return to the oldest generation."""
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Node:
    """A tracked object with a cycle, as the app's long-lived objects have."""

    def __init__(self) -> None:
        self.me = self


def test_settle_heap_freezes_the_live_objects_and_collects_the_garbage_first(thawed):
    kept = _Node()
    garbage = weakref.ref(_Node())  # a cycle: only a collection frees it, a frozen one never
    assert garbage() is not None
    frozen = settle_heap()
    # A frozen object that another thread releases leaves the frozen set (the test
    # process has background threads): the count may have fallen by a few since.
    assert 0 < gc.get_freeze_count() <= frozen
    assert garbage() is None  # collected before the freeze
    # Frozen objects are left out of every collection (and of gc.get_objects()).
    assert not any(o is kept for o in gc.get_objects())
    after = _Node()
    assert any(o is after for o in gc.get_objects())  # later objects are collected as before


def test_the_gunicorn_config_settles_each_worker_after_the_app_is_built(monkeypatch, thawed):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/quiz-metrics-test")
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    namespace: dict = {}
    exec(compile(conf.read_text(), str(conf), "exec"), namespace)
    # post_worker_init: gunicorn calls it in each worker once the app is loaded (post_fork
    # would come before the app is built: nothing of it would be frozen).
    assert "post_fork" not in namespace
    assert gc.get_freeze_count() == 0
    namespace["post_worker_init"](None)
    assert gc.get_freeze_count() > 0
