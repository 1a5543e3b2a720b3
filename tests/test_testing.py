"""`mockserver.testing`: the in-process server, the control client and the token shortcut."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from mockserver.testing import (
    DESKTOP_CLIENT_KEY,
    DESKTOP_CLIENT_SECRET,
    FlowError,
    MockControl,
    MockControlError,
    MockServer,
    get_token,
)
from tests.support import free_port

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(
    method: str, url: str, token: str | None = None, body: Any = None, form: Any = None
) -> tuple[int, bytes, str]:
    """One request with urllib: (status, body, content type)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urlencode(form).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with NO_PROXY.open(req, timeout=30) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def add_profile_request(base: str, access_token: str) -> int:
    """A real Add of the profile category; its request_id."""
    status, body, _ = call(
        "POST",
        f"{base}/v2/user/data/add/?fields=request_id",
        access_token,
        {"data_format": "json", "category_selection_list": ["profile"]},
    )
    assert status == 200, body
    request_id: int = json.loads(body)["data"]["request_id"]
    return request_id


def test_start_stop_removes_its_temporary_state() -> None:
    server = MockServer()
    assert not server.running
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert server.control.health()["status"] == "ok"
        db_path = Path(server.db_path)
        assert db_path.exists()
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
    finally:
        server.stop()
    assert not server.running and not db_path.parent.exists()
    server.stop()  # idempotent


def test_context_manager_stops_listening() -> None:
    with MockServer() as server:
        control = server.control
        assert control.users()
    with pytest.raises(OSError):
        control.health()


def test_settings_overrides_reach_the_app(tmp_path: Path) -> None:
    db_path = tmp_path / "own.db"
    settings = {"seed": 7, "admin_token": "s3cret", "db_path": str(db_path)}
    with MockServer(settings) as server:
        assert server.control.health()["seed"] == 7
        assert len(server.control.users()) == 9  # the control client carries the admin token
        with pytest.raises(MockControlError) as err:
            MockControl(server.url).users()
        assert err.value.status == 401 and "admin_token" in err.value.message
    assert db_path.exists()  # a db_path the caller chose is the caller's to remove


def test_clients_and_users(server: MockServer) -> None:
    control = server.control
    assert {c["app_type"] for c in control.clients()} == {"web", "desktop"}
    made = control.create_client(name="QA", redirect_uris=["https://qa.example/cb"])
    assert made["client_key"] in {c["client_key"] for c in control.clients()}

    user = control.create_user("FR", "empty", username="qa.user", export_delay=5)
    assert (user["region"], user["persona"], user["username"]) == ("FR", "empty", "qa.user")
    assert control.user("qa.user")["open_id"] == user["open_id"]
    assert control.user(user["open_id"])["username"] == "qa.user"
    assert control.update_user("qa.user", export_delay=None)["open_id"] == user["open_id"]
    assert len(control.users()) == 10
    assert control.reset()["users"] == 9


def test_clock(server: MockServer) -> None:
    control = server.control
    assert control.clock()["offset"] == 0
    frozen = control.freeze()
    assert frozen["frozen"] is True
    assert control.advance(3600)["now"] == pytest.approx(frozen["now"] + 3600)
    assert control.set_time(2_000_000_000)["now"] == 2_000_000_000
    assert control.freeze(False)["frozen"] is False


def test_data_requests_after_a_real_add(server: MockServer) -> None:
    control = server.control
    token = get_token(server.url, "lena.schmidt")
    request_id = add_profile_request(server.url, token["access_token"])

    listed = control.requests(open_id=token["open_id"])
    assert [r["request_id"] for r in listed] == [request_id]
    assert control.requests(status="downloading") == []
    assert control.requests(client_key="nobody") == []
    assert control.request(request_id)["status"] == "pending"
    assert control.set_delay(request_id, 0)["status"] == "downloading"
    assert control.transition(request_id, "expired")["status"] == "expired"
    with pytest.raises(MockControlError) as err:
        control.transition(request_id, "downloading")
    assert err.value.status == 409


def test_fault_rules(server: MockServer) -> None:
    control = server.control
    token = get_token(server.url, "lena.schmidt")["access_token"]
    rule = control.add_fault(
        {"match": {"endpoint": "user_info"}, "trigger": {"times": 1}, "effect": {"status": 503}}
    )
    assert isinstance(rule["id"], int) and rule["source"] == "api"
    assert [f["id"] for f in control.faults()] == [rule["id"]]
    user_info = f"{server.url}/v2/user/info/?fields=open_id"
    assert call("GET", user_info, token)[0] == 503
    assert call("GET", user_info, token)[0] == 200  # `times: 1` is spent
    assert control.faults()[0]["fired"] == 1
    assert control.delete_fault(rule["id"]) == {"deleted": rule["id"]}
    with pytest.raises(MockControlError) as err:
        control.delete_fault(rule["id"])
    assert err.value.status == 404

    control.add_fault({"match": {"endpoint": "check"}, "effect": {"latency_ms": 1}})
    control.add_fault({"match": {"endpoint": "add"}, "effect": {"latency_ms": 1}})
    assert control.clear_faults() == {"deleted": 2} and control.faults() == []
    control.add_fault({"effect": {"latency_ms": 1}})
    control.reset()
    assert control.faults() == []  # a reset drops rules added through the API


def test_scenarios(server: MockServer) -> None:
    control = server.control
    names = [p["name"] for p in control.scenarios()]
    assert "flaky-network" in names
    loaded = control.load_scenario("flaky-network")
    assert loaded["scenario"] == "flaky-network" and loaded["fault_ids"]
    assert {f["id"] for f in control.faults()} == set(loaded["fault_ids"])
    with pytest.raises(MockControlError) as err:
        control.load_scenario("no-such-preset")
    assert err.value.status == 404 and "flaky-network" in err.value.message


def test_journal_and_diagnostics(server: MockServer) -> None:
    control = server.control
    token = get_token(server.url, "lena.schmidt")
    entries = control.journal(endpoint="token")
    assert [(e["method"], e["status"]) for e in entries] == [("POST", 200)]
    assert entries[0]["open_id"] == token["open_id"]
    assert {e["endpoint"] for e in control.journal()} == {"authorize", "token"}
    assert control.journal(endpoint="token", limit=1) == entries

    assert control.diagnostics()["mistakes"] == []
    form = {"client_id": "sbawmockweb0000001", "client_secret": "x", "grant_type": "x"}
    call("POST", f"{server.url}/v2/oauth/token/", form=form)
    kinds = [m["kind"] for m in control.diagnostics()["mistakes"]]
    assert kinds == ["client_id_instead_of_client_key"]

    assert control.clear_journal()["deleted"] == 3
    assert control.journal() == []
    with pytest.raises(MockControlError, match="unknown filter"):
        control.journal(bogus="x")


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A webhook endpoint on a free port: its URL and the bodies it received."""
    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/hook", received
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def test_webhooks(server: MockServer, receiver: tuple[str, list[bytes]]) -> None:
    control = server.control
    assert control.webhooks() == []
    hook_url, received = receiver
    app = control.create_client(
        name="hooked",
        redirect_uris=["https://hooked.example/cb"],
        scopes=["user.info.basic", "portability.all.single"],
        webhook_url=hook_url,
    )
    token = get_token(
        server.url,
        "lena.schmidt",
        client_key=app["client_key"],
        client_secret=app["client_secret"],
        redirect_uri="https://hooked.example/cb",
    )
    request_id = add_profile_request(server.url, token["access_token"])
    control.advance(30)
    assert control.dispatch_webhooks()["attempts"] >= 1
    (event,) = [e for e in control.webhooks() if e["event"] == "portability.download.ready"]
    assert event["request_id"] == request_id and event["attempts"][0]["status"] == 200
    assert any(json.loads(r)["event"] == "portability.download.ready" for r in received)


@pytest.mark.parametrize(
    ("action", "status", "words"),
    [
        (lambda c: c.create_user("de"), 400, "region"),
        (lambda c: c.add_fault({"effect": {"bogus": True}}), 400, "bogus"),
        (lambda c: c.update_user("lena.schmidt", export_delay=-1), 400, "export_delay"),
        (lambda c: c.user("nobody"), 404, "nobody"),
        (lambda c: c.request(1), 404, "no data request"),
        (lambda c: c.requests(status="bogus"), 400, "status"),
        (lambda c: c.create_client(redirect_uris=["http://insecure.example/cb"]), 400, "https"),
    ],
)
def test_control_errors_raise(server: MockServer, action: Any, status: int, words: str) -> None:
    with pytest.raises(MockControlError) as err:
        action(server.control)
    assert err.value.status == status and words in err.value.message
    assert str(err.value).startswith(f"{status}: ")


def test_get_token_works_at_user_info(server: MockServer) -> None:
    token = get_token(server.url, "camille.martin", "user.info.basic")
    assert token["token_type"] == "Bearer" and token["scope"] == "user.info.basic"
    status, body, _ = call(
        "GET", f"{server.url}/v2/user/info/?fields=open_id", token["access_token"]
    )
    assert status == 200
    assert json.loads(body)["data"]["user"]["open_id"] == token["open_id"]


def test_get_token_desktop_client_with_pkce(server: MockServer) -> None:
    verifier = secrets.token_urlsafe(48)
    token = get_token(
        server.url,
        "oliver.bennett",
        "user.info.basic,portability.activity.single",
        client_key=DESKTOP_CLIENT_KEY,
        client_secret=DESKTOP_CLIENT_SECRET,
        redirect_uri=f"http://127.0.0.1:{free_port()}/callback",
        code_verifier=verifier,
    )
    assert token["access_token"].startswith("act.")


@pytest.mark.parametrize(
    ("user", "kwargs", "words"),
    [
        ("nobody", {}, "no user with open_id or username 'nobody'"),
        ("jake.miller", {}, "access_denied"),
        ("lena.schmidt", {"client_secret": "wrong-secret-000000000"}, "invalid_client"),
        ("lena.schmidt", {"client_key": "nope"}, "client_key"),
        ("lena.schmidt", {"client_key": DESKTOP_CLIENT_KEY}, "redirect_uri"),
    ],
)
def test_get_token_refusals(server: MockServer, user: str, kwargs: Any, words: str) -> None:
    with pytest.raises(FlowError, match=words):
        get_token(server.url, user, **kwargs)


def test_nothing_listening_is_an_os_error() -> None:
    with pytest.raises(OSError):
        MockControl(f"http://127.0.0.1:{free_port()}").health()
    with pytest.raises(OSError):
        get_token(f"http://127.0.0.1:{free_port()}", "lena.schmidt")


def test_imports_stay_free_of_flask_and_faker() -> None:
    code = (
        "import sys, mockserver.testing, mockserver.pytest_plugin; "
        "print(sorted(m for m in ('flask', 'faker', 'werkzeug', 'marshmallow') "
        "if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"
