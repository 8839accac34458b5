"""The mypy ratchet (docs/architecture.md "Type checking").

``make lint`` runs mypy on quiz and question_bank; the modules that still have type
errors are listed in pyproject.toml under an ``ignore_errors`` override. This test keeps
the list honest: it type-checks once without that override, and fails when a listed
module has become clean (take it off the list, so it stays clean) or no longer exists.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _ratchet(config: dict) -> list[str]:
    lists = [o["module"] for o in config.get("overrides", []) if o.get("ignore_errors")]
    assert len(lists) == 1, "one ignore_errors override: the ratchet list"
    return lists[0]


def _ini_value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def test_ratchet_lists_existing_modules_in_order():
    modules = _ratchet(_config())
    assert modules == sorted(modules)
    for name in modules:
        path = ROOT / Path(*name.split("."))
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), name


def test_no_listed_module_is_already_clean(tmp_path):
    api = pytest.importorskip("mypy.api")
    config = _config()
    listed = set(_ratchet(config))
    # The same settings as pyproject.toml, without the ratchet override (as mypy.ini).
    lines = ["[mypy]"]
    lines += [f"{k} = {_ini_value(v)}" for k, v in config.items() if k != "overrides"]
    for override in config.get("overrides", []):
        if not override.get("ignore_errors"):
            lines.append(f"[mypy-{_ini_value(override['module'])}]")
            lines += [f"{k} = {_ini_value(v)}" for k, v in override.items() if k != "module"]
    ini = tmp_path / "mypy.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err, _status = api.run(
        [
            "--config-file",
            str(ini),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(ROOT / "quiz"),
            str(ROOT / "question_bank"),
        ]
    )
    assert not err, err
    failing = set()
    for line in out.splitlines():
        match = re.match(r"(.+?\.py):\d+: error:", line)
        if match:
            relative = Path(match.group(1)).resolve().relative_to(ROOT).with_suffix("")
            failing.add(".".join(p for p in relative.parts if p != "__init__"))
    assert not (failing - listed), f"errors outside the ratchet list: {sorted(failing - listed)}"
    assert not (listed - failing), f"clean now, take them off the list: {sorted(listed - failing)}"
