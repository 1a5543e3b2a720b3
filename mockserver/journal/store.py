"""Where the journal and the observed mistakes live: one small SQLite file per server process.

Every call to the emulated API writes a journal row, so a single shared file would make all
workers queue for its write lock on the hot path (SQLite's busy handler sleeps in
milliseconds). Instead each process appends to its own file under `<db_path>.journal/`,
through one connection guarded by a lock; readers open every file and merge them, so what
they see is always complete and current. The files survive restarts like the main database.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    real_time REAL NOT NULL,
    at REAL NOT NULL,
    log_id TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    endpoint TEXT,
    status INTEGER NOT NULL,
    error_code TEXT,
    client_key TEXT,
    open_id TEXT,
    request_id INTEGER,
    latency_ms REAL NOT NULL,
    fault TEXT,
    retry_after INTEGER
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    real_time REAL NOT NULL,
    at REAL NOT NULL,
    log_id TEXT,
    kind TEXT NOT NULL,
    client_key TEXT,
    open_id TEXT,
    detail TEXT NOT NULL
);
"""
JOURNAL_COLUMNS = (
    "at",
    "log_id",
    "method",
    "path",
    "endpoint",
    "status",
    "error_code",
    "client_key",
    "open_id",
    "request_id",
    "latency_ms",
    "fault",
    "retry_after",
)
OBSERVATION_COLUMNS = ("at", "log_id", "kind", "client_key", "open_id", "detail")


class JournalStore:
    """This process's journal file for writing; all processes' files for reading."""

    def __init__(self, db_path: str) -> None:
        self.folder = Path(f"{db_path}.journal")
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _writer(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.folder / f"{os.getpid()}.db",
                isolation_level=None,
                check_same_thread=False,
                timeout=30.0,
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _insert(self, table: str, columns: tuple[str, ...], row: dict[str, Any]) -> None:
        marks = ", ".join("?" * (len(columns) + 1))
        sql = f"INSERT INTO {table} (real_time, {', '.join(columns)}) VALUES ({marks})"
        with self._lock:
            self._writer().execute(sql, (time.time(), *(row.get(c) for c in columns)))

    def add_entry(self, row: dict[str, Any]) -> None:
        self._insert("journal", JOURNAL_COLUMNS, row)

    def add_observation(self, row: dict[str, Any]) -> None:
        self._insert("observations", OBSERVATION_COLUMNS, row)

    def _files(self) -> Iterable[Path]:
        return sorted(self.folder.glob("*.db")) if self.folder.is_dir() else []

    def read(self, table: str, where: str = "", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows of every process's file, oldest first (by real time)."""
        rows: list[dict[str, Any]] = []
        for path in self._files():
            conn = sqlite3.connect(path, timeout=30.0)
            conn.row_factory = sqlite3.Row
            try:
                conn.executescript(SCHEMA)
                sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")
                rows += [dict(r) for r in conn.execute(sql, args)]
            finally:
                conn.close()
        rows.sort(key=lambda r: (r["real_time"], r["id"]))
        for r in rows:
            del r["real_time"], r["id"]
        return rows

    def clear(self) -> int:
        """Empty every file (journal and observations); returns journal rows removed."""
        removed = 0
        for path in self._files():
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            try:
                conn.executescript(SCHEMA)
                removed += conn.execute("DELETE FROM journal").rowcount
                conn.execute("DELETE FROM observations")
            finally:
                conn.close()
        return removed

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
