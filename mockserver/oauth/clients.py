"""Registered apps: client credentials, app type, redirect URIs (with TikTok's rules), scopes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from .scopes import SCOPES

APP_TYPES = ("web", "desktop")
MAX_REDIRECT_URIS = 10
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


class ClientError(ValueError):
    """A client registration breaks one of TikTok's rules; the message says which."""


@dataclass(frozen=True)
class Client:
    client_key: str
    client_secret: str
    name: str
    app_type: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    webhook_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["redirect_uris"] = list(self.redirect_uris)
        data["scopes"] = list(self.scopes)
        return data

    def redirect_registered(self, uri: str) -> bool:
        """True if `uri` equals a registered URI, with `*` matching any port for desktop apps."""
        if uri in self.redirect_uris:
            return True
        if self.app_type != "desktop":
            return False
        try:
            asked = urlsplit(uri)
            asked_port = asked.port
        except ValueError:
            return False
        for registered in self.redirect_uris:
            reg = urlsplit(registered.replace(":*", ":0", 1))
            if (
                ":*" in registered
                and asked_port is not None
                and asked.scheme == reg.scheme
                and asked.hostname == reg.hostname
                and asked.path == reg.path
                and "?" not in uri  # even an empty query or fragment would move the code
                and "#" not in uri
                and not asked.query
                and not asked.fragment
                and not asked.username
            ):
                return True
        return False


def check_redirect_uri(uri: str, app_type: str) -> None:
    """Raise ClientError unless `uri` may be registered for this app type (reference §2.1)."""
    try:
        parts = urlsplit(uri)
        port_text = parts.netloc.rsplit(":", 1)[1] if ":" in parts.netloc else ""
        if port_text != "*":
            _ = parts.port  # raises on a malformed port
    except ValueError:
        raise ClientError(f"redirect URI {uri!r} is not a valid URL") from None
    if not parts.scheme or not parts.netloc:
        raise ClientError(f"redirect URI {uri!r} must be absolute")
    if parts.query or parts.fragment:
        raise ClientError(f"redirect URI {uri!r} must not have a query or fragment")
    loopback = parts.hostname in _LOOPBACK_HOSTS
    if app_type == "web":
        if parts.scheme != "https":
            raise ClientError(f"web app redirect URI {uri!r} must use https")
        if port_text == "*":
            raise ClientError(f"web app redirect URI {uri!r}: wildcard ports are for desktop apps")
    elif parts.scheme == "http" and not loopback:
        raise ClientError(
            f"desktop app redirect URI {uri!r}: http is allowed only for localhost or 127.0.0.1"
        )
    elif port_text == "*" and not loopback:
        raise ClientError(
            f"desktop app redirect URI {uri!r}: a wildcard port needs localhost or 127.0.0.1"
        )


def build_client(data: Mapping[str, Any]) -> Client:
    """Validate a registration (from fixtures or the control API) and return the client."""
    app_type = data.get("app_type", "web")
    if app_type not in APP_TYPES:
        raise ClientError(f"app_type must be one of {', '.join(APP_TYPES)}, got {app_type!r}")
    uris = tuple(data.get("redirect_uris") or ())
    if not uris:
        raise ClientError("redirect_uris: register at least one redirect URI")
    if len(uris) > MAX_REDIRECT_URIS:
        raise ClientError(
            f"redirect_uris: at most {MAX_REDIRECT_URIS} are allowed, got {len(uris)}"
        )
    for uri in uris:
        check_redirect_uri(uri, app_type)
    scopes = tuple(data.get("scopes") or ("user.info.basic",))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ClientError(
            f"scopes: unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}"
        )
    if "user.info.basic" not in scopes:
        scopes = ("user.info.basic", *scopes)
    return Client(
        client_key=str(data["client_key"]),
        client_secret=str(data["client_secret"]),
        name=str(data.get("name") or data["client_key"]),
        app_type=app_type,
        redirect_uris=uris,
        scopes=scopes,
        webhook_url=data.get("webhook_url"),
    )


def _from_row(row: sqlite3.Row) -> Client:
    return Client(
        client_key=row["client_key"],
        client_secret=row["client_secret"],
        name=row["name"],
        app_type=row["app_type"],
        redirect_uris=tuple(json.loads(row["redirect_uris"])),
        scopes=tuple(json.loads(row["scopes"])),
        webhook_url=row["webhook_url"],
    )


def get_client(conn: sqlite3.Connection, client_key: str) -> Client | None:
    row = conn.execute("SELECT * FROM clients WHERE client_key = ?", (client_key,)).fetchone()
    return None if row is None else _from_row(row)


def list_clients(conn: sqlite3.Connection) -> list[Client]:
    return [_from_row(r) for r in conn.execute("SELECT * FROM clients ORDER BY rowid")]


def insert_client(conn: sqlite3.Connection, client: Client) -> None:
    """Store a new client; ClientError if the key is taken."""
    try:
        conn.execute(
            "INSERT INTO clients (client_key, client_secret, name, app_type, redirect_uris, "
            "scopes, webhook_url) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                client.client_key,
                client.client_secret,
                client.name,
                client.app_type,
                json.dumps(list(client.redirect_uris)),
                json.dumps(list(client.scopes)),
                client.webhook_url,
            ),
        )
    except sqlite3.IntegrityError:
        raise ClientError(f"client_key {client.client_key!r} is already registered") from None
