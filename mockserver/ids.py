"""The one seeded RNG and the wire formats of TikTok's tokens and ids (reference §2.5).

Each id draws from a stream derived from (seed, kind, n), where n is a counter kept in the
database: every worker gets distinct values, and the same seed with the same sequence of
calls gives the same ids, run after run.
"""

from __future__ import annotations

import os
import random
import sqlite3
import string
import threading
import time
import uuid
from contextlib import nullcontext

from .db import Database

ALNUM = string.ascii_letters + string.digits
URL_SAFE = ALNUM + "-_"


class Ids:
    """Seeded generator of every token and id the mock issues."""

    def __init__(self, seed: int, db: Database) -> None:
        self.seed = seed
        self._db = db
        self._log_lock = threading.Lock()
        self._log_rng: random.Random | None = None
        self._log_pid = 0

    def stream(self, kind: str, conn: sqlite3.Connection | None = None) -> random.Random:
        """A fresh RNG for the next `kind` id; pass the caller's transaction to share it."""
        with self._db.transaction() if conn is None else nullcontext(conn) as c:
            n = c.execute(
                "INSERT INTO counters (kind, n) VALUES (?, 1) "
                "ON CONFLICT(kind) DO UPDATE SET n = n + 1 RETURNING n",
                (kind,),
            ).fetchone()[0]
        # A str seed is hashed with SHA-512, so the stream does not depend on PYTHONHASHSEED.
        return random.Random(f"{self.seed}:{kind}:{n}")

    def derived(self, *parts: object) -> random.Random:
        """An RNG fixed by the seed and `parts` alone (no counter), e.g. per user or archive."""
        return random.Random(":".join([str(self.seed), *map(str, parts)]))

    def _token(self, prefix: str, conn: sqlite3.Connection | None) -> str:
        rng = self.stream(prefix, conn)
        body = "".join(rng.choices(ALNUM, k=60))
        return f"{prefix}.{body}!{rng.randrange(10_000):04d}.va"

    def access_token(self, conn: sqlite3.Connection | None = None) -> str:
        return self._token("act", conn)

    def refresh_token(self, conn: sqlite3.Connection | None = None) -> str:
        return self._token("rft", conn)

    def client_token(self, conn: sqlite3.Connection | None = None) -> str:
        return self._token("clt", conn)

    def auth_code(self, conn: sqlite3.Connection | None = None) -> str:
        rng = self.stream("code", conn)
        return (
            "".join(rng.choices(URL_SAFE, k=64))
            + f"*{rng.randrange(10):d}!{rng.randrange(10_000):04d}.va"
        )

    def client_secret(self, conn: sqlite3.Connection | None = None) -> str:
        return "".join(self.stream("secret", conn).choices(ALNUM, k=32))

    def client_key(self, conn: sqlite3.Connection | None = None) -> str:
        return "sbaw" + "".join(
            self.stream("client", conn).choices(string.ascii_lowercase + string.digits, k=14)
        )

    def log_id(self, now: float) -> str:
        """`YYYYMMDDhhmmss` (UTC) + 20 upper-case hex: 34 chars, as TikTok's `log_id`."""
        with self._log_lock:
            if self._log_rng is None or self._log_pid != os.getpid():
                # One stream per process: a counter hands each worker its own slot, so log ids
                # are unique without a database write per request.
                self._log_rng = self.stream("log-stream")
                self._log_pid = os.getpid()
            suffix = self._log_rng.getrandbits(80)
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{suffix:020X}"


def open_id(rng: random.Random) -> str:
    """`-000` + 32 URL-safe characters."""
    return "-000" + "".join(rng.choices(URL_SAFE, k=32))


def union_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
