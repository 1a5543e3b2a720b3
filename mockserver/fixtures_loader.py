"""Default clients and users from `fixtures/`, loaded into an empty database and on reset."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from .faults.install import configured_rules, install
from .oauth.clients import build_client, insert_client
from .state import MockState
from .users.store import create_user

_LOADED_KEY = "fixtures_loaded"


class FixtureError(ValueError):
    """A fixture file is missing or breaks a rule; the message names the file and entry."""


def _read(st: MockState, name: str) -> list[dict[str, Any]]:
    folder = st.settings.fixtures_dir
    try:
        if folder:
            text = (Path(folder) / name).read_text()
        else:
            text = resources.files("mockserver.fixtures").joinpath(name).read_text()
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise FixtureError(f"fixtures {name}: {exc}") from None
    if not isinstance(data, list):
        raise FixtureError(f"fixtures {name}: expected a JSON list")
    return data


def prepare_state(st: MockState, *, reset: bool = False) -> None:
    """Fixtures into a new database (or all state back to them, on reset), then the fault
    rules of the config file and scenario."""
    rules = configured_rules(st.settings)
    load_fixtures(st, force=reset)
    if reset:
        st.journal.clear()
        st.rates.clear()
    with st.db.transaction() as tx:
        install(tx, rules, st.clock.now())


def load_fixtures(st: MockState, *, force: bool = False) -> bool:
    """Fill an empty database with the fixtures; with `force`, wipe all state first (reset).

    Runs in one transaction, so concurrent workers starting together load them once.
    """
    clients = _read(st, "clients.json")
    users = _read(st, "users.json")
    with st.db.transaction() as tx:
        if not force and st.db.get_meta(_LOADED_KEY) is not None:
            return False
        st.db.wipe(tx)
        for i, entry in enumerate(clients):
            try:
                insert_client(tx, build_client(entry))
            except (ValueError, KeyError) as exc:
                raise FixtureError(f"fixtures clients.json entry {i}: {exc}") from None
        for i, entry in enumerate(users):
            overrides = {k: v for k, v in entry.items() if k not in ("region", "persona")}
            try:
                create_user(st, tx, entry["region"], entry.get("persona", "light"), overrides)
            except (ValueError, KeyError) as exc:
                raise FixtureError(f"fixtures users.json entry {i}: {exc}") from None
        st.db.set_meta(tx, _LOADED_KEY, "1")
    return True
