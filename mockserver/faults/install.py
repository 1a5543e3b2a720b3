"""Fault rules that come with the server's configuration: `[[faults]]` in the config file and
the faults of the `scenario` preset. Installed at start and again after every reset; rules
added through the control API are not touched at start and cleared by a reset."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..settings import Settings, SettingsError, read_config_file
from .engine import add_rule
from .rules import FaultRuleError, parse_rule
from .scenarios import read_scenario


def configured_rules(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """(source, validated rule) pairs from the config file and the scenario preset."""
    found: list[tuple[str, Any]] = []
    if settings.config:
        raw = read_config_file(settings.config).get("faults", [])
        if not isinstance(raw, list):
            raise SettingsError(f"config file {settings.config}: `faults` must be a list")
        found += [("config", rule) for rule in raw]
    if settings.scenario:
        preset = read_scenario(settings.scenario, settings.fixtures_dir)
        found += [(f"scenario:{preset.name}", rule) for rule in preset.faults]
    rules = []
    for i, (source, rule) in enumerate(found):
        try:
            rules.append((source, parse_rule(rule)))
        except FaultRuleError as exc:
            raise SettingsError(f"{source} fault {i}: {exc}") from None
    return rules


def install(conn: sqlite3.Connection, rules: list[tuple[str, dict[str, Any]]], now: float) -> None:
    """Replace the configured rules (inside the caller's transaction)."""
    conn.execute("DELETE FROM faults WHERE source != 'api'")
    for source, rule in rules:
        add_rule(conn, rule, source, now)
