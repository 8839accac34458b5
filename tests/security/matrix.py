"""The vocabulary of the access matrix, shared by ``test_access_matrix.py`` and the
feature modules ``matrix_<feature>.py`` beside it.

A feature module defines ``ROWS: dict[str, list[Case]]`` (endpoint -> requests) and may
define ``extend(scenario, make, clock)`` to add its own objects to the scenario (their
ids go into ``scenario.ids`` and may then be named in paths as ``{NAME}``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

LOGIN = "login"  # 302 to /login?next=...
Expect = tuple[Any, Any, Any, Any, Any, Any]

ALL_200: Expect = (200, 200, 200, 200, 200, 200)
MEMBERS_200: Expect = (LOGIN, 200, 200, 200, 200, 200)
API_MEMBERS_200: Expect = (401, 200, 200, 200, 200, 200)
# Something of U (the organizer's unpublished contest).
U_ONLY: Expect = (LOGIN, 404, 404, 404, 200, 200)
API_U_ONLY: Expect = (401, 404, 404, 404, 200, 200)
# Something of O (the other organizer's unpublished contest).
O_ONLY: Expect = (LOGIN, 404, 404, 200, 404, 200)
API_O_ONLY: Expect = (401, 404, 404, 200, 404, 200)
# The participant's own attempt: nobody else's business, admins included.
OWNER_ONLY_200: Expect = (LOGIN, 200, 404, 404, 404, 404)
API_OWNER_ONLY_200: Expect = (401, 200, 404, 404, 404, 404)
# Organizer pages (admins hold every role).
ORGANIZERS: Expect = (LOGIN, 403, 403, 200, 200, 200)
# Console pages of contest P (``contest_organizer_required``): its organizer and admins;
# the other organizer gets 403 like participants and teachers.
P_CONSOLE: Expect = (LOGIN, 403, 403, 403, 200, 200)
API_P_CONSOLE: Expect = (401, 403, 403, 403, 200, 200)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expect: Expect
    form: dict[str, Any] = field(default_factory=dict)
    json: Any = None


def feature_modules() -> Iterator[ModuleType]:
    for path in sorted(Path(__file__).parent.glob("matrix_*.py")):
        yield importlib.import_module(f"tests.security.{path.stem}")
