"""Scenario presets from `fixtures/scenarios/<name>.json`: settings plus fault rules.

A preset's settings apply when the server starts with it (`serve --scenario`, the `scenario`
setting); its fault rules are installed then, and can be loaded into a running server through
`POST /_mock/scenarios/<name>`. Kept free of Flask imports: settings loading reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """No such preset, or a malformed one."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    settings: dict[str, Any] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)


def _folder(fixtures_dir: str) -> Any:
    if fixtures_dir:
        return Path(fixtures_dir) / "scenarios"
    return resources.files("mockserver.fixtures").joinpath("scenarios")


def scenario_names(fixtures_dir: str = "") -> list[str]:
    folder = _folder(fixtures_dir)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def read_scenario(name: str, fixtures_dir: str = "") -> Scenario:
    known = scenario_names(fixtures_dir)
    if name not in known:
        raise ScenarioError(f"no scenario {name!r}; presets: {', '.join(known)}")
    try:
        data = json.loads(_folder(fixtures_dir).joinpath(f"{name}.json").read_text())
    except ValueError as exc:
        raise ScenarioError(f"scenario {name}: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {name}: expected a JSON object")
    return Scenario(
        name=name,
        description=str(data.get("description", "")),
        settings=dict(data.get("settings", {})),
        faults=list(data.get("faults", [])),
    )
