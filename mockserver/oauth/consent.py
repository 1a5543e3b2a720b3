"""The consent step of `/v2/auth/authorize/`: validate the request, then approve or deny.

Invalid requests (unknown client, unregistered redirect_uri, unenabled scope…) never
redirect: TikTok shows an error page. Valid ones end in a redirect to the app carrying
`code`, `scopes` and `state`, or `error=access_denied` (reference §2.1, §5.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..errors import AuthorizePageError
from ..journal.recorder import observe
from ..state import MockState
from ..users.regions import portability_refusal
from ..users.store import find_user
from .clients import Client, get_client
from .grants import issue_code
from .scopes import ALWAYS_GRANTED, SCOPES, is_portability, join_scopes, parse_scope_list

DENIED_BY_USER = "The user denied the authorization request."


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated authorization request."""

    client: Client
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    disable_auto_auth: bool

    def hidden_fields(self) -> dict[str, str]:
        """The query parameters the consent form posts back."""
        fields = {
            "client_key": self.client.client_key,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": join_scopes(list(self.scopes)),
        }
        for name in ("state", "code_challenge", "code_challenge_method"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        return fields


def validate(st: MockState, params: Mapping[str, str]) -> AuthorizeRequest:
    """Check every authorize parameter; AuthorizePageError names the first bad one."""
    client_key = params.get("client_key", "")
    if not client_key:
        hint = (
            " TikTok calls the OAuth client id `client_key`; `client_id` is ignored."
            if params.get("client_id")
            else ""
        )
        if hint:
            observe("client_id_instead_of_client_key", "authorize got client_id, no client_key")
        raise AuthorizePageError("client_key", f"client_key is missing.{hint}")
    client = get_client(st.db.connect(), client_key)
    if client is None:
        raise AuthorizePageError(
            "client_key",
            f"client_key {client_key!r} is not a registered app.",
            error="invalid_client",
        )
    response_type = params.get("response_type", "")
    if response_type != "code":
        raise AuthorizePageError(
            "response_type",
            f"response_type must be `code`, got {response_type!r}.",
            error="unsupported_response_type",
        )
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise AuthorizePageError("redirect_uri", "redirect_uri is missing.")
    if not client.redirect_registered(redirect_uri):
        raise AuthorizePageError(
            "redirect_uri",
            f"redirect_uri {redirect_uri!r} is not registered for this app. "
            f"Registered: {', '.join(client.redirect_uris)}. The match is exact"
            + (" (a `*` port matches any port)." if client.app_type == "desktop" else "."),
        )
    raw_scope = params.get("scope", "")
    scopes = parse_scope_list(raw_scope)
    if not scopes:
        raise AuthorizePageError(
            "scope",
            "scope is missing: send a comma-separated list such "
            "as user.info.basic,portability.all.single.",
        )
    for name in scopes:
        if name not in SCOPES:
            hint = " Separate scopes with commas, not spaces." if " " in name else ""
            if hint:
                observe("scopes_space_separated", f"scope={raw_scope!r}")
            raise AuthorizePageError(
                "scope",
                f"scope {name!r} does not exist.{hint}",
                error="invalid_scope",
                error_type="scope",
            )
        if name not in client.scopes:
            raise AuthorizePageError(
                "scope",
                f"scope {name!r} is not enabled for this app. Enabled: {', '.join(client.scopes)}.",
                error="invalid_scope",
                error_type="scope",
            )
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is not None and method != "S256":
        raise AuthorizePageError(
            "code_challenge_method",
            f"code_challenge_method must be S256 when a code_challenge is sent, got {method!r}.",
        )
    if challenge is None and method is not None:
        raise AuthorizePageError(
            "code_challenge", "code_challenge_method was sent without a code_challenge."
        )
    if challenge is None and client.app_type == "desktop":
        raise AuthorizePageError(
            "code_challenge",
            "Desktop apps must use PKCE: send "
            "code_challenge (hex SHA-256 of your code_verifier) and "
            "code_challenge_method=S256.",
        )
    return AuthorizeRequest(
        client=client,
        redirect_uri=redirect_uri,
        scopes=tuple(scopes),
        state=params.get("state"),
        code_challenge=challenge,
        code_challenge_method=method,
        disable_auto_auth=params.get("disable_auto_auth") == "1",
    )


def _redirect(req: AuthorizeRequest, params: dict[str, str]) -> str:
    if req.state is not None:
        params["state"] = req.state
    return f"{req.redirect_uri}?{urlencode(params)}"


def deny(req: AuthorizeRequest, description: str = DENIED_BY_USER) -> str:
    """The redirect of a denied or refused authorization."""
    return _redirect(req, {"error": "access_denied", "error_description": description})


def granted_scopes(req: AuthorizeRequest, chosen: list[str] | None, parameter: str) -> list[str]:
    """The scopes a decision grants: the chosen toggleable ones plus the mandatory ones."""
    if chosen is None:
        chosen = list(req.scopes)
    extra = [s for s in chosen if s not in req.scopes]
    if extra:
        raise AuthorizePageError(
            parameter,
            f"{parameter} may only hold requested scopes; {', '.join(extra)} was not requested.",
        )
    granted = [ALWAYS_GRANTED]
    for name in req.scopes:
        if name != ALWAYS_GRANTED and (name in chosen or not SCOPES[name].toggleable):
            granted.append(name)
    return granted


def approve(
    st: MockState,
    req: AuthorizeRequest,
    user_ref: str,
    chosen: list[str] | None,
    now: float,
    parameter: str = "user",
) -> str:
    """Grant `chosen` (None = all requested) as the user and return the redirect URL."""
    conn = st.db.connect()
    user = find_user(conn, user_ref)
    if user is None:
        raise AuthorizePageError(
            parameter,
            f"no user with open_id or username {user_ref!r}; GET /_mock/users lists them.",
        )
    scopes = granted_scopes(req, chosen, "mock_scopes" if parameter == "mock_user" else "grant")
    refusal = region_refusal(st, user, scopes)
    if refusal is not None:
        return deny(req, refusal)
    with st.db.transaction() as tx:
        code = issue_code(
            st,
            tx,
            req.client,
            user["open_id"],
            scopes,
            req.redirect_uri,
            req.code_challenge,
            req.code_challenge_method,
            now,
        )
    return _redirect(req, {"code": code, "scopes": join_scopes(scopes)})


def region_refusal(st: MockState, user: Mapping[str, Any], scopes: list[str]) -> str | None:
    """Why the consent page refuses this user, under the `deny_at_consent` region policy."""
    if st.settings.region_policy != "deny_at_consent":
        return None
    if not any(is_portability(s) for s in scopes):
        return None
    return portability_refusal(user["region"])
