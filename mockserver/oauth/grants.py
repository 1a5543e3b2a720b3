"""The domain core of Login Kit: codes, grants, access and refresh tokens (reference §2.2–2.4).

A grant is one user's authorization of one app; its tokens hang off it, so revoking the
grant (revoke endpoint, reused code) kills every token issued under it. Single-use things
are consumed by one conditional UPDATE: the rowcount says who won.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..errors import AccessTokenInvalid, InvalidGrant, InvalidRequest
from ..journal.recorder import annotate, observe
from ..state import MockState
from ..webhooks.events import REMOVED, enqueue
from . import pkce
from .clients import Client
from .scopes import join_scopes, parse_scope_list


@dataclass(frozen=True)
class TokenProfile:
    access_ttl: int
    refresh_ttl: int
    rotate_refresh: bool


PROFILES = {
    "current": TokenProfile(access_ttl=7200, refresh_ttl=15_552_000, rotate_refresh=True),
    "legacy": TokenProfile(access_ttl=86_400, refresh_ttl=31_536_000, rotate_refresh=False),
}
CLIENT_TOKEN_TTL = 7200
CODE_EXPIRED = "Authorization code is expired."
REFRESH_INVALID = "Refresh token is invalid or expired."


@dataclass(frozen=True)
class AccessToken:
    """A valid user access token, as the resource endpoints see it."""

    token: str
    client_key: str
    open_id: str
    scopes: tuple[str, ...]
    grant_id: int


def issue_code(
    st: MockState,
    conn: sqlite3.Connection,
    client: Client,
    open_id: str,
    scopes: list[str],
    redirect_uri: str,
    challenge: str | None,
    method: str | None,
    now: float,
) -> str:
    """Store a new authorization code for an approved consent and return it."""
    code = st.ids.auth_code(conn)
    conn.execute(
        "INSERT INTO auth_codes (code, client_key, open_id, scopes, redirect_uri, code_challenge,"
        " code_challenge_method, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            client.client_key,
            open_id,
            join_scopes(scopes),
            redirect_uri,
            challenge,
            method,
            now,
            now + st.settings.auth_code_ttl,
        ),
    )
    return code


def _issue_tokens(
    st: MockState,
    conn: sqlite3.Connection,
    grant_id: int,
    client_key: str,
    open_id: str,
    scopes: str,
    now: float,
) -> tuple[str, str]:
    profile = PROFILES[st.settings.token_profile]
    access = st.ids.access_token(conn)
    refresh = st.ids.refresh_token(conn)
    conn.execute(
        "INSERT INTO access_tokens (token, grant_id, client_key, open_id, scopes, "
        "issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (access, grant_id, client_key, open_id, scopes, now, now + profile.access_ttl),
    )
    conn.execute(
        "INSERT INTO refresh_tokens (token, grant_id, client_key, issued_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (refresh, grant_id, client_key, now, now + profile.refresh_ttl),
    )
    return access, refresh


def _token_response(
    access: str, access_left: float, open_id: str, refresh: str, refresh_left: float, scopes: str
) -> dict[str, Any]:
    # Key order as TikTok sends it; lifetimes are the seconds remaining.
    return {
        "access_token": access,
        "expires_in": int(access_left),
        "open_id": open_id,
        "refresh_expires_in": int(refresh_left),
        "refresh_token": refresh,
        "scope": scopes,
        "token_type": "Bearer",
    }


def revoke_grant(conn: sqlite3.Connection, grant_id: int, now: float, reason: str) -> None:
    conn.execute(
        "UPDATE grants SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
        (now, reason, grant_id),
    )
    conn.execute(
        "UPDATE access_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
        (now, grant_id),
    )
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
        (now, grant_id),
    )


def redeem_code(
    st: MockState,
    client: Client,
    code: str,
    redirect_uri: str | None,
    verifier: str | None,
    now: float,
) -> dict[str, Any]:
    """The authorization_code grant: one code, one set of tokens, exactly once."""
    conn = st.db.connect()
    row = conn.execute("SELECT * FROM auth_codes WHERE code = ?", (code,)).fetchone()
    if row is None or row["client_key"] != client.client_key:
        raise InvalidGrant(
            f"{CODE_EXPIRED} This code was not issued to client_key "
            f"{client.client_key!r}; redeem the code from the latest redirect."
        )
    if row["redeemed_at"] is None and row["expires_at"] <= now:
        raise InvalidGrant(CODE_EXPIRED)
    if row["redeemed_at"] is None:
        if not redirect_uri:
            raise InvalidRequest("Redirect_uri is missed in request.")
        if redirect_uri != row["redirect_uri"]:
            observe("redirect_uri_mismatch", f"{redirect_uri!r} != {row['redirect_uri']!r}")
            raise InvalidRequest("Redirect_uri is not matched with the uri when requesting code.")
        if row["code_challenge"]:
            try:
                pkce.verify(row["code_challenge"], verifier, st.settings.pkce_encoding)
            except pkce.PkceError as exc:
                observe(pkce.mistake(str(exc)), str(exc))
                raise InvalidRequest(str(exc)) from None
    again: sqlite3.Row | None = None
    with st.db.transaction() as tx:
        won = tx.execute(
            "UPDATE auth_codes SET redeemed_at = ? WHERE code = ? "
            "AND redeemed_at IS NULL AND expires_at > ?",
            (now, code, now),
        ).rowcount
        if won:
            grant_id = tx.execute(
                "INSERT INTO grants (client_key, open_id, scopes, created_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (client.client_key, row["open_id"], row["scopes"], now),
            ).fetchone()[0]
            tx.execute("UPDATE auth_codes SET grant_id = ? WHERE code = ?", (grant_id, code))
            access, refresh = _issue_tokens(
                st, tx, grant_id, client.client_key, row["open_id"], row["scopes"], now
            )
        else:
            again = tx.execute(
                "SELECT redeemed_at, grant_id FROM auth_codes WHERE code = ?", (code,)
            ).fetchone()
            if again["grant_id"] is not None:
                revoke_grant(tx, again["grant_id"], now, "authorization code reused")
    if not won:
        if again is None or again["redeemed_at"] is None:
            raise InvalidGrant(CODE_EXPIRED)
        observe("code_reused", "an authorization code was redeemed twice; its grant is revoked")
        raise InvalidGrant(
            f"{CODE_EXPIRED} It was already redeemed: a code is single use, and "
            "the tokens issued from it have now been revoked."
        )
    profile = PROFILES[st.settings.token_profile]
    return _token_response(
        access, profile.access_ttl, row["open_id"], refresh, profile.refresh_ttl, row["scopes"]
    )


def refresh_tokens(st: MockState, client: Client, refresh_token: str, now: float) -> dict[str, Any]:
    """The refresh_token grant; in the `current` profile the old refresh token dies (rotation)."""
    conn = st.db.connect()
    row = conn.execute(
        "SELECT r.*, g.open_id, g.scopes, g.revoked_at AS grant_revoked FROM refresh_tokens r "
        "JOIN grants g ON g.id = r.grant_id WHERE r.token = ?",
        (refresh_token,),
    ).fetchone()
    if row is None or row["client_key"] != client.client_key:
        raise InvalidGrant(
            f"{REFRESH_INVALID} No such refresh token for client_key {client.client_key!r}."
        )
    if row["revoked_at"] is not None or row["grant_revoked"] is not None:
        raise InvalidGrant(
            f"{REFRESH_INVALID} The authorization was revoked; send the user "
            "through /v2/auth/authorize/ again."
        )
    if row["rotated_at"] is not None:
        observe("refresh_token_reused", "a refresh token was used after it was rotated")
        raise InvalidGrant(
            f"{REFRESH_INVALID} This refresh token was rotated: use the "
            "refresh_token returned by the latest refresh."
        )
    if row["expires_at"] <= now:
        raise InvalidGrant(
            f"{REFRESH_INVALID} It expired; send the user through /v2/auth/authorize/ again."
        )
    profile = PROFILES[st.settings.token_profile]
    with st.db.transaction() as tx:
        if profile.rotate_refresh:
            won = tx.execute(
                "UPDATE refresh_tokens SET rotated_at = ? WHERE token = ? AND "
                "rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                (now, refresh_token, now),
            ).rowcount
            if not won:
                raise InvalidGrant(
                    f"{REFRESH_INVALID} This refresh token was rotated: use the "
                    "refresh_token returned by the latest refresh."
                )
            access, refresh = _issue_tokens(
                st, tx, row["grant_id"], client.client_key, row["open_id"], row["scopes"], now
            )
            refresh_left = float(profile.refresh_ttl)
        else:
            access = st.ids.access_token(tx)
            tx.execute(
                "INSERT INTO access_tokens (token, grant_id, client_key, open_id, scopes, "
                "issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    access,
                    row["grant_id"],
                    client.client_key,
                    row["open_id"],
                    row["scopes"],
                    now,
                    now + profile.access_ttl,
                ),
            )
            refresh, refresh_left = refresh_token, row["expires_at"] - now
    return _token_response(
        access, profile.access_ttl, row["open_id"], refresh, refresh_left, row["scopes"]
    )


def client_credentials(st: MockState, client: Client, now: float) -> dict[str, Any]:
    """A `clt.` client token: no user, no refresh token, 7200 s."""
    with st.db.transaction() as tx:
        token = st.ids.client_token(tx)
        tx.execute(
            "INSERT INTO access_tokens (token, client_key, open_id, scopes, issued_at, "
            "expires_at) VALUES (?, ?, NULL, '', ?, ?)",
            (token, client.client_key, now, now + CLIENT_TOKEN_TTL),
        )
    return {"access_token": token, "expires_in": CLIENT_TOKEN_TTL, "token_type": "Bearer"}


def revoke(st: MockState, client: Client, token: str, now: float) -> None:
    """Revoke the grant behind an access token (or a lone client token)."""
    conn = st.db.connect()
    row = conn.execute(
        "SELECT grant_id, client_key FROM access_tokens WHERE token = ?", (token,)
    ).fetchone()
    if row is None or row["client_key"] != client.client_key:
        if token.startswith("rft."):
            raise InvalidRequest(
                "The request parameters are malformed. Send the access token "
                "(act.…) as `token`, not the refresh token."
            )
        raise InvalidRequest(
            f"The request parameters are malformed. `token` is not an access "
            f"token issued to client_key {client.client_key!r}."
        )
    with st.db.transaction() as tx:
        if row["grant_id"] is not None:
            open_id = tx.execute(
                "SELECT open_id FROM grants WHERE id = ? AND revoked_at IS NULL",
                (row["grant_id"],),
            ).fetchone()
            if open_id is not None:  # revoking twice notifies once
                enqueue(
                    st, tx, client.client_key, REMOVED, open_id[0], {"reason": 5}, now
                )  # 5: developer revoked [doc]
        if row["grant_id"] is None:
            tx.execute(
                "UPDATE access_tokens SET revoked_at = ? WHERE token = ? AND revoked_at IS NULL",
                (now, token),
            )
        else:
            revoke_grant(tx, row["grant_id"], now, "developer revoked")


def valid_bearer(st: MockState, authorization: str | None, now: float) -> AccessToken | None:
    """The user access token of a well-formed, live `Bearer` header, else None; no side
    effects (no journal notes), so a caller may ask before committing to an answer."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    row, access = st.db.cached(("access_token", token), partial(_load_bearer, token=token))
    if row is None or access is None or row["revoked_at"] is not None:
        return None
    return access if row["expires_at"] > now else None


def authenticate_bearer(st: MockState, authorization: str | None, now: float) -> AccessToken:
    """The user access token of an `Authorization: Bearer` header, or AccessTokenInvalid
    saying why not."""
    access = valid_bearer(st, authorization, now)
    if access is None:
        raise _refusal(st, authorization, now)
    annotate(client_key=access.client_key, open_id=access.open_id)
    return access


def _refusal(st: MockState, authorization: str | None, now: float) -> AccessTokenInvalid:
    """What `valid_bearer` held against the header, noting the client's mistake."""
    base = AccessTokenInvalid.description
    if not authorization:
        return AccessTokenInvalid(f"{base} Send `Authorization: Bearer <access_token>`.")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return AccessTokenInvalid(f"{base} The Authorization header must be `Bearer <token>`.")
    row, _ = st.db.cached(("access_token", token), partial(_load_bearer, token=token))
    if row is None:
        hint = " That is a refresh token." if token.startswith("rft.") else ""
        if hint:
            observe("refresh_token_as_bearer", "a refresh token was sent as the bearer token")
        return AccessTokenInvalid(f"{base}{hint}")
    if row["open_id"] is None:
        observe("client_token_at_user_endpoint", "a clt. client token called a user endpoint")
        return AccessTokenInvalid(
            f"{base} Client access tokens (clt.) cannot call user "
            "endpoints; use the user's access token."
        )
    if row["revoked_at"] is not None:
        return AccessTokenInvalid(f"{base} The token was revoked.")
    observe("expired_access_token", "an expired access token was used instead of refreshed")
    return AccessTokenInvalid(f"{base} The token expired; refresh it with the refresh_token grant.")


def _load_bearer(
    conn: sqlite3.Connection, token: str
) -> tuple[sqlite3.Row | None, AccessToken | None]:
    """A token's row, and the AccessToken it stands for when it is a user token."""
    row = conn.execute(
        "SELECT token, grant_id, client_key, open_id, scopes, expires_at, revoked_at "
        "FROM access_tokens WHERE token = ?",
        (token,),
    ).fetchone()
    if row is None or row["open_id"] is None:
        return row, None
    return row, AccessToken(
        token=row["token"],
        client_key=row["client_key"],
        open_id=row["open_id"],
        scopes=tuple(parse_scope_list(row["scopes"])),
        grant_id=row["grant_id"],
    )
