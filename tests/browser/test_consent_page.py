"""The consent page in a real browser: pick a user, untick scopes, approve or cancel, and land
on the desktop app's loopback callback with what TikTok sends (README, "Authorize")."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from mockserver.testing import DESKTOP_CLIENT_KEY, DESKTOP_CLIENT_SECRET, MockServer
from tests import support
from tests.support import pkce_pair

if TYPE_CHECKING:
    from tests.browser.conftest import CallbackServer

pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed (pip install playwright pytest-playwright)",
)
pytest.importorskip(
    "pytest_playwright", reason="pytest-playwright is not installed (pip install pytest-playwright)"
)
if shutil.which("chromium") is None:
    # .ci/run installs Chromium and sets this: there a missing browser fails instead.
    assert os.environ.get("TIKTOK_MOCK_REQUIRE_BROWSER") != "1", "CI must have Chromium"
    pytest.skip(
        "no Chromium on PATH (apt-get install chromium fonts-liberation)", allow_module_level=True
    )

from playwright.sync_api import Locator, Page, expect  # noqa: E402 - only once the skips above passed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCOPES = "user.info.basic,user.info.profile,portability.all.single"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxy between us and 127.0.0.1
        yield session


def authorize_url(
    mock: MockServer,
    redirect_uri: str,
    *,
    scopes: str = SCOPES,
    client_key: str = DESKTOP_CLIENT_KEY,
) -> tuple[str, str, str]:
    """The authorize URL of the desktop client with hex S256 PKCE: (url, state, verifier)."""
    state = secrets.token_urlsafe(12)
    verifier, challenge = pkce_pair()
    url = support.authorize_url(
        mock.url,
        client_key=client_key,
        scope=scopes,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    return url, state, verifier


def open_consent(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200
    expect(page.locator("#consent")).to_be_visible()


def pick_user(page: Page, username: str) -> None:
    page.locator(f'input[name=user][data-username="{username}"]').check()


def scope_box(page: Page, scope: str) -> Locator:
    return page.locator(f'input[name=grant][value="{scope}"]')


def land_on(page: Page, callback: CallbackServer, button: str) -> dict[str, str]:
    """Click `button` and wait until the browser shows the callback; the query it received."""
    page.locator(button).click()
    page.wait_for_url(lambda url: url.startswith(callback.url + "?"))
    expect(page.locator("#received")).to_have_text("received")
    return callback.single()


def user_info(http: requests.Session, mock: MockServer, token: str, fields: str) -> dict[str, Any]:
    answer: dict[str, Any] = http.get(
        f"{mock.url}/v2/user/info/",
        params={"fields": fields},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    return answer


# `username` needs user.info.profile (as on TikTok): unticking it must make the field refused,
# unticking another scope must leave it readable.
@pytest.mark.parametrize("untick", ["user.info.profile", "portability.all.single"])
def test_approve_with_an_unticked_scope_redirects_with_a_code_for_the_rest(
    page: Page, mock: MockServer, callback: CallbackServer, http: requests.Session, untick: str
) -> None:
    url, state, verifier = authorize_url(mock, callback.url)
    open_consent(page, url)
    basic = scope_box(page, "user.info.basic")
    expect(basic).to_be_checked()
    expect(basic).to_be_disabled()  # required: cannot be unticked
    pick_user(page, "lena.schmidt")
    scope_box(page, untick).uncheck()
    expect(scope_box(page, untick)).not_to_be_checked()

    answer = land_on(page, callback, "#approve")

    assert set(answer) == {"code", "scopes", "state"}
    assert answer["state"] == state
    granted = answer["scopes"].split(",")
    assert untick not in granted
    assert sorted(granted) == sorted(s for s in SCOPES.split(",") if s != untick)

    token = http.post(
        f"{mock.url}/v2/oauth/token/",
        data={
            "client_key": DESKTOP_CLIENT_KEY,
            "client_secret": DESKTOP_CLIENT_SECRET,
            "code": answer["code"],
            "grant_type": "authorization_code",
            "redirect_uri": callback.url,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    assert "access_token" in token, token
    assert sorted(token["scope"].split(",")) == sorted(granted)
    access = token["access_token"]

    lena = mock.control.user("lena.schmidt")
    basic_info = user_info(http, mock, access, "open_id,display_name")
    assert basic_info["error"]["code"] == "ok", basic_info
    assert basic_info["data"]["user"]["open_id"] == lena["open_id"] == token["open_id"]

    by_username = user_info(http, mock, access, "username")
    if untick == "user.info.profile":
        assert by_username["error"]["code"] == "scope_permission_missed", by_username
        assert "user.info.profile" in by_username["error"]["message"]
    else:
        assert by_username["error"]["code"] == "ok", by_username
        assert by_username["data"]["user"]["username"] == "lena.schmidt"


def test_cancel_redirects_with_access_denied(
    page: Page, mock: MockServer, callback: CallbackServer
) -> None:
    url, state, _ = authorize_url(mock, callback.url)
    open_consent(page, url)

    answer = land_on(page, callback, "#deny")  # no user picked: Cancel needs none

    assert answer["error"] == "access_denied"
    assert answer["error_description"]
    assert answer["state"] == state
    assert "code" not in answer


def test_user_outside_the_eea_is_refused_portability(
    page: Page, mock: MockServer, callback: CallbackServer
) -> None:
    url, state, _ = authorize_url(mock, callback.url)
    open_consent(page, url)
    jake = page.locator('input[name=user][data-username="jake.miller"]')
    expect(jake).to_have_attribute("data-region", "US")
    pick_user(page, "jake.miller")

    answer = land_on(page, callback, "#approve")

    assert answer["error"] == "access_denied"
    assert "EEA" in answer["error_description"]
    assert answer["state"] == state
    assert "code" not in answer


def test_invalid_request_shows_the_error_page_and_never_redirects(
    page: Page, mock: MockServer, callback: CallbackServer
) -> None:
    url, _, _ = authorize_url(mock, callback.url, client_key="sbawnosuchapp00001")

    response = page.goto(url)

    assert response is not None and response.status == 400
    error = page.locator("#error")
    expect(error).to_have_attribute("data-parameter", "client_key")
    expect(error).to_contain_text("client_key")
    expect(page.locator("#consent")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert page.url == url
    assert callback.requests == []


def test_consent_page_screenshot(page: Page, mock: MockServer, callback: CallbackServer) -> None:
    url, _, _ = authorize_url(mock, callback.url)
    open_consent(page, url)
    # What the screenshot should show: every requested scope, the picker with regions, buttons.
    for scope in SCOPES.split(","):
        expect(scope_box(page, scope)).to_be_visible()
    expect(page.locator("input[name=user]")).to_have_count(len(mock.control.users()))
    expect(page.locator("#users .region.ineligible").first).to_contain_text("EEA")
    expect(page.locator("#approve")).to_have_text("Authorize")
    expect(page.locator("#deny")).to_have_text("Cancel")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "consent-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert callback.requests == []
