"""The webhook outbox without the background loop: passes run on demand through the control
API, so each step is deterministic."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from mockserver.webhooks.delivery import backoff
from mockserver.webhooks.signing import sign, verify
from tests.support import Receiver, authorize_url, query


def test_signature_format_and_verification() -> None:
    header = sign("secret", b'{"a":1}', 1700000000)
    assert header.startswith("t=1700000000,s=") and len(header.split("s=")[1]) == 64
    assert verify("secret", header, b'{"a":1}', 1700000100)
    assert not verify("secret", header, b'{"a":2}', 1700000100)
    assert not verify("secret", header, b'{"a":1}', 1700001000)  # stale
    assert not verify("secret", "garbage", b"", 0)


def test_backoff_doubles_and_caps() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff(20) == 3600


def _setup(client: FlaskClient, url: str) -> tuple[dict[str, str], dict[str, object]]:
    app = client.post(
        "/_mock/clients",
        json={
            "app_type": "web",
            "redirect_uris": ["https://h.example/cb"],
            "webhook_url": url,
            "scopes": ["portability.all.ongoing"],
        },
    ).json
    location = client.get(
        authorize_url(
            "",
            client_key=app["client_key"],
            redirect_uri="https://h.example/cb",
            scope="portability.all.ongoing",
            mock_user="lena.schmidt",
        )
    ).headers["Location"]
    token = client.post(
        "/v2/oauth/token/",
        data={
            "client_key": app["client_key"],
            "client_secret": app["client_secret"],
            "code": query(location)["code"],
            "grant_type": "authorization_code",
            "redirect_uri": "https://h.example/cb",
        },
    ).json
    return {"Authorization": f"Bearer {token['access_token']}"}, app


def test_ready_event_once_then_backoff_then_give_up_never_early(client: FlaskClient) -> None:
    receiver = Receiver(statuses=[500, 500, 500])
    try:
        headers, _ = _setup(client, receiver.url)
        body = {"data_format": "json", "category_selection_list": ["profile"]}
        first = client.post("/v2/user/data/add/?fields=request_id", json=body, headers=headers)
        client.post("/v2/user/data/add/?fields=request_id", json=body, headers=headers)
        second_id = client.get("/_mock/requests").json[1]["request_id"]
        client.post("/v2/user/data/cancel/", json={"request_id": second_id}, headers=headers)
        assert client.post("/_mock/webhooks/dispatch").json == {"attempts": 0}
        client.post("/_mock/clock", json={"advance": 30})
        assert client.post("/_mock/webhooks/dispatch").json == {"attempts": 1}
        assert client.post("/_mock/webhooks/dispatch").json == {"attempts": 0}
        client.post("/_mock/clock", json={"advance": 9})
        assert client.post("/_mock/webhooks/dispatch").json == {"attempts": 0}
        client.post("/_mock/clock", json={"advance": 1})
        assert client.post("/_mock/webhooks/dispatch").json == {"attempts": 1}
        [event] = client.get("/_mock/webhooks").json  # none for the cancelled request
        assert json.loads(event["body"]["content"]) == {
            "request_id": first.json["data"]["request_id"]
        }
        assert [a["status"] for a in event["attempts"]] == [500, 500]
        assert event["next_attempt_at"] - event["attempts"][-1]["at"] == 20
    finally:
        receiver.close()


def test_unreachable_receiver_is_recorded(client: FlaskClient) -> None:
    headers, _ = _setup(client, "http://127.0.0.1:9/closed")
    client.post(
        "/v2/user/data/add/?fields=request_id",
        headers=headers,
        json={"data_format": "json", "category_selection_list": ["profile"]},
    )
    client.post("/_mock/clock", json={"advance": 30})
    client.post("/_mock/webhooks/dispatch")
    [event] = client.get("/_mock/webhooks").json
    [attempt] = event["attempts"]
    assert attempt["status"] is None and attempt["error"]
    assert event["delivered_at"] is None
