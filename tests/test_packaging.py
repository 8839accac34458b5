"""The wheel's explicit package list stays complete."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("quiz", "question_bank")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed


def test_the_changelog_has_dated_versions_and_the_newest_is_the_packages():
    """CHANGELOG.md in Keep a Changelog form: "Unreleased" on top, then dated versions,
    newest first; the newest released one is the version in pyproject.toml."""
    import re
    from datetime import date

    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    versions = []
    for heading in headings[1:]:
        found = re.fullmatch(r"\[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d\d-\d\d)", heading)
        assert found, heading
        date.fromisoformat(found[4])
        versions.append((tuple(int(n) for n in found.groups()[:3]), found[4]))
    assert versions == sorted(versions, reverse=True)
    package = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert ".".join(map(str, versions[0][0])) == package
