from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.settings import SETTINGS, Settings, SettingsError, load_settings, markdown_table


def test_defaults() -> None:
    s = load_settings(environ={})
    assert (
        s.host,
        s.port,
        s.token_profile,
        s.auth_code_ttl,
        s.oauth_error_status,
        s.pkce_encoding,
        s.region_policy,
    ) == ("127.0.0.1", 8080, "current", 600, 200, "hex", "deny_at_consent")


def test_layers_file_then_env_then_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "mock.toml"
    toml.write_text('seed = 7\nport = 9000\ntoken_profile = "legacy"\n')
    s = load_settings(
        {"port": 9100}, environ={"TIKTOK_MOCK_SEED": "8", "TIKTOK_MOCK_CONFIG": str(toml)}
    )
    assert (s.seed, s.port, s.token_profile) == (8, 9100, "legacy")
    as_json = tmp_path / "mock.json"
    as_json.write_text(json.dumps({"pkce_encoding": "either"}))
    assert load_settings(environ={}, config_file=str(as_json)).pkce_encoding == "either"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"TIKTOK_MOCK_PORT": "eighty"}, "is not an integer"),
        ({"TIKTOK_MOCK_PKCE_ENCODING": "plain"}, "must be one of hex, base64url, either"),
        ({"TIKTOK_MOCK_OAUTH_ERROR_STATUS": "100"}, "HTTP status"),
        ({"TIKTOK_MOCK_WORKERS": "-1"}, "zero or a positive"),
        ({"TIKTOK_MOCK_RATE_LIMITS": "fast"}, "multiplier"),
        ({"TIKTOK_MOCK_LARGE_REQUEST_IDS": "maybe"}, "boolean"),
    ],
)
def test_bad_values_name_the_variable(source: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(environ=source)
    assert words in str(err.value)
    assert next(iter(source)) in str(err.value)


def test_unknown_setting_in_a_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings(environ={}, config_file=str(path))


def test_every_setting_has_a_doc_and_the_readme_table_is_current() -> None:
    assert all(f.metadata["doc"] for f in SETTINGS)
    assert Settings().workers == 0  # auto: sized for the machine by serve
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert markdown_table() in readme, "regenerate with `tiktok-mock settings`"
