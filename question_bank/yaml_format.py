"""The YAML bank format (docs/question-bank-format.md): the three calls the app makes.

Reading checks the whole file and reports every problem with its line in one
``BankError``, so a contributor fixes a file in one pass. ``dump_bank`` writes the same
format; ``parse_bank(dump_bank(bank)) == bank`` holds for every valid bank.
"""

from __future__ import annotations

import os
from pathlib import Path

from question_bank.model import Bank
from question_bank.yaml_nodes import compose, decode_utf8
from question_bank.yaml_reader import BankReader
from question_bank.yaml_writer import dump_bank

__all__ = ["dump_bank", "load_bank", "parse_bank"]


def parse_bank(text: str, filename: str = "<string>") -> Bank:
    """Read a bank from YAML text; raise ``BankError`` listing every problem found."""
    return BankReader(filename).bank(compose(text, filename))


def load_bank(path: str | os.PathLike[str]) -> Bank:
    """Read a bank file (UTF-8); the problems name the file as it was given."""
    filename = os.fspath(path)
    return parse_bank(decode_utf8(Path(path).read_bytes(), filename), filename)
