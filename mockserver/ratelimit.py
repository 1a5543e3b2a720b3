"""TikTok's rate limits: per app and endpoint, over a sliding minute of mock time (§3).

Hits are counted in one-second buckets shared by every worker, so moving the clock a minute
on frees the window. Over the limit: `rate_limit_exceeded` 429 with `Retry-After` saying when
the oldest hit in the window leaves it.

Every counted call is a write on the polling hot path, shared by all workers. In SQLite that
cost a write transaction per call (~90 µs of server CPU: a check with limits on ran at 0.36
of a bare Flask route). The buckets now live in a small memory-mapped file
(`<db_path>.rates`): each (app, endpoint) owns a slot of 60 buckets, one per second of the
window, indexed by the second modulo 60.

The lock around them is a POSIX semaphore made before gunicorn forks the workers: taking it
uncontended keeps the GIL, where a lock taken by system call (`flock`) lets another thread
run first while the lock is held, and the other workers then queue behind it. A worker that
dies holding it is noticed after a few seconds (its pid is gone, or the same holder stayed)
and the lock freed. Where semaphores are unavailable (no /dev/shm), `flock` serves instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import mmap
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import RateLimitExceeded
from .state import MockState

WINDOW = 60
LIMITS = {"add": 1000, "check": 1000, "cancel": 1000, "download": 1000, "user_info": 600}

# The file, as int64s: an 8-word header, then SLOTS slots of [key digest (2 words), then
# WINDOW pairs of (second, hits)]. A slot whose buckets all left the window may be reused.
MAGIC = int.from_bytes(b"ttmrate1", "little")
HOLDER, TURN = 1, 2  # header words: pid holding the lock, and how many times it was taken
HEADER_WORDS = 8
SLOT_WORDS = 2 + 2 * WINDOW
SLOTS = 4096
FILE_SIZE = 8 * (HEADER_WORDS + SLOTS * SLOT_WORDS)
STUCK_SECONDS = 2.0  # a critical section takes microseconds; this long means trouble
log = logging.getLogger("tiktok_mock.ratelimit")


def limit_for(setting: str, endpoint: str) -> int | None:
    """The per-minute limit under the `rate_limits` setting, or None when off."""
    if setting == "off" or endpoint not in LIMITS:
        return None
    factor = 1.0 if setting == "on" else float(setting)
    return max(1, int(LIMITS[endpoint] * factor))


def _digest(client_key: str, endpoint: str) -> tuple[int, int]:
    raw = hashlib.blake2b(f"{client_key}\0{endpoint}".encode(), digest_size=16).digest()
    return int.from_bytes(raw[:8], "little", signed=True), int.from_bytes(
        raw[8:], "little", signed=True
    )


def _semaphore() -> Any:
    """A lock shared with every process forked after this call, or None without sem_open."""
    try:
        return multiprocessing.Lock()
    except (ImportError, OSError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RateCounter:
    """The shared buckets; each process maps the file, threads take turns."""

    def __init__(self, db_path: str) -> None:
        self.path = f"{db_path}.rates"
        self._lock = threading.Lock()  # opening after a fork; all locking without a semaphore
        self._sem = _semaphore()
        self._pid = 0
        self._fd = -1
        self._map: mmap.mmap | None = None
        self._words: memoryview | None = None
        self._slots: dict[tuple[str, str], tuple[int, int, int]] = {}

    @contextmanager
    def _locked(self) -> Iterator[memoryview]:
        """The buckets, held by this thread against every thread of every worker."""
        if self._pid != os.getpid():  # first use, or a forked worker: its own mapping
            with self._lock:
                if self._pid != os.getpid():
                    self._open()
        words = self._words
        assert words is not None
        if self._sem is None:
            with self._lock:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    yield words
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
            return
        self._acquire(words)
        try:
            yield words
        finally:
            words[HOLDER] = 0
            self._sem.release()

    def _acquire(self, words: memoryview) -> None:
        seen, since = None, time.monotonic()
        while not self._sem.acquire(timeout=STUCK_SECONDS):
            holder = (words[HOLDER], words[TURN])
            stuck = holder == seen and time.monotonic() - since > 5 * STUCK_SECONDS
            if holder[0] and (not _alive(holder[0]) or stuck):
                log.warning("rate limit lock held by gone or stuck pid %d; freeing it", holder[0])
                words[HOLDER] = 0
                try:
                    self._sem.release()
                except ValueError:  # another waiter freed it first
                    pass
            if holder != seen:
                seen, since = holder, time.monotonic()
        words[HOLDER] = os.getpid()
        words[TURN] += 1

    def _open(self) -> None:
        # flock belongs to the open file, which a fork shares: each process opens its own.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_size != FILE_SIZE or os.pread(fd, 8, 0) != MAGIC.to_bytes(
                8, "little"
            ):  # new, or another format: counts last a minute, so start afresh
                os.ftruncate(fd, 0)
                os.ftruncate(fd, FILE_SIZE)
                os.pwrite(fd, MAGIC.to_bytes(8, "little"), 0)
            self._map = mmap.mmap(fd, FILE_SIZE)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        self._fd, self._pid = fd, os.getpid()
        self._words = memoryview(self._map).cast("q")
        self._slots = {}

    def _slot(self, words: memoryview, client_key: str, endpoint: str, second: int) -> int:
        """The first word of this key's slot (open addressing, linear probing), claiming an
        empty slot, or one whose hits all left the window, when the key has none."""
        key = (client_key, endpoint)
        known = self._slots.get(key)
        if known is not None:
            base, d0, d1 = known
            if words[base] == d0 and words[base + 1] == d1:  # not taken over meanwhile
                return base
        d0, d1 = _digest(client_key, endpoint)
        found = reusable = None
        for i in range(SLOTS):
            base = HEADER_WORDS + ((d0 + i) % SLOTS) * SLOT_WORDS
            if words[base] == d0 and words[base + 1] == d1:
                found = base
                break
            if words[base] == 0 and words[base + 1] == 0:  # the end of the probe chain
                reusable = base if reusable is None else reusable
                break
            if reusable is None and all(
                words[b] <= second - WINDOW for b in range(base + 2, base + SLOT_WORDS, 2)
            ):
                reusable = base
        if found is None:
            if reusable is None:
                raise RuntimeError(f"rate limit table full: {SLOTS} apps × endpoints in use")
            found = reusable
            words[found : found + SLOT_WORDS] = memoryview(bytes(8 * SLOT_WORDS)).cast("q")
            words[found], words[found + 1] = d0, d1
        self._slots[key] = (found, d0, d1)
        return found

    def count(self, client_key: str, endpoint: str, now: float, limit: int) -> int | None:
        """Count a call; if the window is full, count nothing and return Retry-After."""
        second = math.floor(now)
        with self._locked() as words:
            base = self._slot(words, client_key, endpoint, second)
            used, first = 0, None
            # Buckets of this window: after the minute before, not after this second (a
            # clock moved back does not count hits "from the future").
            for b in range(base + 2, base + SLOT_WORDS, 2):
                at = words[b]
                if second - WINDOW < at <= second:
                    used += words[b + 1]
                    if first is None or at < first:
                        first = at
            if used >= limit and first is not None:
                return max(1, math.ceil(first + WINDOW - now))
            b = base + 2 + 2 * (second % WINDOW)
            if words[b] == second:
                words[b + 1] += 1
            else:  # a bucket from an earlier minute: this second's now
                words[b], words[b + 1] = second, 1
        return None

    def clear(self) -> None:
        with self._locked() as words:
            words[HEADER_WORDS:] = memoryview(bytes(8 * SLOTS * SLOT_WORDS)).cast("q")

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._map is not None:
                assert self._words is not None
                self._words.release()
                self._map.close()
                os.close(self._fd)
            self._map, self._words, self._pid = None, None, 0


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
