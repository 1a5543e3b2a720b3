"""Full Login Kit flows through real HTTP against `tiktok-mock serve` with several workers,
driven by a real OAuth client library (Authlib) configured the way TikTok needs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.support import (
    DESK_KEY,
    DESK_SECRET,
    WEB_KEY,
    WEB_REDIRECT,
    WEB_SECRET,
    LiveServer,
    authorize_url,
    pkce_pair,
    query,
    refresh_form,
)

TOKEN_KEYS = [
    "access_token",
    "expires_in",
    "open_id",
    "refresh_expires_in",
    "refresh_token",
    "scope",
    "token_type",
]
ACCESS_RE = re.compile(r"^act\.[A-Za-z0-9]{60}![0-9]{4}\.va$")
REFRESH_RE = re.compile(r"^rft\.[A-Za-z0-9]{60}![0-9]{4}\.va$")
LOG_ID_RE = re.compile(r"^20\d{12}[0-9A-F]{20}$")


def tiktok_session(key: str, secret: str, redirect_uri: str, scope: str) -> OAuth2Session:
    """Authlib set up for TikTok: secrets in the form body, `client_key` beside `client_id`."""
    session = OAuth2Session(
        client_id=key,
        client_secret=secret,
        scope=scope,
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="client_secret_post",
        revocation_endpoint_auth_method="client_secret_post",
    )

    def add_client_key(url: str, headers: dict[str, str], body: str) -> tuple[Any, Any, str]:
        return url, headers, f"{body}&client_key={key}"

    session.register_compliance_hook("revoke_token_request", add_client_key)
    return session


def assert_envelope_ok(body: dict[str, Any]) -> None:
    assert body["error"]["code"] == "ok"
    assert body["error"]["message"] == ""
    assert LOG_ID_RE.match(body["error"]["log_id"])


def test_web_flow_with_authlib(server: LiveServer) -> None:
    scope = "user.info.basic,user.info.profile,portability.all.single"
    oauth = tiktok_session(WEB_KEY, WEB_SECRET, WEB_REDIRECT, scope)
    url, state = oauth.create_authorization_url(
        f"{server.url}/v2/auth/authorize/", client_key=WEB_KEY, mock_user="lena.schmidt"
    )
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(WEB_REDIRECT + "?")
    params = query(location)
    assert params["state"] == state
    assert params["scopes"] == scope

    raw = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data={
            "client_key": WEB_KEY,
            "client_secret": WEB_SECRET,
            "code": params["code"],
            "grant_type": "authorization_code",
            "redirect_uri": WEB_REDIRECT,
        },
    )
    # Authlib redeems a second code below; this first one shows the raw wire shape.
    assert raw.headers["Cache-Control"] == "no-store"
    assert LOG_ID_RE.match(raw.headers["x-tt-logid"])
    body = raw.json()
    assert list(body) == TOKEN_KEYS
    assert ACCESS_RE.match(body["access_token"]) and REFRESH_RE.match(body["refresh_token"])
    assert (body["expires_in"], body["refresh_expires_in"]) == (7200, 15552000)
    assert body["token_type"] == "Bearer" and body["scope"] == scope

    url, state = oauth.create_authorization_url(
        f"{server.url}/v2/auth/authorize/", client_key=WEB_KEY, mock_user="lena.schmidt"
    )
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    token = oauth.fetch_token(
        f"{server.url}/v2/oauth/token/", authorization_response=location, client_key=WEB_KEY
    )
    assert token["open_id"] == body["open_id"]

    info = oauth.get(
        f"{server.url}/v2/user/info/",
        params={"fields": "open_id,union_id,display_name,username,avatar_url"},
    )
    assert info.status_code == 200
    payload = info.json()
    assert_envelope_ok(payload)
    assert list(payload["data"]["user"]) == [
        "open_id",
        "union_id",
        "display_name",
        "username",
        "avatar_url",
    ]
    assert payload["data"]["user"]["username"] == "lena.schmidt"
    assert payload["data"]["user"]["open_id"].startswith("-000")

    old_refresh = token["refresh_token"]
    refreshed = oauth.refresh_token(
        f"{server.url}/v2/oauth/token/", refresh_token=old_refresh, client_key=WEB_KEY
    )
    assert refreshed["refresh_token"] != old_refresh
    assert refreshed["access_token"] != token["access_token"]
    reuse = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data=refresh_form(old_refresh),
    ).json()
    assert reuse["error"] == "invalid_grant"
    assert "rotated" in reuse["error_description"]

    revoked = oauth.revoke_token(f"{server.url}/v2/oauth/revoke/", token=refreshed["access_token"])
    assert revoked.status_code == 200 and revoked.json() == {}
    after = oauth.get(f"{server.url}/v2/user/info/", params={"fields": "open_id"})
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "access_token_invalid"
    dead_refresh = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data=refresh_form(refreshed["refresh_token"]),
    ).json()
    assert dead_refresh["error"] == "invalid_grant"


class _FormParser(HTMLParser):
    """Collects the consent form's inputs as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.inputs: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag in ("input", "button"):
            self.inputs.append(a)


def test_consent_page_form_posted_like_a_browser(server: LiveServer) -> None:
    page = requests.get(
        authorize_url(server.url, scope="user.info.basic,user.info.profile,user.info.stats"),
        timeout=10,
    )
    assert page.status_code == 200
    assert "Mock Web Exporter" in page.text
    assert "Read your statistics" in page.text
    form = _FormParser()
    form.feed(page.text)
    assert form.action == "/v2/auth/authorize/"
    hidden = [(i["name"], i["value"]) for i in form.inputs if i.get("type") == "hidden"]
    boxes = [i for i in form.inputs if i.get("name") == "grant"]
    assert {b["value"] for b in boxes} == {
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
    }
    assert [b["value"] for b in boxes if "disabled" in b] == ["user.info.basic"]
    users = {i["data-username"]: i for i in form.inputs if i.get("name") == "user"}
    assert users["oliver.bennett"]["data-region"] == "GB"
    # Untick user.info.stats; a disabled box is not submitted, as in a browser.
    fields = [
        *hidden,
        ("grant", "user.info.profile"),
        ("user", users["oliver.bennett"]["value"]),
        ("decision", "approve"),
    ]
    answer = requests.post(server.url + form.action, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    params = query(answer.headers["Location"])
    assert params["scopes"] == "user.info.basic,user.info.profile"
    assert params["state"] == "st-123"

    denied = requests.post(
        server.url + form.action,
        data=[*hidden, ("decision", "deny")],
        allow_redirects=False,
        timeout=10,
    )
    params = query(denied.headers["Location"])
    assert params["error"] == "access_denied" and params["state"] == "st-123"
    assert params["error_description"]


def test_desktop_pkce_flow_with_authlib(server: LiveServer) -> None:
    verifier, challenge = pkce_pair()
    redirect = "http://127.0.0.1:53682/callback"  # any port matches the registered `*`
    oauth = tiktok_session(DESK_KEY, DESK_SECRET, redirect, "user.info.basic,user.info.profile")
    # Authlib's own S256 is base64url; TikTok wants hex, so the challenge is passed explicitly.
    url, _ = oauth.create_authorization_url(
        f"{server.url}/v2/auth/authorize/",
        client_key=DESK_KEY,
        mock_user="camille.martin",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    assert location.startswith(redirect + "?")
    token = oauth.fetch_token(
        f"{server.url}/v2/oauth/token/",
        authorization_response=location,
        client_key=DESK_KEY,
        code_verifier=verifier,
    )
    assert token["scope"] == "user.info.basic,user.info.profile"
    info = oauth.get(f"{server.url}/v2/user/info/", params={"fields": "username,is_verified"})
    assert info.json()["data"]["user"] == {"username": "camille.martin", "is_verified": False}


def test_authlib_default_base64url_pkce_is_refused_with_a_hex_hint(server: LiveServer) -> None:
    redirect = "http://localhost:8000/callback"
    oauth = OAuth2Session(
        client_id=DESK_KEY,
        client_secret=DESK_SECRET,
        redirect_uri=redirect,
        scope="user.info.basic",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )
    verifier = "v" * 43 + "Xy-._~"
    url, _ = oauth.create_authorization_url(
        f"{server.url}/v2/auth/authorize/",
        code_verifier=verifier,
        client_key=DESK_KEY,
        mock_user="camille.martin",
    )
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    answer = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data={
            "client_key": DESK_KEY,
            "client_secret": DESK_SECRET,
            "code": query(location)["code"],
            "grant_type": "authorization_code",
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
    )
    body = answer.json()
    assert answer.status_code == 200  # TikTok's observed status for OAuth errors
    assert body["error"] == "invalid_request"
    assert body["error_description"].startswith("Code verifier or code challenge is invalid.")
    assert "hex" in body["error_description"]


@pytest.mark.parametrize("user", ["lena.schmidt", "oliver.bennett"])
def test_eea_and_uk_users_get_portability_scopes(server: LiveServer, user: str) -> None:
    answer = requests.get(
        authorize_url(server.url, mock_user=user), allow_redirects=False, timeout=10
    )
    assert "portability.all.single" in query(answer.headers["Location"])["scopes"]


@pytest.mark.parametrize("user", ["jake.miller", "ana.souza", "priya.sharma"])
def test_non_eea_users_are_refused_at_consent(server: LiveServer, user: str) -> None:
    answer = requests.get(
        authorize_url(server.url, mock_user=user), allow_redirects=False, timeout=10
    )
    params = query(answer.headers["Location"])
    assert params["error"] == "access_denied"
    assert "EEA" in params["error_description"]
    assert params["state"] == "st-123"
