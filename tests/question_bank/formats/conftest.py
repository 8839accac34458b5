"""Where Moodle's own import fixtures are (GPL test data, read in place, never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Beside the checkout (as CI lays it out), or named by QUIZ_INTEROP_DIR for a clone
# elsewhere (e.g. ../shared/tools/fresh-clone-test clones into a temporary folder).
CANDIDATES = [Path(p) / "moodle" for p in filter(None, [os.environ.get("QUIZ_INTEROP_DIR")])] + [
    ROOT.parent / "shared" / "interop" / "moodle"
]


@pytest.fixture(scope="session")
def moodle_dir() -> Path:
    for candidate in CANDIDATES:
        if candidate.is_dir():
            return candidate
    pytest.fail(
        "Moodle fixtures not found: put the shared folder beside the checkout "
        "(../shared/interop/moodle) or set QUIZ_INTEROP_DIR to its interop folder"
    )
