"""Fixtures for the browser tests: the mock served from a thread, a local callback server
playing the desktop app's redirect target, and Playwright launch settings for Debian's Chromium.

Importable without Playwright: nothing here imports it. The test modules skip themselves when
Playwright, pytest-playwright or Chromium is missing, so the plugin fixtures overridden below
(`browser_type_launch_args`, `page`) are only resolved where the plugin exists.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mockserver.testing import MockServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

# `playwright install` cannot download browsers on the CI machines: use the system Chromium.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Quiet on a closed network: no background fetches, component updates, sync or first-run UI.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Fail a broken step in seconds instead of Playwright's default 30 s.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments (so `--headed`, `--slowmo` still work) + Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: the tests navigate to absolute URLs.

    Overridden because pytest-playwright 0.10.0, without pytest-base-url installed, provides
    `base_url` as a fixture on a plugin *instance*, which pytest >= 9.2 deprecates with a
    PytestRemovedIn10Warning, an error under this project's `filterwarnings = ["error"]`.
    """
    return None


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page with short timeouts."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockServer]:
    """The mock on a free loopback port, one per test module."""
    # Explicit so a TIKTOK_MOCK_* variable in the environment cannot skip the page.
    settings = {"auto_approve_user": "", "region_policy": "deny_at_consent"}
    with MockServer(settings) as server:
        yield server


@pytest.fixture
def mock(mock_server: MockServer) -> MockServer:
    """The module's server back at its seeded fixtures for this test."""
    mock_server.reset()
    return mock_server


class CallbackServer:
    """The desktop app's redirect target: records the query of every request to /callback."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/callback":
                    self.send_error(404)  # e.g. the browser's /favicon.ico
                    return
                query = parse_qs(parts.query, keep_blank_values=True)
                received.append({k: v[-1] for k, v in query.items()})
                body = b"<!doctype html><title>Callback</title><p id=received>received</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/callback"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="callback-server",
            daemon=True,
        )

    def __enter__(self) -> CallbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def single(self) -> dict[str, str]:
        """The one query the callback received (fails if it got none or several)."""
        assert len(self.requests) == 1, f"expected one callback request, got {self.requests}"
        return self.requests[0]


@pytest.fixture
def callback() -> Iterator[CallbackServer]:
    """A fresh callback server on 127.0.0.1 (a free port) for this test."""
    with CallbackServer() as server:
        yield server
