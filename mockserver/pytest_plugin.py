"""pytest plugin (entry point `pytest11`): the mock as fixtures for an integration's tests.

- `tiktok_mock_settings` (session): setting overrides, `{}` unless a conftest overrides it.
- `tiktok_mock_server` (session): one `MockServer` started once per test session.
- `tiktok_mock` (function): that server reset to its seeded fixtures, as a `TikTokMock`.

Cheap to import: `mockserver.testing` is standard library only; Flask and Faker load when the
session server starts, so test runs that never ask for these fixtures pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .testing import MockServer, TikTokMock


@pytest.fixture(scope="session")
def tiktok_mock_settings() -> dict[str, Any]:
    """Setting overrides for the session server; override in a conftest (session scope)."""
    return {}


@pytest.fixture(scope="session")
def tiktok_mock_server(tiktok_mock_settings: dict[str, Any]) -> Iterator[MockServer]:
    """The mock served from a background thread, once for the whole session."""
    with MockServer(tiktok_mock_settings) as server:
        yield server


@pytest.fixture
def tiktok_mock(tiktok_mock_server: MockServer) -> TikTokMock:
    """The session server back at its seeded fixtures (`POST /_mock/reset`) for this test."""
    tiktok_mock_server.reset()
    return TikTokMock(tiktok_mock_server.url, tiktok_mock_server.control)
