"""A real `tiktok-mock serve` (gunicorn, several workers) shared by the e2e tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.support import LiveServer


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live") / "mock.db", workers=4).start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The session server, back to its seeded fixtures for this test."""
    live_server.reset()
    return live_server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
