"""The read cache of `Database.cached`: never stale after a write, from anywhere."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from mockserver.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(str(tmp_path / "mock.db"))
    database.create_schema()
    database.connect().execute("INSERT INTO meta (key, value) VALUES ('k', 'one')")
    return database


loads: list[int] = []


def read_meta(conn: sqlite3.Connection) -> str:
    loads.append(1)
    return str(conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0])


def test_a_value_is_loaded_once_while_nothing_writes(db: Database) -> None:
    loads.clear()
    assert [db.cached("k", read_meta) for _ in range(5)] == ["one"] * 5
    assert len(loads) == 1


def test_a_write_by_another_connection_is_seen_at_once(db: Database) -> None:
    """Another worker process is another connection: SQLite's data_version moves."""
    assert db.cached("k", read_meta) == "one"
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("UPDATE meta SET value = 'two' WHERE key = 'k'")
    assert db.cached("k", read_meta) == "two"
    other.close()


def test_a_write_by_another_thread_is_seen_at_once(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"

    def write() -> None:
        with db.transaction() as tx:
            tx.execute("UPDATE meta SET value = 'three' WHERE key = 'k'")
        db.close()

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    assert db.cached("k", read_meta) == "three"


def test_this_connections_own_write_is_seen_at_once(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"
    db.connect().execute("UPDATE meta SET value = 'four' WHERE key = 'k'")  # autocommit
    assert db.cached("k", read_meta) == "four"
    with db.transaction() as tx:
        tx.execute("UPDATE meta SET value = 'five' WHERE key = 'k'")
        assert db.cached("k", read_meta) == "five"  # inside a transaction: never cached
    assert db.cached("k", read_meta) == "five"


def test_a_rolled_back_write_leaves_the_old_value(db: Database) -> None:
    assert db.cached("k", read_meta) == "one"
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("UPDATE meta SET value = 'lost' WHERE key = 'k'")
        raise RuntimeError
    assert db.cached("k", read_meta) == "one"
