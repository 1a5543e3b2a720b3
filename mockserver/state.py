"""The app's state, reached through one accessor: settings, database, clock and RNG."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Request, current_app, request

from .clock import Clock
from .db import Database
from .ids import Ids
from .journal.store import JournalStore
from .settings import Settings

if TYPE_CHECKING:
    from .ratelimit import RateCounter

EXTENSION = "tiktok_mock"


@dataclass
class MockState:
    """Everything a request may need; built once per process by `create_app`."""

    settings: Settings
    db: Database
    clock: Clock
    ids: Ids
    journal: JournalStore
    rates: RateCounter

    def close(self) -> None:
        """Close this thread's database connection and this process's side files."""
        self.db.close()
        self.journal.close()
        self.rates.close()


@dataclass(slots=True)
class Call:
    """Per-request scratch: the state, the instant, the log id and what the journal learns.

    Kept in a context variable rather than Flask's `g`: these are read dozens of times per
    request on the polling hot path, and a context variable costs a fraction of a proxy.
    """

    st: MockState
    request: Request | None  # None when the fast path serves the call without Flask
    now: float | None = None
    log_id: str | None = None
    started: float | None = None
    fault: Any = None
    tags: dict[str, Any] = field(default_factory=dict)


_call: ContextVar[Call | None] = ContextVar("tiktok_mock_call", default=None)


def begin_call() -> Call:
    """Start the current request's scratch (the first before_request hook)."""
    # The request object itself: each access through Flask's proxy costs a context lookup.
    call = Call(current_app.extensions[EXTENSION], request._get_current_object())  # type: ignore[attr-defined]
    _call.set(call)
    return call


@contextmanager
def call_outside_flask(st: MockState) -> Iterator[Call]:
    """The scratch of a call served without Flask (the fast path), for the same helpers."""
    call = Call(st, None)
    token = _call.set(call)
    try:
        yield call
    finally:
        _call.reset(token)


def end_call(_: BaseException | None = None) -> None:
    _call.set(None)


def current_call() -> Call | None:
    return _call.get()


def current_request() -> Request:
    """The request being served; cheaper than `flask.request` on the hot path."""
    call = _call.get()
    if call is not None and call.request is not None:
        return call.request
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    return req


def state() -> MockState:
    """The state of the app handling the current request (or of the current app context)."""
    call = _call.get()
    if call is not None:
        return call.st
    s: MockState = current_app.extensions[EXTENSION]
    return s


def log_id() -> str:
    """This request's `log_id`, made on first use and echoed in `x-tt-logid`."""
    call = _call.get()
    if call is None:
        return state().ids.log_id(now())
    if call.log_id is None:
        call.log_id = call.st.ids.log_id(now())
    return call.log_id


def now() -> float:
    """Mock time, read once per request so every rule in it sees the same instant."""
    call = _call.get()
    if call is None:
        return state().clock.now()
    if call.now is None:
        call.now = call.st.clock.now()
    return call.now
