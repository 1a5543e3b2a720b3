"""Shared fixtures: an in-process app for fast domain tests, constants from the fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app


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
