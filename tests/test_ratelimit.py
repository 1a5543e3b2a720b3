"""The shared rate-limit buckets: exact across processes, sliding with mock time."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from mockserver import ratelimit
from mockserver.ratelimit import RateCounter

T0 = 1_790_000_000.0


@pytest.fixture
def rates(tmp_path: Path) -> RateCounter:
    return RateCounter(str(tmp_path / "mock.db"))


def test_the_limit_refuses_and_says_when_the_oldest_hit_leaves(rates: RateCounter) -> None:
    assert [rates.count("app", "check", T0, 3) for _ in range(3)] == [None] * 3
    assert rates.count("app", "check", T0 + 20.5, 3) == 40  # T0's hits leave at T0 + 60
    assert rates.count("app", "check", T0 + 59.9, 3) == 1
    assert rates.count("app", "check", T0 + 60, 3) is None  # the window slid past T0


def test_refused_calls_do_not_count(rates: RateCounter) -> None:
    rates.count("app", "check", T0, 2)
    rates.count("app", "check", T0 + 30, 2)
    for _ in range(5):
        assert rates.count("app", "check", T0 + 31, 2) == 29
    assert rates.count("app", "check", T0 + 60, 2) is None  # T0's hit left; 30's remains
    assert rates.count("app", "check", T0 + 61, 2) == 29


def test_apps_and_endpoints_have_their_own_windows(rates: RateCounter) -> None:
    assert rates.count("a", "check", T0, 1) is None
    assert rates.count("a", "check", T0, 1) is not None
    assert rates.count("a", "add", T0, 1) is None
    assert rates.count("b", "check", T0, 1) is None


def test_a_clock_moved_back_does_not_count_hits_from_the_future(rates: RateCounter) -> None:
    assert rates.count("app", "check", T0 + 3600, 1) is None
    assert rates.count("app", "check", T0, 1) is None


def test_clear_empties_every_window(rates: RateCounter) -> None:
    rates.count("app", "check", T0, 1)
    rates.clear()
    assert rates.count("app", "check", T0, 1) is None


@pytest.mark.parametrize("lock", ["semaphore", "flock"])
def test_workers_share_the_count_exactly(tmp_path: Path, lock: str) -> None:
    """Four processes forked from one master, as gunicorn's workers are, race 300 calls each
    against a limit of 700: exactly 700 pass. `flock` serves where sem_open is missing."""
    counter = RateCounter(str(tmp_path / "mock.db"))
    if lock == "flock":
        counter._sem = None
    readers = []
    for _ in range(4):
        read, write = os.pipe()
        if os.fork() == 0:
            os.close(read)
            passed = sum(counter.count("app", "check", T0, 700) is None for _ in range(300))
            os.write(write, str(passed).encode())
            os._exit(0)
        os.close(write)
        readers.append(read)
    totals = []
    for read in readers:
        totals.append(int(os.read(read, 16)))
        os.close(read)
    for _ in readers:
        os.wait()
    assert sum(totals) == 700


def test_a_worker_that_died_holding_the_lock_does_not_wedge_the_others(
    rates: RateCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "STUCK_SECONDS", 0.05)
    rates.count("app", "check", T0, 5)
    pid = os.fork()
    if pid == 0:
        held = rates._locked()
        held.__enter__()  # takes the lock, then dies without giving it back
        os._exit(0)
    os.waitpid(pid, 0)
    answers: list[int | None] = []
    waiter = threading.Thread(
        target=lambda: answers.extend(rates.count("app", "check", T0, 5) for _ in range(2)),
        daemon=True,
    )
    waiter.start()
    waiter.join(timeout=10)  # without the recovery it would wait forever
    assert not waiter.is_alive() and answers == [None, None]


def test_a_worker_killed_holding_the_flock_does_not_wedge_the_others(
    rates: RateCounter,
) -> None:
    rates._sem = None
    rates.count("app", "check", T0, 5)
    pid = os.fork()
    if pid == 0:
        fd = os.open(rates.path, os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os._exit(0)  # dies without unlocking; the kernel drops the lock with the file
    os.waitpid(pid, 0)
    assert rates.count("app", "check", T0, 5) is None


def test_expired_slots_are_reused_and_live_ones_are_not(
    rates: RateCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "SLOTS", 3)
    for app in ("a", "b", "c"):
        assert rates.count(app, "check", T0, 1) is None
    with pytest.raises(RuntimeError, match="table full"):
        rates.count("d", "check", T0 + 1, 1)
    assert rates.count("d", "check", T0 + 61, 1) is None  # took an expired app's slot
    assert rates.count("d", "check", T0 + 61, 1) == 60
    assert rates.count("a", "check", T0 + 61, 1) is None  # an expired app starts afresh


def test_a_file_of_another_format_is_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "mock.db"
    Path(f"{path}.rates").write_bytes(b"SQLite format 3\0" + bytes(100))
    rates = RateCounter(str(path))
    assert rates.count("app", "check", T0, 1) is None
    assert rates.count("app", "check", T0, 1) == 60
