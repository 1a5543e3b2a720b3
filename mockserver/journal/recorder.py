"""The request journal: one row per call to the emulated API, written after the response.

Views and domain code tag the current request (`annotate`) with what they learn (client_key,
open_id, request_id, error code, injected fault); `record` stores it with status and latency.
`observe` notes a client mistake tied to this request's `log_id`, for diagnostics.
"""

from __future__ import annotations

import time
from typing import Any

from werkzeug.wrappers import Response

from ..state import Call, current_call, current_request, log_id, now, state
from .store import needle

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
# Filters arrive as query strings; these columns hold numbers.
FILTER_TYPES: dict[str, type] = {"request_id": int, "status": int}


def endpoint_name() -> str | None:
    return ENDPOINTS.get(current_request().endpoint or "")


def annotate(**tags: Any) -> None:
    """Remember facts about the current request for its journal row."""
    call = current_call()
    if call is not None:
        for key, value in tags.items():
            if value is not None:
                call.tags[key] = value


def tags() -> dict[str, Any]:
    call = current_call()
    return call.tags if call is not None else {}


def start() -> None:
    call = current_call()
    if call is not None:
        call.started = time.perf_counter()


def record(response: Response) -> None:
    """Store the journal row of the current request (emulated API paths only)."""
    call = current_call()
    if call is None or call.started is None or call.request is None:
        return
    req = call.request
    retry_after = response.headers.get("Retry-After")
    record_call(
        call,
        req.method,
        req.path,
        ENDPOINTS.get(req.endpoint or ""),
        response.status_code,
        int(retry_after) if retry_after and retry_after.isdigit() else None,
    )


def record_call(
    call: Call, method: str, path: str, endpoint: str | None, status: int, retry_after: int | None
) -> None:
    """Append the journal row of a call that started (`start`) and has its answer."""
    started = call.started if call.started is not None else time.perf_counter()
    call.st.journal.add_entry(
        {
            **call.tags,
            "at": now(),
            "log_id": log_id(),
            "method": method,
            "path": path,
            "endpoint": endpoint,
            "status": status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
            "retry_after": retry_after,
        }
    )


def observe(kind: str, detail: str) -> None:
    """Note a client mistake seen in this request (kept even when the request fails)."""
    t = tags()
    state().journal.add_observation(
        {
            "at": now(),
            "log_id": log_id(),
            "kind": kind,
            "client_key": t.get("client_key"),
            "open_id": t.get("open_id"),
            "detail": detail,
        }
    )


def query(filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Journal rows matching `filters` (exact values), oldest first, the newest `limit`."""
    since = float(filters["since"]) if "since" in filters else None
    wanted: dict[str, Any] = {}
    for name in FILTERS:
        if name in filters:
            try:
                wanted[name] = FILTER_TYPES.get(name, str)(filters[name])
            except ValueError:
                return []  # no row has a non-numeric status or request_id

    def keep(row: dict[str, Any]) -> bool:
        if since is not None and (row["at"] is None or row["at"] < since):
            return False
        return all(row.get(name) == value for name, value in wanted.items())

    needles = [needle(name, value) for name, value in wanted.items()]
    return state().journal.read("journal", keep, needles)[-limit:]
