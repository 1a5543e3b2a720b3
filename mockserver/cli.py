"""`tiktok-mock`: serve the mock under gunicorn, print the settings table, and talk to a running
mock: list its users, get an access token through the real OAuth flow."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from http.client import HTTPException
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from .settings import SettingsError, load_settings, markdown_table
from .testing import (
    DEFAULT_SCOPES,
    WEB_CLIENT_KEY,
    WEB_CLIENT_SECRET,
    WEB_REDIRECT_URI,
    FlowError,
    MockControl,
    MockControlError,
    get_token,
)

DEFAULT_URL = "http://127.0.0.1:8080"


def _serve_overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("host", "port", "workers", "db_path", "seed", "scenario", "worker_class", "access_log")
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve  # imported here: the client commands need no Flask or gunicorn

    serve(load_settings(_serve_overrides(args), config_file=args.config))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    print(markdown_table())
    return 0


class ClientFailure(Exception):
    """A client command could not do its job; the message is the one line for stderr."""


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ClientFailure(f"--url must be a base URL such as {DEFAULT_URL}, not {url!r}")
    return url.rstrip("/")


def _unreachable(url: str, exc: Exception) -> ClientFailure:
    """One line for a failed connection: nothing listening, or a broken answer."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, ConnectionRefusedError | socket.gaierror | TimeoutError):
        return ClientFailure(
            f"no mock server answers at {url} ({reason}); start one with `tiktok-mock serve`"
        )
    return ClientFailure(f"the connection to {url} failed ({reason!r}); is a fault rule active?")


def cmd_users(args: argparse.Namespace) -> int:
    url = _check_url(args.url)
    try:
        users = MockControl(url, admin_token=args.admin_token or None).users()
    except (OSError, HTTPException) as exc:
        raise _unreachable(url, exc) from None
    except MockControlError as exc:
        raise ClientFailure(f"{url}/_mock/users answered {exc}") from None
    rows = [("username", "open_id", "region", "persona")]
    rows += [(u["username"], u["open_id"], u["region"], u["persona"]) for u in users]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    url = _check_url(args.url)
    custom = args.client_key != WEB_CLIENT_KEY
    if custom and (args.client_secret is None or args.redirect_uri is None):
        raise ClientFailure("--client-key needs --client-secret and --redirect-uri too")
    try:
        answer = get_token(
            url,
            args.user,
            args.scopes,
            client_key=args.client_key,
            client_secret=args.client_secret or WEB_CLIENT_SECRET,
            redirect_uri=args.redirect_uri or WEB_REDIRECT_URI,
            code_verifier=secrets.token_urlsafe(48) if args.pkce else None,
        )
    except (OSError, HTTPException) as exc:
        raise _unreachable(url, exc) from None
    except FlowError as exc:
        raise ClientFailure(str(exc)) from None
    print(json.dumps(answer, indent=2) if args.json else answer["access_token"])
    return 0


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", default=DEFAULT_URL, help=f"the running mock (default {DEFAULT_URL})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tiktok-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock under gunicorn")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes")
    serve.add_argument("--db", dest="db_path", help="SQLite file for all state")
    serve.add_argument("--seed", type=int, help="seed of the one RNG")
    serve.add_argument("--config", help="TOML or JSON config file")
    serve.add_argument("--scenario", help="preset from fixtures/scenarios (settings + faults)")
    serve.add_argument("--worker-class", dest="worker_class", choices=("gthread", "sync"))
    serve.add_argument("--access-log", dest="access_log", choices=("off", "text", "json"))
    serve.set_defaults(func=cmd_serve)
    settings = sub.add_parser("settings", help="print every setting as a Markdown table")
    settings.set_defaults(func=cmd_settings)
    users = sub.add_parser("users", help="list the users of a running mock")
    _add_client_options(users)
    users.add_argument(
        "--admin-token",
        default=os.environ.get("TIKTOK_MOCK_ADMIN_TOKEN", ""),
        help="the server's admin_token, if set (default $TIKTOK_MOCK_ADMIN_TOKEN)",
    )
    users.set_defaults(func=cmd_users)
    token = sub.add_parser(
        "token", help="print an access token from the real authorize + token flow"
    )
    token.add_argument("--user", required=True, help="username or open_id to authorize as")
    token.add_argument(
        "--scopes", default=DEFAULT_SCOPES, help=f"comma separated (default {DEFAULT_SCOPES})"
    )
    _add_client_options(token)
    token.add_argument(
        "--client-key", default=WEB_CLIENT_KEY, help="default: the bundled web client"
    )
    token.add_argument("--client-secret", help="needed with --client-key")
    token.add_argument("--redirect-uri", help="needed with --client-key")
    token.add_argument("--pkce", action="store_true", help="send a hex S256 PKCE challenge")
    token.add_argument("--json", action="store_true", help="print the whole token JSON")
    token.set_defaults(func=cmd_token)
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except (SettingsError, ClientFailure) as exc:
        print(f"tiktok-mock: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
