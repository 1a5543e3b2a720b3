"""Fault rules from the config file and scenario presets: installed at start, kept by reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.app import create_app
from mockserver.faults.rules import FaultRuleError, parse_header
from mockserver.settings import SettingsError, load_settings

CONFIG = """
rate_limits = "off"

[[faults]]
match = { endpoint = "user_info" }
trigger = { every = 2 }
effect = { status = 503 }
"""


def test_config_file_rules_survive_reset_api_rules_do_not(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text(CONFIG)
    app = create_app({"db_path": str(tmp_path / "m.db"), "config": str(config)})
    client = app.test_client()
    assert app.extensions["tiktok_mock"].settings.rate_limits == "off"
    [rule] = client.get("/_mock/faults").json
    assert rule["source"] == "config" and rule["trigger"] == {"every": 2}
    client.post("/_mock/faults", json={"effect": {"status": 500}})
    assert len(client.get("/_mock/faults").json) == 2
    client.post("/_mock/reset")
    assert [r["source"] for r in client.get("/_mock/faults").json] == ["config"]


def test_scenario_sets_settings_below_explicit_ones_and_installs_rules(tmp_path: Path) -> None:
    settings = load_settings({"scenario": "slow-exports"}, environ={})
    assert settings.export_delay == 3600
    explicit = load_settings({"scenario": "slow-exports", "export_delay": 5}, environ={})
    assert explicit.export_delay == 5
    app = create_app({"db_path": str(tmp_path / "s.db"), "scenario": "slow-exports"})
    rules = app.test_client().get("/_mock/faults").json
    assert {r["source"] for r in rules} == {"scenario:slow-exports"} and len(rules) == 2


def test_unknown_scenario_and_bad_config_rules_are_settings_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="flaky-network"):
        load_settings({"scenario": "nope"}, environ={})
    config = tmp_path / "bad.toml"
    config.write_text("[[faults]]\neffect = { explode = true }\n")
    with pytest.raises(SettingsError, match="config fault 0"):
        create_app({"db_path": str(tmp_path / "b.db"), "config": str(config)})


@pytest.mark.parametrize(
    ("header", "effect"),
    [
        ("reset", {"reset": True}),
        ("latency_ms=500; status=503", {"latency_ms": [500, 500], "status": 503}),
        ("latency_ms=100-300", {"latency_ms": [100, 300]}),
        (
            "error=rate_limit_exceeded; retry_after=7",
            {"error": "rate_limit_exceeded", "retry_after": 7},
        ),
        ("truncate=1000;reset", {"truncate": 1000, "reset": True}),
    ],
)
def test_header_syntax(header: str, effect: dict[str, object]) -> None:
    assert parse_header(header)["effect"] == effect


@pytest.mark.parametrize("header", ["explode", "status=abc", "latency_ms=x-y", "error=teapot"])
def test_bad_headers(header: str) -> None:
    with pytest.raises(FaultRuleError):
        parse_header(header)
