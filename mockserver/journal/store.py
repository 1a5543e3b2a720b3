"""Where the journal and the observed mistakes live: append-only JSON-lines files, one pair
per server process, under `<db_path>.journal/`.

Every call to the emulated API writes a journal row, on the polling hot path. A row in a
shared SQLite file made every worker queue on its write lock; a row in a per-process SQLite
file still cost a commit (~25 µs, most of a check call's own work). An append is one
`write(2)` on an `O_APPEND` descriptor (~0.5 µs): the kernel keeps each write whole and in
order, and the bytes are in the page cache, so a reader in any other process sees them as soon
as the call has answered, and a killed worker loses nothing it acknowledged. Readers parse
every process's file and merge by real time; a half-written last line (a write in flight) is
skipped, not misread. The files survive restarts like the main database.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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
COLUMNS = {"journal": JOURNAL_COLUMNS, "observations": OBSERVATION_COLUMNS}
Row = dict[str, Any]
# Built once: json.dumps with options builds a new encoder per call.
_encode = json.JSONEncoder(separators=(",", ":")).encode


def needle(column: str, value: Any) -> str:
    """The text a row's JSON line holds when `column` equals `value` (for `read`'s needles)."""
    return f"{json.dumps(column)}:{json.dumps(value)}"


class JournalStore:
    """This process's files for appending; all processes' files for reading."""

    def __init__(self, db_path: str) -> None:
        self.folder = Path(f"{db_path}.journal")
        self._lock = threading.Lock()
        self._fds: dict[str, int] = {}
        self._pid = 0
        self._seq = itertools.count()

    def _fd(self, table: str) -> int:
        fd = self._fds.get(table)
        if fd is not None and self._pid == os.getpid():
            return fd
        with self._lock:
            if self._pid != os.getpid():  # a forked worker starts its own files
                self._fds, self._pid = {}, os.getpid()
            if table not in self._fds:
                self.folder.mkdir(parents=True, exist_ok=True)
                path = self.folder / f"{self._pid}.{table}.jsonl"
                self._fds[table] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            return self._fds[table]

    def _append(self, table: str, row: Row) -> None:
        # `t` (real time) and `n` (this process's sequence) order rows across files.
        record: Row = {"t": time.time(), "n": next(self._seq)}
        for column in COLUMNS[table]:
            record[column] = row.get(column)
        line = _encode(record) + "\n"  # the form `needle` matches
        # One write per row: O_APPEND keeps it whole even beside other threads' writes.
        os.write(self._fd(table), line.encode())

    def add_entry(self, row: Row) -> None:
        self._append("journal", row)

    def add_observation(self, row: Row) -> None:
        self._append("observations", row)

    def _files(self, table: str) -> Iterable[Path]:
        return sorted(self.folder.glob(f"*.{table}.jsonl")) if self.folder.is_dir() else []

    def read(
        self,
        table: str,
        keep: Callable[[Row], bool] | None = None,
        needles: Iterable[str] = (),
    ) -> list[Row]:
        """Rows of every process's file that `keep` accepts, oldest first (by real time).

        `needles` are strings every wanted row's JSON line contains: lines without them are
        skipped unparsed, which keeps filtered reads of a long journal fast.
        """
        needles = tuple(needles)
        found: list[tuple[float, int, str, Row]] = []
        for path in self._files(table):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:  # cleared and removed meanwhile
                continue
            # The last piece lacks its newline while a write is in flight: not a row yet.
            for line in text.split("\n")[:-1]:
                if not all(n in line for n in needles):
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(record, dict):
                    continue
                t, n = record.pop("t", 0.0), record.pop("n", 0)
                if keep is None or keep(record):
                    found.append((t, n, path.name, record))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found]

    def clear(self) -> int:
        """Empty every process's files; returns the journal rows removed."""
        removed = 0
        for table in COLUMNS:
            for path in self._files(table):
                try:
                    with path.open("r+b") as f:
                        if table == "journal":
                            removed += f.read().count(b"\n")
                        f.truncate(0)
                except FileNotFoundError:
                    continue
        return removed

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                for fd in self._fds.values():
                    os.close(fd)
            self._fds = {}
