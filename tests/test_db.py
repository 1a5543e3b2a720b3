"""The read cache of `Database.cached`: never stale after a write, from anywhere."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from mockserver.db import Database, WriteOutsideTransaction

loads: list[int] = []


def read_meta(conn: sqlite3.Connection) -> str:
    loads.append(1)
    return str(conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0])


def set_meta(db: Database, value: str) -> None:
    with db.transaction() as tx:
        db.set_meta(tx, "k", value)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(str(tmp_path / "mock.db"))
    database.create_schema()
    set_meta(database, "one")
    return database


def test_a_value_is_loaded_once_while_nothing_writes(db: Database) -> None:
    loads.clear()
    assert [db.cached("k", read_meta) for _ in range(5)] == ["one"] * 5
    assert len(loads) == 1


def test_a_write_by_another_process_is_seen_at_once(db: Database) -> None:
    """Another gunicorn worker: its own Database and connection, the same files."""
    assert db.cached("k", read_meta) == "one"
    pid = os.fork()
    if pid == 0:
        try:
            set_meta(Database(db.path), "two")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert db.cached("k", read_meta) == "two"


def test_a_write_by_another_thread_is_seen_at_once(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"

    def write() -> None:
        set_meta(db, "three")
        db.close()

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    assert db.cached("k", read_meta) == "three"


def test_this_connections_own_write_is_seen_at_once(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"
    with db.transaction() as tx:
        db.set_meta(tx, "k", "four")
        assert db.cached("k", read_meta) == "four"  # inside a transaction: never cached
    assert db.cached("k", read_meta) == "four"


def test_a_pinned_request_sees_its_own_writes(db: Database) -> None:
    db.pin_reads()
    assert db.cached("k", read_meta) == "one"
    set_meta(db, "five")
    assert db.cached("k", read_meta) == "five"
    db.unpin_reads()


def test_a_rolled_back_write_leaves_the_old_value(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"
    with pytest.raises(RuntimeError), db.transaction() as tx:
        db.set_meta(tx, "k", "lost")
        raise RuntimeError
    assert db.cached("k", read_meta) == "one"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE meta SET value = 'x' WHERE key = 'k'",
        "  insert into meta (key, value) values ('j', 'x')",
        "DELETE FROM meta",
        "REPLACE INTO meta (key, value) VALUES ('k', 'x')",
    ],
)
def test_a_write_outside_a_transaction_is_refused(db: Database, sql: str) -> None:
    """Other processes learn of writes when a transaction commits; a lone write would leave
    their caches stale, so it fails loudly instead."""
    with pytest.raises(WriteOutsideTransaction):
        db.connect().execute(sql)
    assert db.cached("k", read_meta) == "one"
