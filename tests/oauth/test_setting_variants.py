"""The documented [choice] settings change the wire behaviour as documented."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import (
    authorize_url,
    pkce_pair,
    query,
    refresh_form,
    token_form,
)

DESK = {
    "client_key": "sbawmockdesk000001",
    "redirect_uri": "http://localhost:7000/callback",
    "scope": "user.info.basic",
}


def code_for(client: FlaskClient, **params: str) -> str:
    answer = client.get(authorize_url("", mock_user="lena.schmidt", **params))
    assert answer.status_code == 302, answer.data
    return query(answer.headers["Location"])["code"]


@pytest.mark.parametrize("settings_overrides", [{"token_profile": "legacy"}])
def test_legacy_profile_lifetimes_and_no_rotation(client: FlaskClient) -> None:
    first = client.post("/v2/oauth/token/", data=token_form(code_for(client))).json
    assert (first["expires_in"], first["refresh_expires_in"]) == (86400, 31536000)
    form = refresh_form(first["refresh_token"])
    client.post("/_mock/clock", json={"advance": 1000})
    second = client.post("/v2/oauth/token/", data=form).json
    third = client.post("/v2/oauth/token/", data=form).json
    assert second["refresh_token"] == third["refresh_token"] == first["refresh_token"]
    assert 31536000 - 1002 <= third["refresh_expires_in"] <= 31536000 - 999


@pytest.mark.parametrize("settings_overrides", [{"oauth_error_status": 400}])
def test_oauth_error_status_setting(client: FlaskClient) -> None:
    answer = client.post("/v2/oauth/token/", data=token_form("nope"))
    assert answer.status_code == 400 and answer.json["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("settings_overrides", "encoding", "ok"),
    [
        ({"pkce_encoding": "base64url"}, "b64", True),
        ({"pkce_encoding": "base64url"}, "hex", False),
        ({"pkce_encoding": "either"}, "b64", True),
        ({"pkce_encoding": "either"}, "hex", True),
    ],
)
def test_pkce_encoding_setting(client: FlaskClient, encoding: str, ok: bool) -> None:
    from mockserver.oauth.pkce import base64url_challenge

    verifier, hex_challenge = pkce_pair()
    challenge = hex_challenge if encoding == "hex" else base64url_challenge(verifier)
    code = code_for(client, **DESK, code_challenge=challenge, code_challenge_method="S256")
    body = client.post(
        "/v2/oauth/token/",
        data={
            "client_key": DESK["client_key"],
            "client_secret": "MockDeskSecret000000000000000001",
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": DESK["redirect_uri"],
            "code_verifier": verifier,
        },
    ).json
    assert ("access_token" in body) is ok


@pytest.mark.parametrize(
    "settings_overrides", [{"region_policy": "allow"}, {"region_policy": "deny_at_add"}]
)
def test_other_region_policies_let_non_eea_users_consent(client: FlaskClient) -> None:
    answer = client.get(authorize_url("", mock_user="jake.miller"))
    assert "code" in query(answer.headers["Location"])


@pytest.mark.parametrize("settings_overrides", [{"auto_approve_user": "oliver.bennett"}])
def test_auto_approve_user_skips_the_page_unless_disabled(client: FlaskClient) -> None:
    answer = client.get(authorize_url(""))
    assert answer.status_code == 302 and "code" in query(answer.headers["Location"])
    assert client.get(authorize_url("", disable_auto_auth="1")).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"auth_code_ttl": 30}])
def test_auth_code_ttl_setting(client: FlaskClient) -> None:
    code = code_for(client)
    client.post("/_mock/clock", json={"advance": 31})
    assert (
        client.post("/v2/oauth/token/", data=token_form(code)).json["error_description"]
        == "Authorization code is expired."
    )


@pytest.mark.parametrize("settings_overrides", [{"admin_token": "s3cret"}])
def test_admin_token_guards_the_control_api_but_not_health(client: FlaskClient) -> None:
    assert client.get("/_mock/health").status_code == 200
    denied = client.get("/_mock/users")
    assert denied.status_code == 401 and "admin_token" in denied.json["error"]
    assert client.get("/_mock/users", headers={"Authorization": "Bearer s3cret"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"mock_scopes": "user.info.basic,user.info.stats"}, "was not requested"),
        ({"mock_decision": "maybe"}, "approve"),
    ],
)
def test_mock_only_parameters_are_checked(
    client: FlaskClient, params: dict[str, str], words: str
) -> None:
    answer = client.get(
        authorize_url(
            "", mock_user="lena.schmidt", scope="user.info.basic,user.info.profile", **params
        )
    )
    assert answer.status_code == 400 and words in answer.text


def test_mock_scopes_grants_a_subset_and_basic_always(client: FlaskClient) -> None:
    answer = client.get(
        authorize_url(
            "",
            mock_user="lena.schmidt",
            scope="user.info.profile,user.info.stats",
            mock_scopes="user.info.stats",
        )
    )
    assert query(answer.headers["Location"])["scopes"] == "user.info.basic,user.info.stats"


def test_mock_decision_deny_and_unknown_user(client: FlaskClient) -> None:
    answer = client.get(authorize_url("", mock_user="lena.schmidt", mock_decision="deny"))
    params: dict[str, Any] = query(answer.headers["Location"])
    assert params["error"] == "access_denied" and params["state"] == "st-123"
    unknown = client.get(authorize_url("", mock_user="nobody"))
    assert unknown.status_code == 400 and "nobody" in unknown.text
