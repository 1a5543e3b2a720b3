"""Use the mock from Python tests: an in-process server, a control client and a token shortcut.

- `MockServer` serves the app on a free loopback port from a background thread.
- `MockControl` scripts any running mock (in-process, `tiktok-mock serve`, Docker) through the
  plain-JSON control API under `/_mock/`.
- `get_token` runs the real authorize (`mock_user`) and token flow over HTTP.
- `TikTokMock` is what the pytest plugin's `tiktok_mock` fixture hands a test.

Standard library only at import time: Flask and Faker load when a server starts, so the pytest
plugin that imports this module stays cheap.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from email.message import Message
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from .oauth.pkce import hex_challenge  # standard library only, like this module

__all__ = [
    "DEFAULT_SCOPES",
    "DESKTOP_CLIENT_KEY",
    "DESKTOP_CLIENT_SECRET",
    "WEB_CLIENT_KEY",
    "WEB_CLIENT_SECRET",
    "WEB_REDIRECT_URI",
    "FlowError",
    "MockControl",
    "MockControlError",
    "MockServer",
    "TikTokMock",
    "get_token",
]

# The bundled clients (fixtures/clients.json).
WEB_CLIENT_KEY = "sbawmockweb0000001"
WEB_CLIENT_SECRET = "MockWebSecret0000000000000000001"
WEB_REDIRECT_URI = "https://app.example.com/auth/tiktok/callback"
DESKTOP_CLIENT_KEY = "sbawmockdesk000001"
DESKTOP_CLIENT_SECRET = "MockDeskSecret000000000000000001"
DEFAULT_SCOPES = "user.info.basic,portability.all.single"

JSONObject = dict[str, Any]


class MockControlError(Exception):
    """The control API answered an error: `{"error": message, "status": n}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


class FlowError(Exception):
    """The authorize or token step did not give a token; the message says which and why."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back to the caller: the authorize redirect is the result we want."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies: the mock is a local test server, and an HTTP(S)_PROXY meant for the internet
# must not swallow requests to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, Message, bytes]:
    """One HTTP exchange, whatever its status: (status, headers, body). No redirects followed.

    Connection failures raise `urllib.error.URLError` (an `OSError`).
    """
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, exc.headers, exc.read()
        finally:
            exc.close()


class MockControl:
    """A typed client of the control API (`/_mock/*`) of a running mock."""

    def __init__(
        self, base_url: str, admin_token: str | None = None, timeout: float = 30.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"MockControl({self.base_url!r})"

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one control request; the decoded JSON answer, or MockControlError."""
        url = f"{self.base_url}/_mock/{path}"
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        if params:
            url += f"?{urlencode(params)}"
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        status, _, raw = _send(method, url, body=data, headers=headers, timeout=self.timeout)
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            raise MockControlError(
                status, f"{method} {url} did not answer JSON: {_snippet(raw)}"
            ) from None
        if status >= 400:
            if isinstance(payload, dict) and isinstance(payload.get("error"), str):
                raise MockControlError(status, payload["error"])
            raise MockControlError(status, f"{method} {url} failed: {_snippet(raw)}")
        return payload

    def _object(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> JSONObject:
        payload = self._call(method, path, body)
        if not isinstance(payload, dict):
            raise MockControlError(200, f"{method} /_mock/{path}: expected a JSON object")
        return payload

    def _list(self, path: str, query: Mapping[str, Any] | None = None) -> list[JSONObject]:
        payload = self._call("GET", path, query=query)
        if not isinstance(payload, list):
            raise MockControlError(200, f"GET /_mock/{path}: expected a JSON list")
        return payload

    # Health and reset

    def health(self) -> JSONObject:
        """`{"status": "ok", "seed", "now"}`; needs no admin token."""
        return self._object("GET", "health")

    def reset(self) -> JSONObject:
        """Everything back to the seeded fixtures: clients, users, tokens, requests, clock."""
        return self._object("POST", "reset")

    # Clients and users

    def clients(self) -> list[JSONObject]:
        return self._list("clients")

    def create_client(self, **fields: Any) -> JSONObject:
        """Register a client: `redirect_uris`, `app_type`, `scopes`, `name`, … (README)."""
        return self._object("POST", "clients", fields)

    def users(self) -> list[JSONObject]:
        return self._list("users")

    def user(self, ref: str) -> JSONObject:
        """One user by open_id or username."""
        return self._object("GET", f"users/{_segment(ref)}")

    def create_user(self, region: str, persona: str = "light", **fields: Any) -> JSONObject:
        """A new Faker-made user; `username`, `display_name`, `export_delay` are optional."""
        return self._object("POST", "users", {"region": region, "persona": persona, **fields})

    def update_user(self, ref: str, **fields: Any) -> JSONObject:
        """Change a user, e.g. `export_delay=5` (or None for the setting's default)."""
        return self._object("POST", f"users/{_segment(ref)}", fields)

    # The clock

    def clock(self) -> JSONObject:
        """`{"now", "offset", "frozen"}`."""
        return self._object("GET", "clock")

    def advance(self, seconds: float) -> JSONObject:
        """Move mock time by `seconds` (negative goes back)."""
        return self._object("POST", "clock", {"advance": seconds})

    def set_time(self, unix: float) -> JSONObject:
        return self._object("POST", "clock", {"set": unix})

    def freeze(self, frozen: bool = True) -> JSONObject:
        return self._object("POST", "clock", {"freeze": frozen})

    # Data requests

    def requests(
        self, client_key: str | None = None, open_id: str | None = None, status: str | None = None
    ) -> list[JSONObject]:
        """Data requests, optionally filtered."""
        query = {"client_key": client_key, "open_id": open_id, "status": status}
        return self._list("requests", query)

    def request(self, request_id: int) -> JSONObject:
        return self._object("GET", f"requests/{int(request_id)}")

    def transition(self, request_id: int, to: str) -> JSONObject:
        """Force a data request to `downloading`, `expired` or `cancelled`."""
        return self._object("POST", f"requests/{int(request_id)}/transition", {"to": to})

    def set_delay(self, request_id: int, seconds: int) -> JSONObject:
        """A pending request becomes ready `seconds` after its collect_time."""
        return self._object("POST", f"requests/{int(request_id)}/delay", {"seconds": seconds})

    # Faults, journal, diagnostics, webhooks, scenarios

    def faults(self) -> list[JSONObject]:
        return self._list("faults")

    def add_fault(self, rule: Mapping[str, Any]) -> JSONObject:
        """Install a fault rule; the answer carries its `id`."""
        return self._object("POST", "faults", rule)

    def delete_fault(self, fault_id: int) -> JSONObject:
        """Delete one rule: `{"deleted": id}`; 404 if there is none."""
        return self._object("DELETE", f"faults/{int(fault_id)}")

    def clear_faults(self) -> JSONObject:
        """Delete every rule: `{"deleted": count}`."""
        return self._object("DELETE", "faults")

    def journal(self, **filters: Any) -> list[JSONObject]:
        """Recorded requests, filtered by the route's query parameters (None values dropped)."""
        return self._list("journal", filters)

    def clear_journal(self) -> JSONObject:
        """Empty the journal: `{"deleted": count}`."""
        return self._object("DELETE", "journal")

    def diagnostics(self) -> JSONObject:
        """The client mistakes the mock noticed, each with the journal entries showing it."""
        return self._object("GET", "diagnostics")

    def webhooks(self) -> list[JSONObject]:
        """Webhook events with every delivery attempt and answer."""
        return self._list("webhooks")

    def dispatch_webhooks(self) -> JSONObject:
        """Run one webhook delivery pass now: `{"attempts": n}`."""
        return self._object("POST", "webhooks/dispatch")

    def scenarios(self) -> list[JSONObject]:
        """The scenario presets: name, description, settings, faults."""
        return self._list("scenarios")

    def load_scenario(self, name: str) -> JSONObject:
        """Install a preset's fault rules now (its settings apply only at start)."""
        return self._object("POST", f"scenarios/{_segment(name)}")


def _segment(value: str) -> str:
    return quote(value, safe="")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _snippet(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text[:200] if text else "(empty body)"


_PAGE_DESCRIPTION = re.compile(r'<p id="description">(.*?)</p>', re.S)


def get_token(
    base_url: str,
    user: str,
    scopes: str = DEFAULT_SCOPES,
    *,
    client_key: str = WEB_CLIENT_KEY,
    client_secret: str = WEB_CLIENT_SECRET,
    redirect_uri: str = WEB_REDIRECT_URI,
    code_verifier: str | None = None,
    timeout: float = 30.0,
) -> JSONObject:
    """Authorize as `user` (open_id or username) and redeem the code: TikTok's token JSON.

    Runs the real flow over HTTP: `GET /v2/auth/authorize/?mock_user=…` (redirect not
    followed), then `POST /v2/oauth/token/`. Pass `code_verifier` for a desktop client; the
    challenge is TikTok's hex S256. Raises FlowError when either step refuses.
    """
    base = base_url.rstrip("/")
    state = secrets.token_urlsafe(12)
    params = {
        "client_key": client_key,
        "response_type": "code",
        "scope": scopes,
        "redirect_uri": redirect_uri,
        "state": state,
        "mock_user": user,
    }
    if code_verifier is not None:
        params["code_challenge"] = hex_challenge(code_verifier)
        params["code_challenge_method"] = "S256"
    status, headers, raw = _send(
        "GET", f"{base}/v2/auth/authorize/?{urlencode(params)}", timeout=timeout
    )
    location = headers.get("Location")
    if status not in (302, 303) or not location:
        found = _PAGE_DESCRIPTION.search(raw.decode("utf-8", "replace"))
        reason = html.unescape(found.group(1)).strip() if found else _snippet(raw)
        raise FlowError(f"authorize refused (HTTP {status}): {reason}")
    answer = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    if "error" in answer:
        raise FlowError(
            f"authorize refused: {answer['error']}: {answer.get('error_description', '')}"
        )
    if answer.get("state") != state or "code" not in answer:
        raise FlowError(f"authorize redirected without a code for this state: {location}")
    form = {
        "client_key": client_key,
        "client_secret": client_secret,
        "code": answer["code"],
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    status, _, raw = _send(
        "POST",
        f"{base}/v2/oauth/token/",
        body=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )
    try:
        token = json.loads(raw)
    except ValueError:
        raise FlowError(
            f"token endpoint answered HTTP {status}, not JSON: {_snippet(raw)}"
        ) from None
    if not isinstance(token, dict) or "access_token" not in token:
        if isinstance(token, dict) and "error" in token:
            raise FlowError(
                f"token endpoint refused: {token['error']}: {token.get('error_description', '')}"
            )
        raise FlowError(f"token endpoint answered HTTP {status} without a token: {_snippet(raw)}")
    return token


class MockServer:
    """The mock app on a free loopback port, served from a background thread.

    `settings` are setting overrides (see `mockserver/settings.py`); without `db_path` the
    server keeps its state in a temporary directory it removes on `stop()`.
    """

    def __init__(
        self, settings: Mapping[str, Any] | None = None, *, host: str = "127.0.0.1"
    ) -> None:
        self.settings: dict[str, Any] = dict(settings or {})
        self.host = host
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._close_db: Callable[[], None] | None = None
        self._dispatcher: Any = None
        self._admin_token: str | None = None
        self._db_path: str | None = None

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"MockServer({where})"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the MockServer is not running; call start() first")
        port: int = self._server.server_port
        return port

    @property
    def url(self) -> str:
        """The base URL, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self.host}:{self.port}"

    @property
    def db_path(self) -> str:
        """The SQLite file holding this server's state."""
        if self._db_path is None:
            raise RuntimeError("the MockServer is not running; call start() first")
        return self._db_path

    @property
    def control(self) -> MockControl:
        """A control client for this server (with its admin token, if one is set)."""
        return MockControl(self.url, admin_token=self._admin_token)

    def start(self) -> MockServer:
        """Build the app and serve it; returns self."""
        if self._server is not None:
            raise RuntimeError("the MockServer is already running")
        # Imported here: importing this module (and the pytest plugin) must stay Flask-free.
        from werkzeug.serving import WSGIRequestHandler, make_server
        from werkzeug.wsgi import ClosingIterator

        from .app import create_app
        from .state import EXTENSION
        from .webhooks import dispatcher

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass  # one line per request would drown the test output

        overrides = dict(self.settings)
        if "db_path" not in overrides:
            self._tmp = tempfile.TemporaryDirectory(prefix="tiktok-mock-")
            overrides["db_path"] = os.path.join(self._tmp.name, "mock.db")
        try:
            app = create_app(overrides)
            db = app.extensions[EXTENSION].db
            admin_token: str = app.extensions[EXTENSION].settings.admin_token

            def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
                # Each request runs in its own thread; close that thread's SQLite connection
                # when the response is done instead of leaving it to the garbage collector.
                return ClosingIterator(app(environ, start_response), [db.close])

            server = make_server(self.host, 0, wsgi, threaded=True, request_handler=QuietHandler)
        except BaseException:
            self._cleanup_tmp()
            raise
        self._server = server
        self._dispatcher = dispatcher.start(app)  # webhooks are delivered as under `serve`
        self._close_db = app.extensions[EXTENSION].close
        self._admin_token = admin_token or None
        self._db_path = str(overrides["db_path"])
        self._thread = threading.Thread(
            # A short poll interval: stop() waits at most that long for the loop to notice.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"tiktok-mock:{server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the database and remove the temporary state; idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
        if self._close_db is not None:
            self._close_db()
            self._close_db = None
        self._db_path = None
        self._cleanup_tmp()

    def _cleanup_tmp(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def reset(self) -> JSONObject:
        """`POST /_mock/reset`: back to the seeded fixtures."""
        return self.control.reset()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class TikTokMock:
    """A running mock as a test sees it: its URL, its control client and flow shortcuts."""

    def __init__(self, url: str, control: MockControl | None = None) -> None:
        self.url = url.rstrip("/")
        self.control = control or MockControl(self.url)

    def __repr__(self) -> str:
        return f"TikTokMock({self.url!r})"

    def create_user(self, region: str = "DE", persona: str = "light", **fields: Any) -> JSONObject:
        """A new user (`POST /_mock/users`); pass its `username` to `token()`."""
        return self.control.create_user(region, persona, **fields)

    def token_response(
        self,
        user: str = "lena.schmidt",
        scopes: str = DEFAULT_SCOPES,
        *,
        client_key: str = WEB_CLIENT_KEY,
        client_secret: str = WEB_CLIENT_SECRET,
        redirect_uri: str = WEB_REDIRECT_URI,
        code_verifier: str | None = None,
    ) -> JSONObject:
        """The token endpoint's JSON after a real authorize + token flow as `user`."""
        return get_token(
            self.url,
            user,
            scopes,
            client_key=client_key,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )

    def token(
        self,
        user: str = "lena.schmidt",
        scopes: str = DEFAULT_SCOPES,
        *,
        client_key: str = WEB_CLIENT_KEY,
        client_secret: str = WEB_CLIENT_SECRET,
        redirect_uri: str = WEB_REDIRECT_URI,
        code_verifier: str | None = None,
    ) -> str:
        """A user access token (`act.…`) from a real authorize + token flow as `user`."""
        answer = self.token_response(
            user,
            scopes,
            client_key=client_key,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )
        access_token: str = answer["access_token"]
        return access_token

    def advance(self, seconds: float) -> JSONObject:
        """Move the mock clock instead of sleeping."""
        return self.control.advance(seconds)

    def add_fault(self, rule: Mapping[str, Any]) -> JSONObject:
        """Install a fault rule (`POST /_mock/faults`); the answer carries its `id`."""
        return self.control.add_fault(rule)
