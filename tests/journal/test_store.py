"""The journal's append-only files: what readers in any process see, and when."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from mockserver.journal.store import JournalStore, needle


def entry(**fields: object) -> dict[str, object]:
    return {"at": 1.0, "log_id": "L", "method": "POST", "path": "/v2/x/", "status": 200, **fields}


def test_rows_of_every_process_merge_in_time_order(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    store.add_entry(entry(log_id="parent-1"))
    pid = os.fork()
    if pid == 0:  # a forked worker writes its own file, never the parent's descriptor
        try:
            child = store  # the same object, inherited across the fork
            child.add_entry(entry(log_id="child-1"))
            child.close()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    store.add_entry(entry(log_id="parent-2"))
    files = sorted(p.name for p in store.folder.iterdir())
    assert files == sorted([f"{os.getpid()}.journal.jsonl", f"{pid}.journal.jsonl"])
    reader = JournalStore(str(tmp_path / "mock.db"))  # e.g. another worker
    assert [r["log_id"] for r in reader.read("journal")] == ["parent-1", "child-1", "parent-2"]


def test_rows_have_every_column_in_order(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    store.add_entry(entry(request_id=2**63 - 1, fault="rule 1: {}"))
    (row,) = store.read("journal")
    assert list(row) == [
        "at", "log_id", "method", "path", "endpoint", "status", "error_code", "client_key",
        "open_id", "request_id", "latency_ms", "fault", "retry_after",
    ]  # fmt: skip
    assert row["request_id"] == 2**63 - 1 and row["error_code"] is None


def test_a_line_still_being_written_is_not_a_row_yet(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    store.add_entry(entry(log_id="whole"))
    path = next(store.folder.glob("*.journal.jsonl"))
    with path.open("ab") as f:  # what a reader sees mid-write: no newline yet
        f.write(b'{"t":4e9,"n":9,"at":1.0,"log_id":"ha')
    assert [r["log_id"] for r in store.read("journal")] == ["whole"]
    with path.open("ab") as f:
        f.write(b'lf"}\n')
    assert [r["log_id"] for r in store.read("journal")] == ["whole", "half"]


def test_needles_and_keep_filter_rows(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    store.add_entry(entry(open_id="-000ü", request_id=7))
    store.add_entry(entry(open_id="-000b", request_id=8))
    store.add_entry(entry(open_id="-000a", request_id=7, endpoint="check"))
    ids = store.read("journal", needles=[needle("request_id", 7)])
    assert [r["open_id"] for r in ids] == ["-000ü", "-000a"]
    assert [
        r["request_id"] for r in store.read("journal", needles=[needle("open_id", "-000ü")])
    ] == [7]
    checks = store.read("journal", lambda r: r["endpoint"] == "check")
    assert len(checks) == 1


def test_clear_counts_rows_and_later_writes_still_land(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    for i in range(3):
        store.add_entry(entry(log_id=f"old-{i}"))
    store.add_observation({"at": 1.0, "log_id": "old-0", "kind": "k", "detail": "d"})
    assert store.clear() == 3
    assert store.read("journal") == [] and store.read("observations") == []
    store.add_entry(entry(log_id="new"))  # the open O_APPEND descriptor writes at the new end
    path = next(store.folder.glob("*.journal.jsonl"))
    assert path.read_bytes().startswith(b'{"t":')
    assert [r["log_id"] for r in store.read("journal")] == ["new"]


def test_reading_before_anything_was_written(tmp_path: Path) -> None:
    store = JournalStore(str(tmp_path / "mock.db"))
    assert store.read("journal") == [] and store.clear() == 0


def test_control_filters_are_exact_and_typed(client: FlaskClient, app: Flask) -> None:
    store = app.extensions["tiktok_mock"].journal
    store.add_entry(entry(request_id=7, at=100.0))
    store.add_entry(entry(request_id=77, at=200.0, status=429))
    rows = client.get("/_mock/journal?request_id=7").get_json()
    assert [r["request_id"] for r in rows] == [7]  # a query string, matched as a number
    assert [r["request_id"] for r in client.get("/_mock/journal?status=429").get_json()] == [77]
    assert [r["at"] for r in client.get("/_mock/journal?since=150").get_json()] == [200.0]
    assert client.get("/_mock/journal?request_id=abc").get_json() == []
    assert client.get("/_mock/journal?since=soon").status_code == 400
