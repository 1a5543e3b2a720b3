"""The distribution ships every subpackage and the fixtures an installed copy needs."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "mockserver").rglob("__init__.py")
    }
    assert found | {"mockserver.fixtures"} == listed


def test_fixtures_are_reachable_as_package_data() -> None:
    names = {p.name for p in resources.files("mockserver.fixtures").iterdir()}
    assert {"clients.json", "users.json"} <= names
