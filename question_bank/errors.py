"""Problems found in a question bank, kept as msgid + params so the app can translate them.

The library never translates: it has no Flask and no Babel. It records an English msgid
(marked with ``N_`` so pybabel extracts it) and the values to fill in, and whoever shows
the problem applies its own translation function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # the gettext name pybabel looks for
    """Mark a msgid for extraction without translating it (translation happens at display)."""
    return message


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bank file, at a line, so a contributor can go straight to it."""

    file: str
    line: int | str | None  # a line, or a spreadsheet cell (``Sheet!B3``)
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file`` when the problem concerns the whole file)."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def formatted(self, translate: Callable[[str], str] = _identity) -> str:
        """The message alone, translated first and then filled in (params are never translated)."""
        return translate(self.message) % self.params

    def __str__(self) -> str:
        return f"{self.location}: {self.formatted()}"


class BankError(Exception):
    """Every problem of a bank at once: fixing a file one error per run is miserable."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in question bank"
        return "\n".join([header + ":", *(f"  {problem}" for problem in self.problems)])
