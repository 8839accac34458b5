"""Where Moodle's own import fixtures are (GPL test data, read in place, never copied).

Beside the checkout (as CI lays it out: ../shared/interop/moodle), or named by
QUIZ_INTEROP_DIR for a clone elsewhere (e.g. ../shared/tools/fresh-clone-test clones into
a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def moodle_dir() -> Path:
    candidates = [Path(p) / "moodle" for p in filter(None, [os.environ.get("QUIZ_INTEROP_DIR")])]
    candidates.append(ROOT.parent / "shared" / "interop" / "moodle")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    pytest.fail(
        "Moodle fixtures not found: put the shared folder beside the checkout "
        "(../shared/interop/moodle) or set QUIZ_INTEROP_DIR to its interop folder"
    )
