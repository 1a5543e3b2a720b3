"""TikTok's rate limits: per app and endpoint, over a sliding minute of mock time (§3).

Hits are counted in one-second buckets shared by every worker, so moving the clock a minute
on frees the window. Over the limit: `rate_limit_exceeded` 429 with `Retry-After` saying when
the oldest hit in the window leaves it.

Every counted call is a write, on the polling hot path, so the buckets live in their own
SQLite file (`<db_path>.ratelimit`) rather than the main database, and a busy file is retried
in steps of tens of microseconds instead of SQLite's busy handler, which sleeps whole
milliseconds per collision. That took check with limits on from ~2,000 to ~3,500 req/s.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time

from .errors import RateLimitExceeded
from .state import MockState

WINDOW = 60
LIMITS = {"add": 1000, "check": 1000, "cancel": 1000, "download": 1000, "user_info": 600}
SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_buckets (
    client_key TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    second INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (client_key, endpoint, second)
)
"""
GIVE_UP_SECONDS = 30.0


def limit_for(setting: str, endpoint: str) -> int | None:
    """The per-minute limit under the `rate_limits` setting, or None when off."""
    if setting == "off" or endpoint not in LIMITS:
        return None
    factor = 1.0 if setting == "on" else float(setting)
    return max(1, int(LIMITS[endpoint] * factor))


class RateCounter:
    """The shared one-second buckets; one connection per process, threads take turns."""

    def __init__(self, db_path: str) -> None:
        self.path = f"{db_path}.ratelimit"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            # timeout=0: a locked file raises at once and _transaction retries quickly.
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
            conn.execute("PRAGMA busy_timeout = 0")
            self._retrying(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = OFF")  # a minute of counts: not worth fsyncs
            self._retrying(lambda: conn.execute(SCHEMA))
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @staticmethod
    def _retrying(action: object) -> None:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        pause = 0.00002
        while True:
            try:
                action()  # type: ignore[operator]
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def count(self, client_key: str, endpoint: str, now: float, limit: int) -> int | None:
        """Count a call; if the window is full, count nothing and return Retry-After."""
        second = math.floor(now)
        verdict: list[int | None] = [None]
        with self._lock:
            conn = self._connection()

            def attempt() -> None:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute(
                        "DELETE FROM rate_buckets WHERE client_key = ? AND endpoint = ? "
                        "AND second <= ?",
                        (client_key, endpoint, second - WINDOW),
                    )
                    used, first = conn.execute(
                        "SELECT COALESCE(SUM(n), 0), MIN(second) FROM rate_buckets "
                        "WHERE client_key = ? AND endpoint = ? AND second <= ?",
                        (client_key, endpoint, second),
                    ).fetchone()
                    if used >= limit:
                        verdict[0] = max(1, math.ceil(first + WINDOW - now))
                    else:
                        verdict[0] = None
                        conn.execute(
                            "INSERT INTO rate_buckets (client_key, endpoint, second, n) "
                            "VALUES (?, ?, ?, 1) ON CONFLICT (client_key, endpoint, second) "
                            "DO UPDATE SET n = n + 1",
                            (client_key, endpoint, second),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise

            self._retrying(attempt)
        return verdict[0]

    def clear(self) -> None:
        with self._lock:
            conn = self._connection()
            self._retrying(lambda: conn.execute("DELETE FROM rate_buckets"))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


def enforce(st: MockState, client_key: str, endpoint: str, now: float) -> None:
    """Count this call or raise RateLimitExceeded; refused calls do not count."""
    limit = limit_for(st.settings.rate_limits, endpoint)
    if limit is None:
        return
    retry_after = st.rates.count(client_key, endpoint, now, limit)
    if retry_after is not None:
        raise RateLimitExceeded(
            f"{RateLimitExceeded.description} {endpoint} allows {limit} calls per minute per "
            f"app; retry after {retry_after} s.",
            status=429,
            headers={"Retry-After": str(retry_after)},
        )
