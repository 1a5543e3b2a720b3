"""Shared fixtures: an in-process app for fast domain tests, constants from the fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.testing import MockServer


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to run the app with other settings."""
    return {}


@pytest.fixture
def app(tmp_path: Path, settings_overrides: dict[str, Any]) -> Iterator[Flask]:
    application = create_app({"db_path": str(tmp_path / "mock.db"), **settings_overrides})
    yield application
    application.extensions["tiktok_mock"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    """The app served from a thread (`MockServer`), once per module.

    tests/e2e overrides `server` with a real `tiktok-mock serve` process.
    """
    with MockServer() as running:
        yield running


@pytest.fixture
def server(live: MockServer) -> MockServer:
    """The module's in-process server, back at its seeded fixtures."""
    live.reset()
    return live
