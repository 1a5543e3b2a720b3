"""Every setting of the mock, declared once: name, type, default and a one-line doc.

Sources, later wins: the defaults below → a config file (TOML or JSON, `TIKTOK_MOCK_CONFIG`
or `--config`) → `TIKTOK_MOCK_<NAME>` environment variables → an explicit mapping (CLI flags,
tests). The README's settings table is generated from `SETTINGS` (`tiktok-mock settings`).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "TIKTOK_MOCK_"


class SettingsError(ValueError):
    """A setting has a value the mock cannot use; the message names it."""


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return check


def _positive_int(value: int) -> int:
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_int(value: int) -> int:
    if value < 0:
        raise ValueError("must be zero or a positive integer")
    return value


def _http_status(value: int) -> int:
    if not 200 <= value <= 599:
        raise ValueError("must be an HTTP status between 200 and 599")
    return value


def _rate_limits(value: str) -> str:
    if value in ("on", "off"):
        return value
    try:
        factor = float(value)
    except ValueError:
        raise ValueError("must be on, off or a positive multiplier such as 0.1") from None
    if not factor > 0:
        raise ValueError("a multiplier must be positive")
    return value


def _setting(default: Any, doc: str, check: Callable[[Any], Any] | None = None) -> Any:
    return field(default=default, metadata={"doc": doc, "check": check})


@dataclass(frozen=True)
class Settings:
    """The mock's configuration; build it with `load_settings`."""

    allowed_hosts: str = _setting(
        "",
        "Comma list of Host header names accepted (`*` = any); empty = loopback names when "
        "bound to loopback, any otherwise. Guards the control API against DNS rebinding.",
    )
    host: str = _setting(
        "127.0.0.1", "Address `serve` binds; loopback unless you mean to expose it."
    )
    port: int = _setting(8080, "TCP port `serve` listens on.", _non_negative_int)
    workers: int = _setting(
        0,
        "gunicorn worker processes (0 = one per core, at least 2); state is shared through SQLite.",
        _non_negative_int,
    )
    worker_class: str = _setting(
        "gthread",
        "gunicorn worker class: `gthread` (keep-alive, threads) or `sync`.",
        _choice("gthread", "sync"),
    )
    threads: int = _setting(4, "Threads per gthread worker.", _positive_int)
    fast_path: bool = _setting(
        True,
        "Answer plain successful check calls without Flask's request machinery (same bytes, "
        "same journal; see mockserver/fastpath.py). `false` sends every call through Flask.",
    )
    access_log: str = _setting(
        "off",
        "Access log on stdout: `off`, `text` or `json` (one JSON object per line).",
        _choice("off", "text", "json"),
    )
    db_path: str = _setting(
        "tiktok-mock.db", "SQLite file holding all state; survives restarts, shared by workers."
    )
    seed: int = _setting(1234, "Seed of the one RNG: same seed, same users, tokens and ids.")
    admin_token: str = _setting(
        "", "If set, `/_mock/*` (except health) needs `Authorization: Bearer <token>`."
    )
    fixtures_dir: str = _setting("", "Folder with clients.json and users.json; empty = bundled.")
    token_profile: str = _setting(
        "current",
        "`current`: access 7200 s, refresh 15552000 s, rotating refresh tokens; `legacy`: "
        "86400 s / 31536000 s, refresh token kept.",
        _choice("current", "legacy"),
    )
    auth_code_ttl: int = _setting(
        600, "Seconds an authorization code stays redeemable.", _positive_int
    )
    oauth_error_status: int = _setting(
        200,
        "HTTP status of OAuth error bodies at /v2/oauth/*; TikTok was seen sending 200.",
        _http_status,
    )
    pkce_encoding: str = _setting(
        "hex",
        "Accepted PKCE S256 challenge encoding: `hex` (TikTok), `base64url` (RFC 7636), `either`.",
        _choice("hex", "base64url", "either"),
    )
    region_policy: str = _setting(
        "deny_at_consent",
        "Non-EEA/UK users and portability scopes: `deny_at_consent`, `deny_at_add` or `allow`.",
        _choice("deny_at_consent", "deny_at_add", "allow"),
    )
    auto_approve_user: str = _setting(
        "", "open_id or username that approves every authorize request without the page."
    )
    max_body_bytes: int = _setting(
        1_048_576, "Largest accepted request body; larger gets 413.", _positive_int
    )
    export_delay: int = _setting(
        30,
        "Seconds from Add until a data request is ready (`downloading`); overridable per user "
        "and per request through the control API.",
        _non_negative_int,
    )
    large_request_ids: bool = _setting(
        False, "Issue request_ids above 2^53, to expose JavaScript number precision bugs."
    )
    request_id_strings: str = _setting(
        "reject",
        "A `request_id` sent as a JSON string: `reject` (invalid_params) or `accept`; noted "
        "either way.",
        _choice("reject", "accept"),
    )
    rate_limits: str = _setting(
        "on",
        "TikTok's per-app, per-endpoint limits over a sliding minute (portability 1000/min each, "
        "user info 600/min): `on`, `off`, or a multiplier such as `0.1`.",
        _rate_limits,
    )
    fault_hang_seconds: int = _setting(
        120, "How long a `hang` fault holds the connection before closing it.", _positive_int
    )
    poll_floor_ms: int = _setting(
        1000,
        "Diagnostics flag check calls on one request_id closer together than this (mock time).",
        _non_negative_int,
    )
    config: str = _setting(
        "", "TOML or JSON file read at start: settings, plus `[[faults]]` rules (also --config)."
    )
    scenario: str = _setting(
        "", "Preset from fixtures/scenarios loaded at start (its settings and fault rules)."
    )
    archive_snapshot_time: int = _setting(
        1_793_491_200,
        "Unix time archives are 'as of' (row dates, TEXT folder name), fixed so archives are "
        "byte-identical across runs; 0 = each request's collect_time.",
        _non_negative_int,
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            check = f.metadata.get("check")
            if check is not None:
                try:
                    check(getattr(self, f.name))
                except ValueError as exc:
                    raise SettingsError(f"{ENV_PREFIX}{f.name.upper()}: {exc}") from None


SETTINGS = fields(Settings)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    """Turn a raw value from the environment or a file into the setting's type."""
    if kind in (bool, "bool"):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}: {raw!r} is not a boolean (true/false)")
    if isinstance(raw, str) and kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()}: {raw!r} is not an integer") from None
    if kind in (int, "int") and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}: {raw!r} is not an integer")
    if kind in (str, "str") and not isinstance(raw, str):
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}: {raw!r} is not a string")
    return raw


def read_config_file(path: str) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_bytes()
    except OSError as exc:
        raise SettingsError(f"config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text.decode()) if p.suffix == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"config file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"config file {path}: the top level must be a table/object")
    return data


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | None = None,
) -> Settings:
    """Build the settings: defaults → scenario preset → config file → environment → overrides."""
    env = os.environ if environ is None else environ
    known = {f.name: f for f in SETTINGS}
    env_layer = {
        k[len(ENV_PREFIX) :].lower(): v
        for k, v in env.items()
        if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :].lower() in known
    }  # foreign TIKTOK_MOCK_* variables are not ours to reject
    given = dict(overrides or {})
    path = given.get("config") or env_layer.get("config") or config_file or ""
    layers: list[Mapping[str, Any]] = []
    if path:
        # Tables and arrays (e.g. [[faults]]) are read by their own modules.
        file_values = read_config_file(str(path))
        layers.append({k: v for k, v in file_values.items() if not isinstance(v, dict | list)})
    layers += [env_layer, given]
    values: dict[str, Any] = {"config": str(path)}
    for layer in layers:
        for name, raw in layer.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}; known: {', '.join(known)}")
            values[name] = _coerce(name, known[name].type, raw)
    scenario = values.get("scenario")
    if scenario:
        from .faults.scenarios import ScenarioError, read_scenario

        try:
            preset = read_scenario(str(scenario), values.get("fixtures_dir", ""))
        except ScenarioError as exc:
            raise SettingsError(f"{ENV_PREFIX}SCENARIO: {exc}") from None
        # The preset sits just above the defaults: anything set explicitly still wins.
        base = {n: _coerce(n, known[n].type, v) for n, v in preset.settings.items()}
        values = {**base, **values}
    return replace(Settings(), **values)


def markdown_table() -> str:
    """The README's settings table, generated from the one declaration."""
    rows = ["| setting | environment variable | default | what it does |", "|---|---|---|---|"]
    for f in SETTINGS:
        default = f.default if f.default != "" else "(empty)"
        if isinstance(default, bool):
            default = str(default).lower()
        rows.append(
            f"| `{f.name}` | `{ENV_PREFIX}{f.name.upper()}` | `{default}` | {f.metadata['doc']} |"
        )
    return "\n".join(rows)
