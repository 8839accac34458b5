"""Fixtures for the format tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop import moodle_dir as _moodle_dir


@pytest.fixture(scope="session")
def moodle_dir() -> Path:
    """Moodle's own fixtures; the tests asking for them skip without them (fail under CI)."""
    return _moodle_dir()
