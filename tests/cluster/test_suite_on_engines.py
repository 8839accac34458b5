"""Tests of the main suite that exercise Redis in ways tests/cluster/test_engines.py
does not, run again on a Redis Cluster and on Sentinel (the ``app`` fixture of
tests/cluster/conftest.py puts them there): parts pruning after a rebuild (SCAN over
every node, multi-key UNLINK), and the school rankings (boards of their own, rebuilt and
swapped in by script like the contest boards, after a flush too). Chosen for what they
touch, not their number: the profile stays within about two minutes.
"""

from __future__ import annotations

import pytest

from tests.leaderboards.test_rebuild import (
    test_rebuild_prunes_the_parts_of_people_without_attempts,
)
from tests.schools.conftest import world
from tests.schools.test_rankings import (
    test_live_school_boards_equal_rebuilt_and_rank_correctly,
)

pytestmark = pytest.mark.cluster

__all__ = [
    "test_live_school_boards_equal_rebuilt_and_rank_correctly",
    "test_rebuild_prunes_the_parts_of_people_without_attempts",
    "world",
]
