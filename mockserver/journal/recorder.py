"""The request journal: one row per call to the emulated API, written after the response.

Views and domain code tag the current request (`annotate`) with what they learn (client_key,
open_id, request_id, error code, injected fault); `record` stores it with status and latency.
`observe` notes a client mistake tied to this request's `log_id`, for diagnostics.
"""

from __future__ import annotations

import time
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from ..state import log_id, now, state

# Flask endpoint → the short names used by the journal, fault rules and rate limits.
ENDPOINTS = {
    "oauth.authorize": "authorize",
    "oauth.authorize_decision": "authorize",
    "oauth.token": "token",
    "oauth.revoke": "revoke",
    "user_info.user_info": "user_info",
    "portability.add": "add",
    "portability.check": "check",
    "portability.cancel": "cancel",
    "portability.download": "download",
}
FILTERS = ("endpoint", "client_key", "open_id", "request_id", "status", "error_code", "method")


def endpoint_name() -> str | None:
    return ENDPOINTS.get(request.endpoint or "")


def annotate(**tags: Any) -> None:
    """Remember facts about the current request for its journal row."""
    current: dict[str, Any] | None = g.get("journal_tags")
    if current is None:
        current = g.journal_tags = {}
    current.update({k: v for k, v in tags.items() if v is not None})


def tags() -> dict[str, Any]:
    current: dict[str, Any] = g.get("journal_tags") or {}
    return current


def start() -> None:
    g.started = time.perf_counter()


def record(response: Response) -> None:
    """Store the journal row of the current request (emulated API paths only)."""
    started = g.get("started")
    if started is None:
        return
    t = tags()
    retry_after = response.headers.get("Retry-After")
    state().db.connect().execute(
        "INSERT INTO journal (at, log_id, method, path, endpoint, status, error_code, "
        "client_key, open_id, request_id, latency_ms, fault, retry_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            now(),
            log_id(),
            request.method,
            request.path,
            endpoint_name(),
            response.status_code,
            t.get("error_code"),
            t.get("client_key"),
            t.get("open_id"),
            t.get("request_id"),
            round((time.perf_counter() - started) * 1000, 3),
            t.get("fault"),
            int(retry_after) if retry_after and retry_after.isdigit() else None,
        ),
    )


def observe(kind: str, detail: str) -> None:
    """Note a client mistake seen in this request (kept even when the request fails)."""
    t = tags()
    state().db.connect().execute(
        "INSERT INTO observations (at, log_id, kind, client_key, open_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (now(), log_id(), kind, t.get("client_key"), t.get("open_id"), detail),
    )


def query(filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Journal rows matching `filters` (exact values), oldest first, at most `limit`."""
    sql, args = "SELECT * FROM journal WHERE 1 = 1", list[Any]()
    for name in FILTERS:
        if name in filters:
            sql += f" AND {name} = ?"
            args.append(filters[name])
    if "since" in filters:
        sql += " AND at >= ?"
        args.append(float(filters["since"]))
    rows = (
        state()
        .db.connect()
        .execute(f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT ?) ORDER BY id", [*args, limit])
    )
    return [dict(r) for r in rows]
