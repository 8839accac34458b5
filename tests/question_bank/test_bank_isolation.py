"""question_bank stays a plain library: importing it loads no web or database code."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import question_bank

ROOT = Path(question_bank.__file__).resolve().parent.parent

CHECK = """
import importlib, pkgutil, sys
import question_bank
names = [m.name for m in pkgutil.walk_packages(question_bank.__path__, "question_bank.")]
for name in names:
    importlib.import_module(name)
forbidden = sorted(
    m for m in sys.modules
    if m.split(".")[0] in {"flask", "sqlalchemy", "quiz", "flask_sqlalchemy", "werkzeug"}
)
print(len(names), forbidden)
"""


def test_every_module_imports_without_flask_sqlalchemy_or_quiz() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error"},
    )
    count, forbidden = result.stdout.split(" ", 1)
    expected = len(list(pkgutil.walk_packages(question_bank.__path__, "question_bank.")))
    assert int(count) == expected >= 8
    assert forbidden.strip() == "[]"
