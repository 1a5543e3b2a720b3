"""The `/_mock/` control API: clients, users, clock and reset."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support import authorize_url, query, token_form


def test_health_and_fixture_contents(client: FlaskClient) -> None:
    assert client.get("/_mock/health").json["status"] == "ok"
    users = client.get("/_mock/users").json
    regions = [u["region"] for u in users]
    eea = {"DE", "FR", "NL", "IE", "DK"}
    assert sum(r in eea for r in regions) >= 2 and "GB" in regions
    assert sum(r in {"US", "BR", "IN"} for r in regions) >= 2
    for u in users:
        assert u["open_id"].startswith("-000") and len(u["open_id"]) == 36
    clients = client.get("/_mock/clients").json
    assert {c["app_type"] for c in clients} == {"web", "desktop"}
    assert any(":*/" in uri for c in clients for uri in c["redirect_uris"])


def test_create_client_and_use_it(client: FlaskClient) -> None:
    made = client.post(
        "/_mock/clients",
        json={
            "name": "QA app",
            "app_type": "web",
            "redirect_uris": ["https://qa.example/cb"],
            "scopes": ["user.info.basic", "portability.activity.single"],
        },
    )
    assert made.status_code == 201
    body = made.json
    assert body["client_key"].startswith("sbaw") and len(body["client_secret"]) == 32
    answer = client.get(
        authorize_url(
            "",
            client_key=body["client_key"],
            redirect_uri="https://qa.example/cb",
            scope="portability.activity.single",
            mock_user="lena.schmidt",
        )
    )
    assert (
        query(answer.headers["Location"])["scopes"] == "user.info.basic,portability.activity.single"
    )
    again = client.post("/_mock/clients", json={**body})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"redirect_uris": ["http://insecure.example/cb"]}, "https"),
        ({"redirect_uris": "https://a.example/cb"}, "redirect_uris"),
        ({"redirect_uris": ["https://a.example/cb"], "app_type": "mobile"}, "app_type"),
        ({}, "redirect_uris"),
    ],
)
def test_create_client_rejects_bad_bodies(
    client: FlaskClient, payload: dict[str, object], words: str
) -> None:
    answer = client.post("/_mock/clients", json=payload)
    assert answer.status_code == 400 and words in answer.json["error"]


def test_create_user_is_deterministic_and_validated(client: FlaskClient) -> None:
    made = client.post("/_mock/users", json={"region": "PL", "persona": "typical"})
    assert made.status_code == 201
    user = made.json
    assert user["region"] == "PL" and user["persona"] == "typical" and user["locale"] == "pl_PL"
    assert client.get(f"/_mock/users/{user['username']}").json == user
    client.post("/_mock/reset")
    assert (
        client.post("/_mock/users", json={"region": "PL", "persona": "typical"}).json["open_id"]
        == user["open_id"]
    )
    for bad in ({"region": "pl"}, {"region": "PL", "persona": "giant"}, {"persona": "light"}):
        assert client.post("/_mock/users", json=bad).status_code == 400
    taken = client.post("/_mock/users", json={"region": "DE", "username": "lena.schmidt"})
    assert taken.status_code == 409
    assert client.get("/_mock/users/nobody").status_code == 404


def test_clock_advance_set_freeze(client: FlaskClient) -> None:
    start = client.get("/_mock/clock").json
    moved = client.post("/_mock/clock", json={"advance": 3600}).json
    assert moved["now"] - start["now"] >= 3600
    frozen = client.post("/_mock/clock", json={"set": 2_000_000_000}).json
    assert 2_000_000_000 <= frozen["now"] < 2_000_000_010
    frozen = client.post("/_mock/clock", json={"freeze": True}).json
    assert frozen["frozen"] and client.get("/_mock/clock").json["now"] == frozen["now"]
    assert client.post("/_mock/clock", json={"advance": 10}).json["now"] == frozen["now"] + 10
    thawed = client.post("/_mock/clock", json={"freeze": False}).json
    assert not thawed["frozen"] and thawed["now"] >= frozen["now"] + 10
    for bad in ({}, {"advance": 1, "set": 2}, {"advance": "soon"}, {"freeze": "yes"}, [1]):
        assert client.post("/_mock/clock", json=bad).status_code == 400
    assert client.post("/_mock/clock", data="not json").status_code == 400


def test_reset_restores_fixtures_and_clock(client: FlaskClient) -> None:
    client.post("/_mock/users", json={"region": "ES"})
    client.post("/_mock/clock", json={"advance": 99999})
    result = client.post("/_mock/reset").json
    assert result == {"status": "reset", "clients": 2, "users": 9}
    assert abs(client.get("/_mock/clock").json["offset"]) < 1


def test_host_header_is_checked_on_loopback(client: FlaskClient) -> None:
    assert client.get("/_mock/health", headers={"Host": "localhost:8080"}).status_code == 200
    assert client.get("/_mock/health", headers={"Host": "[::1]:8080"}).status_code == 200
    rebinding = client.get("/_mock/users", headers={"Host": "attacker.example"})
    assert rebinding.status_code == 400 and "allowed_hosts" in rebinding.json["error"]
    api = client.get("/v2/user/info/", headers={"Host": "attacker.example"})
    assert api.status_code == 400 and api.json["error"]["code"] == "invalid_params"


@pytest.mark.parametrize("settings_overrides", [{"allowed_hosts": "tiktok-mock, localhost"}])
def test_allowed_hosts_setting(client: FlaskClient) -> None:
    assert client.get("/_mock/health", headers={"Host": "tiktok-mock:8080"}).status_code == 200
    assert client.get("/_mock/health", headers={"Host": "127.0.0.1"}).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/_mock/faults/9223372036854775808", None),
        ("GET", "/_mock/requests/9223372036854775808", None),
        ("GET", "/_mock/requests/-9223372036854775809", None),
        ("POST", "/_mock/requests/9223372036854775808/transition", {"to": "expired"}),
        ("POST", "/_mock/requests/9223372036854775808/delay", {"seconds": 0}),
    ],
)
def test_ids_beyond_int64_are_unknown_not_500(
    client: FlaskClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    assert client.open(path, method=method, json=body).status_code == 404


@pytest.mark.parametrize(
    "body", [{"advance": 1e17}, {"advance": 1e12}, {"advance": -1e11}, {"set": 1e13}]
)
def test_clock_stays_within_expressible_time(client: FlaskClient, body: dict[str, float]) -> None:
    assert client.post("/_mock/clock", json=body).status_code == 400
    assert client.get("/_mock/health").status_code == 200
    assert len(client.get("/_mock/health").headers["x-tt-logid"]) == 34


def test_delay_is_bounded(client: FlaskClient) -> None:
    location = client.get(authorize_url("", mock_user="lena.schmidt")).headers["Location"]
    token = client.post("/v2/oauth/token/", data=token_form(query(location)["code"])).json
    added = client.post(
        "/v2/user/data/add/?fields=request_id",
        json={"data_format": "json", "category_selection_list": ["profile"]},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    ).json
    pending = added["data"]["request_id"]
    huge = client.post(f"/_mock/requests/{pending}/delay", json={"seconds": 9223372036854775808})
    assert huge.status_code == 400 and "seconds" in huge.json["error"]
    fine = client.post(f"/_mock/requests/{pending}/delay", json={"seconds": 3600})
    assert fine.status_code == 200 and fine.json["ready_at"] == fine.json["collect_time"] + 3600
