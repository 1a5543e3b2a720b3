"""Portability [choice] settings: large ids, string ids, the deny_at_add region policy."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import authorize_url, query, token_form


def headers(client: FlaskClient, user: str = "lena.schmidt") -> dict[str, str]:
    location = client.get(authorize_url("", mock_user=user)).headers["Location"]
    token = client.post("/v2/oauth/token/", data=token_form(query(location)["code"])).json
    return {"Authorization": f"Bearer {token['access_token']}"}


def add(client: FlaskClient, h: dict[str, str]) -> dict[str, object]:
    body = {"data_format": "json", "category_selection_list": ["profile"]}
    answer: dict[str, object] = client.post(
        "/v2/user/data/add/?fields=request_id", json=body, headers=h
    ).json
    return answer


@pytest.mark.parametrize("settings_overrides", [{"large_request_ids": True}])
def test_large_request_ids_exceed_2_53_and_round_trip(client: FlaskClient) -> None:
    h = headers(client)
    raw = client.post(
        "/v2/user/data/add/?fields=request_id",
        headers=h,
        json={"data_format": "json", "category_selection_list": ["profile"]},
    )
    request_id = raw.json["data"]["request_id"]
    assert 2**53 < request_id < 2**63
    assert str(request_id).encode() in raw.data  # exact digits on the wire
    as_js_would = int(float(request_id))
    assert as_js_would != request_id
    answer = client.post(
        "/v2/user/data/check/?fields=request_id", json={"request_id": as_js_would}, headers=h
    ).json
    assert answer["error"]["code"] == "invalid_params"
    exact = client.post(
        "/v2/user/data/check/?fields=request_id", json={"request_id": request_id}, headers=h
    ).json
    assert exact["data"]["request_id"] == request_id


@pytest.mark.parametrize("settings_overrides", [{"request_id_strings": "accept"}])
def test_string_request_ids_accepted_and_noted(client: FlaskClient, app: Flask) -> None:
    h = headers(client)
    request_id = add(client, h)["data"]["request_id"]  # type: ignore[index]
    answer = client.post(
        "/v2/user/data/check/?fields=status", json={"request_id": str(request_id)}, headers=h
    ).json
    assert answer["data"] == {"status": "pending"}
    notes = app.extensions["tiktok_mock"].journal.read("observations")
    assert [n["kind"] for n in notes] == ["string_request_id"]
    assert "accepted" in notes[0]["detail"]


def test_string_request_ids_refused_by_default_and_noted(client: FlaskClient, app: Flask) -> None:
    h = headers(client)
    request_id = add(client, h)["data"]["request_id"]  # type: ignore[index]
    answer = client.post(
        "/v2/user/data/check/?fields=status", json={"request_id": str(request_id)}, headers=h
    )
    assert answer.status_code == 400 and "not a string" in answer.json["error"]["message"]
    notes = app.extensions["tiktok_mock"].journal.read("observations")
    assert "refused" in notes[0]["detail"]


@pytest.mark.parametrize("settings_overrides", [{"region_policy": "deny_at_add"}])
def test_deny_at_add_refuses_non_eea_users_at_add(client: FlaskClient) -> None:
    answer = client.post(
        "/v2/user/data/add/?fields=request_id",
        headers=headers(client, "jake.miller"),
        json={"data_format": "json", "category_selection_list": ["profile"]},
    )
    assert answer.status_code == 400
    assert "EEA" in answer.json["error"]["message"] and "US" in answer.json["error"]["message"]
    assert add(client, headers(client, "oliver.bennett"))["error"]["code"] == "ok"  # type: ignore[index]


@pytest.mark.parametrize("settings_overrides", [{"export_delay": 120}])
def test_export_delay_setting(client: FlaskClient) -> None:
    h = headers(client)
    request_id = add(client, h)["data"]["request_id"]  # type: ignore[index]
    client.post("/_mock/clock", json={"advance": 100})
    check = client.post(
        "/v2/user/data/check/?fields=status", json={"request_id": request_id}, headers=h
    )
    assert check.json["data"]["status"] == "pending"
    client.post("/_mock/clock", json={"advance": 21})
    check = client.post(
        "/v2/user/data/check/?fields=status", json={"request_id": request_id}, headers=h
    )
    assert check.json["data"]["status"] == "downloading"
