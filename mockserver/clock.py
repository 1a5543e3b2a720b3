"""The one clock: real time plus an offset kept in the database, so every worker agrees.

Tests and the control API move it (advance, set, freeze) instead of sleeping; every
timestamp the mock issues or compares comes from `Clock.now()`.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from .db import Database


@dataclass(frozen=True)
class ClockState:
    """What `GET /_mock/clock` reports."""

    now: float
    offset: float
    frozen: bool


def _load(conn: sqlite3.Connection) -> tuple[float, float | None] | None:
    row = conn.execute("SELECT offset_s, frozen_at FROM clock WHERE id = 1").fetchone()
    return None if row is None else (float(row[0]), None if row[1] is None else float(row[1]))


class Clock:
    """Mock time shared through SQLite: `now = frozen_at` if frozen, else real time + offset."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def now(self) -> float:
        row = self._db.cached("clock", _load)
        if row is None:
            return time.time()
        return row[1] if row[1] is not None else time.time() + row[0]

    def state(self) -> ClockState:
        row = _load(self._db.connect())  # not cached: right after a change, read it afresh
        assert row is not None, "the clock row is made with the schema"
        offset, frozen_at = row
        now = frozen_at if frozen_at is not None else time.time() + offset
        return ClockState(now=now, offset=offset, frozen=frozen_at is not None)

    def advance(self, seconds: float) -> ClockState:
        """Move mock time forward (or back, with a negative number) by `seconds`."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE clock SET offset_s = offset_s + ?, frozen_at = frozen_at + ? WHERE id = 1",
                (seconds, seconds),
            )
        return self.state()

    def set(self, unix: float) -> ClockState:
        """Jump to an absolute Unix time; a frozen clock stays frozen there."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE clock SET offset_s = ? - ?, "
                "frozen_at = CASE WHEN frozen_at IS NULL THEN NULL ELSE ? END WHERE id = 1",
                (unix, time.time(), unix),
            )
        return self.state()

    def freeze(self, frozen: bool) -> ClockState:
        """Stop mock time where it is, or let it run on from where it was frozen."""
        with self._db.transaction() as tx:
            row = tx.execute("SELECT offset_s, frozen_at FROM clock WHERE id = 1").fetchone()
            real = time.time()
            if frozen and row[1] is None:
                tx.execute("UPDATE clock SET frozen_at = ? WHERE id = 1", (real + row[0],))
            elif not frozen and row[1] is not None:
                tx.execute(
                    "UPDATE clock SET frozen_at = NULL, offset_s = ? WHERE id = 1", (row[1] - real,)
                )
        return self.state()
