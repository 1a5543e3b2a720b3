"""The app's state, reached through one accessor: settings, database, clock and RNG."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from .clock import Clock
from .db import Database
from .ids import Ids
from .journal.store import JournalStore
from .settings import Settings

EXTENSION = "tiktok_mock"


@dataclass
class MockState:
    """Everything a request may need; built once per process by `create_app`."""

    settings: Settings
    db: Database
    clock: Clock
    ids: Ids
    journal: JournalStore


def state() -> MockState:
    """The state of the app handling the current request."""
    s: MockState = current_app.extensions[EXTENSION]
    return s


def log_id() -> str:
    """This request's `log_id`, made on first use and echoed in `x-tt-logid`."""
    value: str | None = g.get("log_id")
    if value is None:
        st = state()
        value = g.log_id = st.ids.log_id(now())
    return value


def now() -> float:
    """Mock time, read once per request so every rule in it sees the same instant."""
    value: float | None = g.get("now")
    if value is None:
        value = g.now = state().clock.now()
    return value
