"""Fault injection, rate limits, journal and diagnostics through real HTTP against
`tiktok-mock serve` with 4 workers: what a plain HTTP client actually observes."""

from __future__ import annotations

import io
import json
import time
import zipfile
import zlib
from typing import Any

import pytest
import requests

from tests.support import WEB_KEY, LiveServer, Portability, user_token

ONGOING = "user.info.basic,portability.all.ongoing"


def add_fault(server: LiveServer, rule: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{server.url}/_mock/faults", json=rule, timeout=10)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_429_for_the_next_two_checks_of_one_request(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    target, other = api.add_id(["profile"]), api.add_id(["profile"])
    rule = add_fault(
        server,
        {
            "match": {"endpoint": "check", "request_id": target},
            "trigger": {"times": 2},
            "effect": {"error": "rate_limit_exceeded", "retry_after": 3},
        },
    )
    assert rule["id"] >= 1
    assert api.post("check", {"request_id": other}, fields="status").status_code == 200
    for _ in range(2):
        limited = api.post("check", {"request_id": target}, fields="status")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "3"
        body = limited.json()
        assert body["data"] == {} and body["error"]["code"] == "rate_limit_exceeded"
        assert body["error"]["http_status_code"] == 429
    assert api.post("check", {"request_id": target}, fields="status").status_code == 200
    listed = requests.get(f"{server.url}/_mock/faults", timeout=10).json()
    assert [(r["seen"], r["fired"]) for r in listed] == [(3, 2)]


def test_probabilistic_rule_replays_identically(server: LiveServer) -> None:
    outcomes = []
    for _ in range(2):
        server.reset()
        api = Portability(server.url, user_token(server.url, scope=ONGOING))
        request_id = api.add_id(["profile"])
        add_fault(
            server,
            {
                "match": {"endpoint": "check"},
                "trigger": {"probability": 0.3},
                "effect": {"status": 503},
            },
        )
        outcomes.append(
            [
                api.post("check", {"request_id": request_id}, fields="status").status_code
                for _ in range(40)
            ]
        )
    assert outcomes[0] == outcomes[1]
    assert 3 <= outcomes[0].count(503) <= 25


def test_header_fault_on_a_single_request(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    request_id = api.add_id(["profile"])
    started = time.monotonic()
    hit = api.post(
        "check",
        {"request_id": request_id},
        fields="status",
        headers={"X-Mock-Fault": "latency_ms=300; status=503"},
    )
    assert hit.status_code == 503 and time.monotonic() - started >= 0.3
    assert api.post("check", {"request_id": request_id}, fields="status").status_code == 200
    oauth = requests.post(
        f"{server.url}/v2/oauth/token/",
        data={"client_key": WEB_KEY},
        headers={"X-Mock-Fault": "error=temporarily_unavailable"},
        timeout=10,
    )
    assert oauth.json()["error"] == "temporarily_unavailable"
    bad = api.post(
        "check", {"request_id": request_id}, fields="status", headers={"X-Mock-Fault": "explode"}
    )
    assert bad.status_code == 400 and "X-Mock-Fault" in bad.json()["error"]["message"]


@pytest.mark.parametrize("header", ["reset", "empty"])
def test_connection_faults_are_seen_by_a_plain_client(server: LiveServer, header: str) -> None:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    request_id = api.add_id(["profile"])
    with pytest.raises(requests.ConnectionError):
        api.post(
            "check", {"request_id": request_id}, fields="status", headers={"X-Mock-Fault": header}
        )
    assert api.post("check", {"request_id": request_id}, fields="status").status_code == 200


def test_malformed_json(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    answer = api.post(
        "add",
        {"data_format": "json", "category_selection_list": ["profile"]},
        fields="request_id",
        headers={"X-Mock-Fault": "malformed"},
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


def _ready_download(server: LiveServer) -> tuple[Portability, int]:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    request_id = api.add_id(["activity"])
    server.advance(30)
    return api, request_id


def test_truncated_and_corrupted_zips(server: LiveServer) -> None:
    api, request_id = _ready_download(server)
    whole = api.download(request_id).content
    truncated = api.post(
        "download", {"request_id": request_id}, headers={"X-Mock-Fault": "truncate=1000"}
    )
    assert truncated.status_code == 200 and len(truncated.content) == 1000
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(truncated.content))
    corrupt = api.post(
        "download", {"request_id": request_id}, headers={"X-Mock-Fault": "corrupt"}
    ).content
    assert len(corrupt) == len(whole) and corrupt != whole
    with pytest.raises((zipfile.BadZipFile, zlib.error)):
        with zipfile.ZipFile(io.BytesIO(corrupt)) as zf:
            zf.read("user_data_tiktok.json")


def test_reset_mid_stream_and_drip(server: LiveServer) -> None:
    api, request_id = _ready_download(server)
    add_fault(
        server,
        {
            "match": {"endpoint": "download"},
            "trigger": {"times": 1},
            "effect": {"truncate": 20000, "reset": True},
        },
    )
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.download(request_id)
    started = time.monotonic()
    slow = api.post(
        "download",
        {"request_id": request_id},
        headers={"X-Mock-Fault": "drip_bytes_per_s=20000; truncate=10000"},
    )
    assert len(slow.content) == 10000 and time.monotonic() - started >= 0.4


def test_rate_limit_1001st_add_in_a_mock_minute(server: LiveServer) -> None:
    requests.post(f"{server.url}/_mock/clock", json={"freeze": True}, timeout=10)
    try:
        api = Portability(server.url, user_token(server.url, scope=ONGOING))
        body = {"data_format": "json", "category_selection_list": ["profile"]}
        statuses = [api.post("add", body, fields="request_id").status_code for _ in range(1001)]
        assert statuses[:1000] == [200] * 1000
        assert statuses[1000] == 429
        last = api.post("add", body, fields="request_id")
        assert last.json()["error"]["code"] == "rate_limit_exceeded"
        assert 1 <= int(last.headers["Retry-After"]) <= 60
        # Other endpoints have their own window.
        assert api.post("check", {"request_id": 1}, fields="status").status_code == 400
        server.advance(60)
        assert api.post("add", body, fields="request_id").status_code == 200
    finally:
        requests.post(f"{server.url}/_mock/clock", json={"freeze": False}, timeout=10)


def test_journal_records_and_filters(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ONGOING))
    request_id = api.add_id(["profile"])
    api.post(
        "check", {"request_id": request_id}, fields="status", headers={"X-Mock-Fault": "status=502"}
    )
    rows = requests.get(
        f"{server.url}/_mock/journal", params={"request_id": request_id}, timeout=10
    ).json()
    assert [(r["endpoint"], r["status"]) for r in rows] == [("add", 200), ("check", 502)]
    assert rows[0]["client_key"] == WEB_KEY and rows[0]["open_id"].startswith("-000")
    assert rows[1]["fault"] and "502" in rows[1]["fault"]
    assert all(len(r["log_id"]) == 34 and r["latency_ms"] >= 0 for r in rows)
    token_rows = requests.get(
        f"{server.url}/_mock/journal", params={"endpoint": "token"}, timeout=10
    ).json()
    assert token_rows and token_rows[-1]["status"] == 200
    assert (
        requests.get(
            f"{server.url}/_mock/journal", params={"colour": "red"}, timeout=10
        ).status_code
        == 400
    )
    requests.delete(f"{server.url}/_mock/journal", timeout=10)
    assert requests.get(f"{server.url}/_mock/journal", timeout=10).json() == []


def test_diagnostics_after_a_sloppy_client(server: LiveServer) -> None:
    import base64
    import hashlib

    http = requests.Session()
    token_url = f"{server.url}/v2/oauth/token/"
    # 1. base64url PKCE from an RFC 7636 client.
    verifier = "v" * 50
    b64 = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    location = http.get(
        f"{server.url}/v2/auth/authorize/",
        allow_redirects=False,
        params={
            "client_key": "sbawmockdesk000001",
            "response_type": "code",
            "scope": "user.info.basic",
            "redirect_uri": "http://localhost:9000/callback",
            "code_challenge": b64.decode(),
            "code_challenge_method": "S256",
            "mock_user": "lena.schmidt",
        },
    ).headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    http.post(
        token_url,
        data={
            "client_key": "sbawmockdesk000001",
            "client_secret": "MockDeskSecret000000000000000001",
            "code": requests.utils.unquote(code),
            "grant_type": "authorization_code",
            "redirect_uri": "http://localhost:9000/callback",
            "code_verifier": verifier,
        },
    )
    # 2. JSON at the token endpoint, 3. client_id instead of client_key.
    http.post(token_url, json={"client_id": WEB_KEY})
    http.post(token_url, data={"client_id": WEB_KEY})
    # 4. string request_id, 5. download before ready, 6. polling check too fast,
    # 7. single scope reused.
    api = Portability(server.url, user_token(server.url, scope="portability.all.single"))
    request_id = api.add_id(["profile"])
    api.post("check", {"request_id": str(request_id)}, fields="status")
    api.download(request_id)
    for _ in range(3):
        api.check(request_id)
    server.advance(30)
    api.add(["profile"])
    # 8. ignoring Retry-After.
    add_fault(
        server,
        {
            "match": {"endpoint": "check"},
            "trigger": {"times": 1},
            "effect": {"error": "rate_limit_exceeded", "retry_after": 30},
        },
    )
    api.check(request_id)
    api.check(request_id)
    report = requests.get(f"{server.url}/_mock/diagnostics", timeout=10).json()
    kinds = {m["kind"] for m in report["mistakes"]}
    assert {
        "pkce_base64url",
        "json_body_at_token_endpoint",
        "client_id_instead_of_client_key",
        "string_request_id",
        "download_pending",
        "check_polling_too_fast",
        "single_scope_reused",
        "retry_after_ignored",
    } <= kinds
    for mistake in report["mistakes"]:
        assert mistake["description"] and mistake["count"] >= 1
        assert mistake["entries"], mistake["kind"]
        assert all("log_id" in e and "path" in e for e in mistake["entries"])


def test_fault_rule_validation_and_deletion(server: LiveServer) -> None:
    for bad in (
        {"effect": {}},
        {"effect": {"error": "teapot"}},
        {"match": {"endpoint": "nope"}, "effect": {"reset": True}},
        {"trigger": {"times": 0}, "effect": {"reset": True}},
        {"trigger": {"times": 1, "every": 2}, "effect": {"reset": True}},
        {"effect": {"latency_ms": [5, 1]}},
        {"effect": {"reset": True}, "extra": 1},
    ):
        answer = requests.post(f"{server.url}/_mock/faults", json=bad, timeout=10)
        assert answer.status_code == 400, bad
        assert "invalid fault rule" in answer.json()["error"]
    rule = add_fault(server, {"effect": {"status": 500}, "match": {"endpoint": "user_info"}})
    assert requests.delete(f"{server.url}/_mock/faults/{rule['id']}", timeout=10).ok
    assert requests.delete(f"{server.url}/_mock/faults/{rule['id']}", timeout=10).status_code == 404
    add_fault(server, {"effect": {"status": 500}})
    assert requests.delete(f"{server.url}/_mock/faults", timeout=10).json() == {"deleted": 1}


def test_scenario_presets_load_their_rules(server: LiveServer) -> None:
    presets = {p["name"] for p in requests.get(f"{server.url}/_mock/scenarios", timeout=10).json()}
    assert {"flaky-network", "slow-exports", "rate-limited", "legacy-tokens"} <= presets
    loaded = requests.post(f"{server.url}/_mock/scenarios/rate-limited", timeout=10).json()
    assert len(loaded["fault_ids"]) == 1
    assert loaded["settings_not_applied"] == {"rate_limits": "0.1"}
    assert requests.post(f"{server.url}/_mock/scenarios/nope", timeout=10).status_code == 404
