"""SQLite state shared by every gunicorn worker: schema, connections and transactions.

One file in WAL mode holds everything, so a code issued by one worker redeems in another and
the state survives a restart. Single-use things are consumed by one conditional UPDATE whose
rowcount says who won, never by select-then-update.

Every write happens inside `Database.transaction()`, which, once committed, changes a number
in a small shared file (`<db_path>.version`). Readers compare that number to decide whether
what they cached is still true: a memory read, where asking SQLite (`PRAGMA data_version`)
costs a system call and a hand-off of the GIL to the other threads on every request.
"""

from __future__ import annotations

import mmap
import os
import secrets
import sqlite3
import struct
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
# Entries a thread's read cache holds before it starts afresh (unknown tokens are cached too).
CACHE_LIMIT = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_s REAL NOT NULL,
    frozen_at REAL
);
CREATE TABLE IF NOT EXISTS clients (
    client_key TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    name TEXT NOT NULL,
    app_type TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    webhook_url TEXT
);
CREATE TABLE IF NOT EXISTS users (
    open_id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code TEXT PRIMARY KEY,
    client_key TEXT NOT NULL,
    open_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    redeemed_at REAL,
    grant_id INTEGER
);
CREATE TABLE IF NOT EXISTS grants (
    id INTEGER PRIMARY KEY,
    client_key TEXT NOT NULL,
    open_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL,
    revoke_reason TEXT
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY,
    grant_id INTEGER,
    client_key TEXT NOT NULL,
    open_id TEXT,
    scopes TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL
);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens (grant_id);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL,
    client_key TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    rotated_at REAL,
    revoked_at REAL
);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE TABLE IF NOT EXISTS data_requests (
    request_id INTEGER PRIMARY KEY,
    client_key TEXT NOT NULL,
    open_id TEXT NOT NULL,
    grant_id INTEGER NOT NULL,
    data_format TEXT NOT NULL,
    categories TEXT NOT NULL,
    consumed_scopes TEXT NOT NULL,
    apply_time REAL NOT NULL,
    collect_time REAL NOT NULL,
    ready_at REAL NOT NULL,
    cancelled_at REAL,
    ready_notified INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS data_requests_unnotified ON data_requests (ready_at)
    WHERE ready_notified = 0;
CREATE TABLE IF NOT EXISTS webhook_events (
    id INTEGER PRIMARY KEY,
    client_key TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    open_id TEXT,
    request_id INTEGER,
    body TEXT NOT NULL,
    fault TEXT,
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at REAL,
    gave_up_at REAL,
    claimed_until REAL
);
CREATE INDEX IF NOT EXISTS webhook_events_due ON webhook_events (next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL,
    at REAL NOT NULL,
    signature TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS data_requests_owner ON data_requests (client_key, open_id);
CREATE TABLE IF NOT EXISTS scope_consumption (
    grant_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    consumed_at REAL NOT NULL,
    PRIMARY KEY (grant_id, scope)
);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    rule TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    fired INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
"""

# Tables emptied by a reset, children first; `meta` keeps the schema version.
STATE_TABLES = (
    "webhook_attempts",
    "webhook_events",
    "faults",
    "scope_consumption",
    "data_requests",
    "refresh_tokens",
    "access_tokens",
    "auth_codes",
    "grants",
    "users",
    "clients",
    "counters",
    "clock",
)


_U64 = struct.Struct("=Q")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class WriteOutsideTransaction(sqlite3.ProgrammingError):
    """A write outside `Database.transaction()`: other processes would never hear of it."""


class _Connection(sqlite3.Connection):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if not self.in_transaction and sql.lstrip()[:6].upper() in _WRITES:
            raise WriteOutsideTransaction(
                f"write outside Database.transaction(): {sql.strip()[:60]!r}; other "
                "processes' read caches would not learn of it"
            )
        return super().execute(sql, parameters)


class Version:
    """A number in a shared file that every committed write changes (to a random value, so
    no process needs to read it first); mapped into memory, so reading it is free."""

    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < _U64.size:
                os.ftruncate(fd, _U64.size)
            self._map = mmap.mmap(fd, _U64.size)
        finally:
            os.close(fd)

    def read(self) -> int:
        value: int = _U64.unpack_from(self._map)[0]
        return value

    def bump(self) -> None:
        _U64.pack_into(self._map, 0, secrets.randbits(64))


class Database:
    """Connections to the one SQLite file, one per thread and process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.version = Version(f"{path}.version")

    def connect(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and anew after a fork)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        # Autocommit: a lone statement is its own transaction; `transaction()` groups more.
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            timeout=30.0,
            factory=_Connection,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._local.conn = conn
        self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local.conn = None
        self._local.cache = None
        self._local.pinned = None

    def pin_reads(self) -> None:
        """Read the version once; `cached` trusts it until `unpin_reads`. For one request:
        its cached reads all see the state as of its start (plus its own writes)."""
        self._local.pinned = self.version.read()

    def unpin_reads(self) -> None:
        self._local.pinned = None

    def cached(self, key: Hashable, load: Callable[[sqlite3.Connection], T]) -> T:
        """`load(conn)`, reused for as long as no connection has written the database.

        For the polling hot path: a token, a request, the clock and the fault rules are read
        on every call and almost never change. The shared version moves after any commit
        (another thread's or worker's), and `total_changes` when this connection writes, so
        any write anywhere empties the cache. Inside a transaction it is bypassed. The
        values are shared: treat them as read-only.
        """
        conn = self.connect()
        if conn.in_transaction:
            return load(conn)
        local = self._local
        shared = getattr(local, "pinned", None)
        if shared is None:
            shared = self.version.read()
        version = (shared, conn.total_changes)
        cache: dict[Hashable, object] | None = getattr(local, "cache", None)
        if cache is None or local.cache_version != version or len(cache) >= CACHE_LIMIT:
            cache = local.cache = {}
            local.cache_version = version
        try:
            return cache[key]  # type: ignore[return-value]
        except KeyError:
            value = cache[key] = load(conn)
            return value

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (BEGIN IMMEDIATE), so it never deadlocks later."""
        conn = self.connect()
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        # Threads of one process queue here instead of on SQLite's lock, whose busy handler
        # sleeps whole milliseconds per collision: only other processes contend there.
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            # After the commit, never before: a reader that sees the new version and reads
            # must find the new rows, or it would cache the old ones under the new version.
            self.version.bump()

    def create_schema(self) -> None:
        """Create the file and tables if missing; WAL lets readers run beside one writer."""
        parent = Path(self.path).parent
        parent.mkdir(parents=True, exist_ok=True)
        conn = self.connect()
        conn.execute("PRAGMA journal_mode = WAL")
        with self.transaction() as tx:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute("INSERT OR IGNORE INTO clock (id, offset_s, frozen_at) VALUES (1, 0, NULL)")

    def get_meta(self, key: str) -> str | None:
        row = self.connect().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def wipe(self, conn: sqlite3.Connection) -> None:
        """Empty every state table inside the caller's transaction."""
        for table in STATE_TABLES:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        conn.execute("DELETE FROM meta WHERE key != 'schema'")
        conn.execute("INSERT INTO clock (id, offset_s, frozen_at) VALUES (1, 0, NULL)")
