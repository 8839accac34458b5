"""docs/question-bank-format.md stays true: its example loads and it lists every message."""

import re
from pathlib import Path

from question_bank import Kind, parse_bank
from question_bank import messages as m

DOC = Path(__file__).resolve().parents[2] / "docs" / "question-bank-format.md"


def test_the_example_in_the_format_reference_is_a_valid_bank() -> None:
    example = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert example is not None

    bank = parse_bank(example.group(1), str(DOC))

    assert [q.kind for q in bank.questions] == [Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE]
    assert bank.questions[0].versions["mn"].reviewed is False


def test_the_format_reference_lists_every_error_message() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = [name for name, msgid in m.all_messages().items() if f"`{msgid}`" not in doc]
    assert missing == []
