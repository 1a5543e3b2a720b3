"""Every negative path of reference §2 and §7 through real HTTP: the right family, code,
status and a message that tells the developer what went wrong."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.support import (
    DESK_KEY,
    DESK_SECRET,
    WEB_KEY,
    WEB_REDIRECT,
    WEB_SECRET,
    LiveServer,
    authorize_url,
    get_code,
    pkce_pair,
    query,
    refresh_form,
    token_form,
)


def post_token(server: LiveServer, data: dict[str, str]) -> dict[str, Any]:
    answer = requests.post(f"{server.url}/v2/oauth/token/", data=data, timeout=10)
    assert answer.status_code == 200, "OAuth errors come with HTTP 200 by default, as seen"
    assert answer.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = answer.json()
    if "error" in body:
        assert list(body) == ["error", "error_description", "log_id"]
        assert len(body["log_id"]) == 34
    return body


@pytest.mark.parametrize(
    ("params", "parameter", "error", "words"),
    [
        ({"client_key": "sbawnosuchapp00001"}, "client_key", "invalid_client", "not a registered"),
        ({"client_key": ""}, "client_key", "invalid_request", "missing"),
        ({"client_key": "", "client_id": WEB_KEY}, "client_key", "invalid_request", "client_key"),
        ({"response_type": "token"}, "response_type", "unsupported_response_type", "code"),
        (
            {"redirect_uri": "https://app.example.com/other"},
            "redirect_uri",
            "invalid_request",
            "not registered",
        ),
        (
            {"redirect_uri": WEB_REDIRECT + "?x=1"},
            "redirect_uri",
            "invalid_request",
            "not registered",
        ),
        ({"scope": "user.info.basic,video.list"}, "scope", "invalid_scope", "does not exist"),
        ({"scope": "user.info.basic user.info.profile"}, "scope", "invalid_scope", "commas"),
        (
            {"code_challenge": "abc", "code_challenge_method": "plain"},
            "code_challenge_method",
            "invalid_request",
            "S256",
        ),
    ],
)
def test_authorize_errors_show_a_page_and_never_redirect(
    server: LiveServer, params: dict[str, str], parameter: str, error: str, words: str
) -> None:
    answer = requests.get(
        authorize_url(server.url, mock_user="lena.schmidt", **params),
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f'data-parameter="{parameter}"' in answer.text
    assert f'data-error="{error}"' in answer.text
    assert words in answer.text


def test_scope_not_enabled_for_the_app_is_an_invalid_scope_page(server: LiveServer) -> None:
    answer = requests.get(
        authorize_url(
            server.url,
            client_key=DESK_KEY,
            redirect_uri="http://localhost:9999/callback",
            scope="user.info.stats",
            code_challenge=pkce_pair()[1],
            code_challenge_method="S256",
        ),
        timeout=10,
    )
    assert answer.status_code == 400
    assert 'data-error-type="scope"' in answer.text and "not enabled" in answer.text


def test_desktop_app_without_pkce_is_refused(server: LiveServer) -> None:
    answer = requests.get(
        authorize_url(
            server.url,
            client_key=DESK_KEY,
            redirect_uri="http://localhost:9999/callback",
            scope="user.info.basic",
        ),
        timeout=10,
    )
    assert answer.status_code == 400 and "PKCE" in answer.text


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"client_key": "sbawnosuchapp00001"}, "invalid_client", "not a registered app"),
        ({"client_secret": "wrong-secret"}, "invalid_client", "client_secret does not match"),
        ({"client_secret": ""}, "invalid_request", "Client secret is missed in request."),
        ({"client_key": "", "client_id": WEB_KEY}, "invalid_request", "not `client_id`"),
        (
            {"redirect_uri": "https://app.example.com/elsewhere"},
            "invalid_request",
            "Redirect_uri is not matched with the uri when requesting code.",
        ),
        ({"grant_type": "password"}, "unsupported_grant_type", "'password' is not supported"),
        ({"code": "no-such-code"}, "invalid_grant", "Authorization code is expired."),
    ],
)
def test_token_errors(server: LiveServer, change: dict[str, str], error: str, message: str) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    body = post_token(server, {**token_form(code), **change})
    assert body["error"] == error
    assert message in body["error_description"]


def test_json_body_at_the_token_endpoint_is_malformed(server: LiveServer) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    answer = requests.post(f"{server.url}/v2/oauth/token/", json=token_form(code), timeout=10)
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert body["error_description"].startswith("The request parameters are malformed.")
    assert "form-encoded" in body["error_description"]
    # The code was not spent by the malformed attempt.
    assert "access_token" in post_token(server, token_form(code))


def test_reused_code_is_refused_and_revokes_its_tokens(server: LiveServer) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    first = post_token(server, token_form(code))
    second = post_token(server, token_form(code))
    assert second["error"] == "invalid_grant"
    assert second["error_description"].startswith("Authorization code is expired.")
    assert "already redeemed" in second["error_description"]
    info = requests.get(
        f"{server.url}/v2/user/info/?fields=open_id",
        timeout=10,
        headers={"Authorization": f"Bearer {first['access_token']}"},
    )
    assert info.status_code == 401
    assert info.json()["error"]["code"] == "access_token_invalid"
    refresh = post_token(
        server,
        refresh_form(first["refresh_token"]),
    )
    assert refresh["error"] == "invalid_grant"


def test_expired_code_by_moving_the_clock(server: LiveServer) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    server.advance(601)
    body = post_token(server, token_form(code))
    assert body == {
        "error": "invalid_grant",
        "error_description": "Authorization code is expired.",
        "log_id": body["log_id"],
    }


def test_code_still_valid_just_before_its_ttl(server: LiveServer) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    server.advance(590)
    assert "access_token" in post_token(server, token_form(code))


def _desktop_code(server: LiveServer, challenge: str) -> str:
    location = requests.get(
        authorize_url(
            server.url,
            client_key=DESK_KEY,
            redirect_uri="http://localhost:8123/callback",
            scope="user.info.basic",
            code_challenge=challenge,
            code_challenge_method="S256",
            mock_user="lena.schmidt",
        ),
        allow_redirects=False,
        timeout=10,
    ).headers["Location"]
    return query(location)["code"]


def _desktop_form(code: str, **extra: str) -> dict[str, str]:
    return {
        "client_key": DESK_KEY,
        "client_secret": DESK_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": "http://localhost:8123/callback",
        **extra,
    }


@pytest.mark.parametrize(
    ("verifier_of", "words"),
    [
        ("missing", "must send its code_verifier"),
        ("other", "does not match"),
        ("challenge", "not the verifier itself"),
    ],
)
def test_pkce_errors(server: LiveServer, verifier_of: str, words: str) -> None:
    verifier, challenge = pkce_pair()
    code = _desktop_code(server, challenge)
    extra = {
        "missing": {},
        "other": {"code_verifier": pkce_pair()[0]},
        "challenge": {"code_verifier": challenge},
    }[verifier_of]
    body = post_token(server, _desktop_form(code, **extra))
    assert body["error"] == "invalid_request"
    assert body["error_description"].startswith("Code verifier or code challenge is invalid.")
    assert words in body["error_description"]


def test_old_refresh_token_after_rotation(server: LiveServer) -> None:
    first = post_token(server, token_form(get_code(requests.Session(), server.url)["code"]))
    second = post_token(server, refresh_form(first["refresh_token"]))
    assert second["refresh_token"] != first["refresh_token"]
    again = post_token(server, refresh_form(first["refresh_token"]))
    assert again["error"] == "invalid_grant" and "rotated" in again["error_description"]
    # The rotated-in token works, and the old access token lives until it expires.
    assert "access_token" in post_token(server, refresh_form(second["refresh_token"]))
    info = requests.get(
        f"{server.url}/v2/user/info/?fields=open_id",
        timeout=10,
        headers={"Authorization": f"Bearer {first['access_token']}"},
    )
    assert info.status_code == 200


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_user_info_errors(server: LiveServer) -> None:
    tokens = post_token(
        server,
        token_form(
            get_code(requests.Session(), server.url, scope="user.info.basic,user.info.profile")[
                "code"
            ]
        ),
    )
    url = f"{server.url}/v2/user/info/"

    def call(fields: str | None, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        params = {} if fields is None else {"fields": fields}
        answer = requests.get(url, params=params, headers=headers, timeout=10)
        return answer.status_code, answer.json()

    status, body = call("open_id,follower_count", bearer(tokens["access_token"]))
    assert (status, body["error"]["code"]) == (400, "scope_permission_missed")
    assert "follower_count" in body["error"]["message"]
    assert "user.info.stats" in body["error"]["message"]
    assert body["data"] == {}
    status, body = call("open_id,nickname", bearer(tokens["access_token"]))
    assert (status, body["error"]["code"]) == (400, "invalid_params")
    assert "nickname" in body["error"]["message"]
    status, body = call(None, bearer(tokens["access_token"]))
    assert (status, body["error"]["code"]) == (400, "invalid_params")
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        bearer("act.nope"),
        bearer(tokens["refresh_token"]),
    ):
        status, body = call("open_id", headers)
        assert (status, body["error"]["code"]) == (401, "access_token_invalid")
    client_token = post_token(
        server,
        {"client_key": WEB_KEY, "client_secret": WEB_SECRET, "grant_type": "client_credentials"},
    )
    assert list(client_token) == ["access_token", "expires_in", "token_type"]
    assert client_token["access_token"].startswith("clt.")
    status, body = call("open_id", bearer(client_token["access_token"]))
    assert (status, body["error"]["code"]) == (401, "access_token_invalid")
    assert "Client access tokens" in body["error"]["message"]

    server.advance(7201)
    status, body = call("open_id", bearer(tokens["access_token"]))
    assert (status, body["error"]["code"]) == (401, "access_token_invalid")
    assert "expired" in body["error"]["message"]


def test_revoked_token_at_user_info(server: LiveServer) -> None:
    tokens = post_token(server, token_form(get_code(requests.Session(), server.url)["code"]))
    answer = requests.post(
        f"{server.url}/v2/oauth/revoke/",
        timeout=10,
        data={"client_key": WEB_KEY, "client_secret": WEB_SECRET, "token": tokens["access_token"]},
    )
    assert answer.json() == {}
    info = requests.get(
        f"{server.url}/v2/user/info/?fields=open_id",
        timeout=10,
        headers=bearer(tokens["access_token"]),
    )
    assert info.status_code == 401 and "revoked" in info.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "status", "family"),
    [
        ("GET", "/v2/oauth/token/", 405, "oauth"),
        ("POST", "/v2/oauth/nothing/", 404, "oauth"),
        ("GET", "/v2/user/info", 404, "envelope"),
        ("DELETE", "/v2/user/info/", 405, "envelope"),
        ("GET", "/v2/user/nothing/", 404, "envelope"),
        ("POST", "/v2/auth/authorize/", 400, "page"),
        ("PUT", "/v2/auth/authorize/", 405, "page"),
        ("GET", "/_mock/nothing", 404, "control"),
        ("DELETE", "/_mock/clock", 405, "control"),
    ],
)
def test_framework_errors_answer_in_the_family_of_the_path(
    server: LiveServer, method: str, path: str, status: int, family: str
) -> None:
    answer = requests.request(method, server.url + path, timeout=10)
    assert answer.status_code == (200 if family == "oauth" and status == 400 else status)
    assert "Traceback" not in answer.text
    assert answer.headers["x-tt-logid"]
    if family == "oauth":
        assert set(answer.json()) == {"error", "error_description", "log_id"}
    elif family == "envelope":
        assert answer.json()["data"] == {} and answer.json()["error"]["code"] == "invalid_params"
    elif family == "page":
        assert answer.headers["Content-Type"].startswith("text/html")
    else:
        assert answer.json()["status"] == status


def test_oversized_body_is_413_in_the_oauth_family(server: LiveServer) -> None:
    answer = requests.post(
        f"{server.url}/v2/oauth/token/", timeout=10, data={"client_key": "x" * 2_000_000}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "invalid_request"
    assert "too large" in answer.json()["error_description"]
