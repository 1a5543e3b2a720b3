"""Signed webhooks from a real `tiktok-mock serve` (4 workers) to a local receiver: once per
event, verifiable, retried with backoff on the mock clock, pathologies on demand."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from mockserver.webhooks.signing import verify
from tests.support import LiveServer, Portability, Receiver, client_token, register_client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def events(server: LiveServer) -> list[dict[str, object]]:
    body: list[dict[str, object]] = requests.get(f"{server.url}/_mock/webhooks", timeout=10).json()
    return body


def test_download_ready_arrives_once_and_verifies(server: LiveServer, receiver: Receiver) -> None:
    client = register_client(server.url, webhook_url=receiver.url)
    tokens = client_token(server.url, client)
    request_id = Portability(server.url, tokens["access_token"]).add_id(["profile"])
    server.advance(30)
    [call] = receiver.wait_for(1)
    time.sleep(1.0)  # room for a duplicate from another worker to show up (none may)
    assert len(receiver.calls) == 1
    body = json.loads(call["body"])
    assert list(body) == ["client_key", "event", "create_time", "user_openid", "content"]
    assert body["event"] == "portability.download.ready"
    assert body["client_key"] == client["client_key"]
    assert body["user_openid"] == tokens["open_id"]
    assert isinstance(body["content"], str)
    assert json.loads(body["content"]) == {"request_id": request_id}
    now = requests.get(f"{server.url}/_mock/clock", timeout=10).json()["now"]
    assert verify(client["client_secret"], call["headers"]["TikTok-Signature"], call["body"], now)
    assert not verify("another-secret", call["headers"]["TikTok-Signature"], call["body"], now)


def test_failed_deliveries_retry_after_backoff(server: LiveServer) -> None:
    receiver = Receiver(statuses=[500, 503, 200])
    try:
        client = register_client(server.url, webhook_url=receiver.url)
        Portability(server.url, client_token(server.url, client)["access_token"]).add_id(
            ["profile"]
        )
        server.advance(30)
        assert len(receiver.wait_for(1)) == 1
        time.sleep(0.6)
        assert len(receiver.calls) == 1  # the retry waits for the mock clock, not real time
        server.advance(10)
        assert len(receiver.wait_for(2)) == 2
        server.advance(20)
        assert len(receiver.wait_for(3)) == 3
        time.sleep(0.6)
        assert len(receiver.calls) == 3
        [event] = events(server)
        attempts = event["attempts"]
        assert isinstance(attempts, list)
        assert [a["status"] for a in attempts] == [500, 503, 200]
        assert attempts[1]["at"] - attempts[0]["at"] >= 10
        assert attempts[2]["at"] - attempts[1]["at"] >= 20
        assert event["delivered_at"] is not None
    finally:
        receiver.close()


def test_revoke_sends_authorization_removed(server: LiveServer, receiver: Receiver) -> None:
    client = register_client(server.url, webhook_url=receiver.url)
    tokens = client_token(server.url, client)
    requests.post(
        f"{server.url}/v2/oauth/revoke/",
        timeout=10,
        data={
            "client_key": client["client_key"],
            "client_secret": client["client_secret"],
            "token": tokens["access_token"],
        },
    )
    [call] = receiver.wait_for(1)
    body = json.loads(call["body"])
    assert body["event"] == "authorization.removed"
    assert json.loads(body["content"]) == {"reason": 5}


@pytest.mark.parametrize("pathology", ["duplicate", "bad_signature", "stale", "delay"])
def test_webhook_pathologies(server: LiveServer, receiver: Receiver, pathology: str) -> None:
    client = register_client(server.url, webhook_url=receiver.url)
    requests.post(
        f"{server.url}/_mock/faults",
        timeout=10,
        json={
            "match": {"endpoint": "webhook", "client_key": client["client_key"]},
            "effect": {"webhook": pathology},
        },
    )
    Portability(server.url, client_token(server.url, client)["access_token"]).add_id(["profile"])
    server.advance(30)
    if pathology == "delay":
        time.sleep(0.6)
        assert receiver.calls == []
        server.advance(300)
    calls = receiver.wait_for(2 if pathology == "duplicate" else 1)
    now = requests.get(f"{server.url}/_mock/clock", timeout=10).json()["now"]
    signed = [
        verify(client["client_secret"], c["headers"]["TikTok-Signature"], c["body"], now)
        for c in calls
    ]
    if pathology == "duplicate":
        assert len(calls) == 2 and calls[0]["body"] == calls[1]["body"] and all(signed)
    else:
        assert signed == [pathology == "delay"]
    if pathology == "stale":
        stamp = int(calls[0]["headers"]["TikTok-Signature"].split(",")[0][2:])
        assert now - stamp >= 3600
