"""Interoperability fixtures: the project's own, and Moodle's when they are at hand.

``FIXTURES`` (tests/data/interop) holds GIFT, Moodle XML and Aiken files written for this
project: they cover the cases of Moodle's own import fixtures, so every importer test
stands on files in the repository.

Moodle's own fixtures (GPL test data, read in place, never copied) are found beside the
checkout (../shared/interop/moodle) or in ``$QUIZ_INTEROP_DIR/moodle``. Without them the
tests that read them are skipped with one line saying why; with CI set (``.ci/run``) a
missing folder fails instead, so CI always runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "interop"
MISSING = (
    "Moodle's own fixtures not found (../shared/interop/moodle or $QUIZ_INTEROP_DIR/moodle); "
    "the project's own in tests/data/interop still run"
)


def find_moodle_dir() -> Path | None:
    """The folder of Moodle's fixtures, or None."""
    candidates = [Path(p) / "moodle" for p in filter(None, [os.environ.get("QUIZ_INTEROP_DIR")])]
    candidates.append(ROOT.parent / "shared" / "interop" / "moodle")
    return next((c for c in candidates if c.is_dir()), None)


def moodle_dir() -> Path:
    """The folder of Moodle's fixtures; skips the calling test without it (fails under CI)."""
    found = find_moodle_dir()
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{MISSING} (CI is set: they are required)", pytrace=False)
    pytest.skip(MISSING)
