"""The background loop of each server process: find newly ready requests, deliver due events.

Every worker runs one; the outbox's atomic claims keep sends exactly once. It polls in real
time, but what is due is decided by the mock clock.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from ..state import EXTENSION, MockState
from .delivery import deliver_due
from .events import enqueue_ready

log = logging.getLogger("tiktok_mock.webhooks")
POLL_SECONDS = 0.25


def run_once(st: MockState) -> int:
    """One pass: create ready events, then attempt every due delivery."""
    now = st.clock.now()
    enqueue_ready(st, now)
    return deliver_due(st, st.clock.now())


class Dispatcher:
    """A running loop; `stop()` ends it and waits for its last pass."""

    def __init__(self, thread: threading.Thread, stop: threading.Event) -> None:
        self._thread = thread
        self._stop = stop

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def start(app: Flask) -> Dispatcher:
    """Start the loop in a daemon thread."""
    st: MockState = app.extensions[EXTENSION]
    stop = threading.Event()

    def loop() -> None:
        with app.app_context():
            while not stop.wait(POLL_SECONDS):
                try:
                    run_once(st)
                except Exception:  # keep delivering after a bad pass; the log says why
                    log.exception("webhook dispatch pass failed")
            st.db.close()

    thread = threading.Thread(target=loop, name="tiktok-mock-webhooks", daemon=True)
    thread.start()
    return Dispatcher(thread, stop)
