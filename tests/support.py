"""Helpers for the tests: a real `tiktok-mock serve` process, and OAuth flow shortcuts."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from mockserver.testing import DESKTOP_CLIENT_KEY as DESK_KEY  # noqa: F401 - re-exported
from mockserver.testing import DESKTOP_CLIENT_SECRET as DESK_SECRET  # noqa: F401 - re-exported
from mockserver.testing import WEB_CLIENT_KEY as WEB_KEY
from mockserver.testing import WEB_CLIENT_SECRET as WEB_SECRET
from mockserver.testing import WEB_REDIRECT_URI as WEB_REDIRECT

ALL_WEB_SCOPES = "user.info.basic,user.info.profile,user.info.stats,portability.all.single"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """`tiktok-mock serve` in a subprocess: real gunicorn, real workers, real SQLite."""

    def __init__(
        self,
        db_path: Path,
        *,
        workers: int = 2,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.db_path = db_path
        self.workers = workers
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or db_path.with_suffix(".log")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> LiveServer:
        env = {**os.environ, **self.env}
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mockserver.cli",
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(self.db_path),
                "--workers",
                str(self.workers),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: kill_hard() takes the workers too
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/_mock/health", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not healthy in {timeout}s: {self.log_path.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if hasattr(self, "_log"):
            self._log.close()

    def kill_hard(self) -> None:
        """kill -9 the master and every worker at once, as a crash would."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None
        if hasattr(self, "_log"):
            self._log.close()

    def reset(self) -> None:
        requests.post(f"{self.url}/_mock/reset", timeout=10).raise_for_status()

    def advance(self, seconds: float) -> None:
        requests.post(
            f"{self.url}/_mock/clock", json={"advance": seconds}, timeout=10
        ).raise_for_status()


def query(location: str) -> dict[str, str]:
    """The query parameters of a redirect Location, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize_url(base: str, **params: str) -> str:
    defaults = {
        "client_key": WEB_KEY,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": ALL_WEB_SCOPES,
        "state": "st-123",
    }
    return f"{base}/v2/auth/authorize/?{urlencode({**defaults, **params})}"


def get_code(http: Any, base: str, user: str = "lena.schmidt", **params: str) -> dict[str, str]:
    """Run authorize with `mock_user` and return the redirect's query."""
    r = (
        http.get(authorize_url(base, mock_user=user, **params), allow_redirects=False)
        if isinstance(http, requests.Session)
        else http.get(authorize_url(base, mock_user=user, **params))
    )
    assert r.status_code == 302, r.text if hasattr(r, "text") else r.data
    return query(r.headers["Location"])


def token_form(code: str, **extra: str) -> dict[str, str]:
    return {
        "client_key": WEB_KEY,
        "client_secret": WEB_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": WEB_REDIRECT,
        **extra,
    }


def refresh_form(refresh_token: str) -> dict[str, str]:
    """The web client's refresh_token grant, form-encoded."""
    return {
        "client_key": WEB_KEY,
        "client_secret": WEB_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }


def pkce_pair() -> tuple[str, str]:
    """A verifier and TikTok's hex S256 challenge for it."""
    verifier = secrets.token_urlsafe(48)
    return verifier, hashlib.sha256(verifier.encode()).hexdigest()


def user_token(base: str, user: str = "lena.schmidt", scope: str = ALL_WEB_SCOPES) -> str:
    """A user access token from the real authorize (mock_user) + token flow."""
    with requests.Session() as http:
        code = get_code(http, base, user, scope=scope)["code"]
        body = http.post(f"{base}/v2/oauth/token/", data=token_form(code), timeout=10).json()
    token: str = body["access_token"]
    return token


class Portability:
    """Calls to `/v2/user/data/*` with one user token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def post(
        self, endpoint: str, body: Any = None, fields: str | None = None, **kw: Any
    ) -> requests.Response:
        url = f"{self.base}/v2/user/data/{endpoint}/"
        if fields is not None:
            url += f"?fields={fields}"
        return self.http.post(url, json=body, timeout=60, **kw)

    def add(self, categories: list[str], data_format: str = "json") -> requests.Response:
        return self.post(
            "add",
            {"data_format": data_format, "category_selection_list": categories},
            fields="request_id",
        )

    def add_id(self, categories: list[str], data_format: str = "json") -> int:
        answer = self.add(categories, data_format)
        assert answer.status_code == 200, answer.text
        request_id: int = answer.json()["data"]["request_id"]
        return request_id

    def check(self, request_id: Any, fields: str = "status") -> dict[str, Any]:
        body: dict[str, Any] = self.post("check", {"request_id": request_id}, fields=fields).json()
        return body

    def status(self, request_id: int) -> str:
        status: str = self.check(request_id)["data"]["status"]
        return status

    def download(self, request_id: Any) -> requests.Response:
        return self.post("download", {"request_id": request_id})


class Receiver:
    """A local webhook receiver: records each POST and answers from a script of statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        import http.server
        import threading

        self.calls: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tiktok/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait (bounded) until `count` deliveries arrived; the dispatcher runs in real time."""
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.calls

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def register_client(base: str, **fields: Any) -> dict[str, Any]:
    """A new web client through the control API, with every portability scope."""
    body = {
        "name": "Webhook app",
        "app_type": "web",
        "redirect_uris": ["https://hooks.example/cb"],
        "scopes": ["user.info.basic", "portability.all.single", "portability.all.ongoing"],
        **fields,
    }
    answer = requests.post(f"{base}/_mock/clients", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    client: dict[str, Any] = answer.json()
    return client


def client_token(
    base: str,
    client: dict[str, Any],
    user: str = "lena.schmidt",
    scope: str = "portability.all.ongoing",
) -> dict[str, Any]:
    """The token JSON of the real flow for a registered client."""
    redirect = client["redirect_uris"][0]
    with requests.Session() as http:
        code = get_code(
            http, base, user, client_key=client["client_key"], redirect_uri=redirect, scope=scope
        )["code"]
        body: dict[str, Any] = http.post(
            f"{base}/v2/oauth/token/",
            timeout=10,
            data={
                "client_key": client["client_key"],
                "client_secret": client["client_secret"],
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": redirect,
            },
        ).json()
    return body
