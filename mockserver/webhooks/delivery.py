"""Deliver due webhook events: claim, sign, POST, record the attempt, back off on failure.

A due event is claimed with one atomic UPDATE (a lease in real time), so across workers each
attempt is made once. Retries follow an exponential backoff on the *mock* clock (10 s, 20 s,
40 s, … capped at an hour) for up to 72 hours, so a test moves the clock instead of waiting.
"""

from __future__ import annotations

import json
import logging
import time
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import urlsplit

from ..oauth.clients import get_client
from ..state import MockState
from .signing import sign

log = logging.getLogger("tiktok_mock.webhooks")

FIRST_RETRY = 10
MAX_RETRY = 3600
GIVE_UP_AFTER = 72 * 3600
LEASE_SECONDS = 30
TIMEOUT_SECONDS = 5
STALE_SECONDS = 3600  # a `stale` fault signs with a timestamp this old


def backoff(attempts: int) -> float:
    """Seconds (mock time) before the next try, after `attempts` failed ones."""
    return float(min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1)))


def _post(url: str, body: bytes, signature: str) -> tuple[int | None, str | None]:
    # http.client keeps the header's case on the wire ("TikTok-Signature"); urllib would
    # send "Tiktok-signature", which a case-sensitive receiver would miss.
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "TikTok-Signature": signature,
                "User-Agent": "tiktok-portability-mock webhooks",
            },
        )
        answer = connection.getresponse()
        answer.read()
        return answer.status, None
    except (OSError, HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def _claim(st: MockState, now: float) -> list[Any]:
    conn = st.db.connect()
    real = time.time()
    due = (
        "delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ? "
        "AND (claimed_until IS NULL OR claimed_until < ?)"
    )
    if (
        conn.execute(
            f"SELECT 1 FROM webhook_events WHERE {due} LIMIT 1",  # noqa: S608
            (now, real),
        ).fetchone()
        is None
    ):
        return []
    with st.db.transaction() as tx:
        return tx.execute(
            f"UPDATE webhook_events SET claimed_until = ? WHERE id IN "  # noqa: S608
            f"(SELECT id FROM webhook_events WHERE {due} ORDER BY id LIMIT 20) RETURNING *",
            (real + LEASE_SECONDS, now, real),
        ).fetchall()


def _attempt(st: MockState, event: Any, now: float) -> bool:
    client = get_client(st.db.connect(), event["client_key"])
    secret = client.client_secret if client else ""
    body = event["body"].encode()
    fault = event["fault"]
    stamp = int(now) - (STALE_SECONDS if fault == "stale" else 0)
    key = secret + "-wrong" if fault == "bad_signature" else secret
    signature = sign(key, body, stamp)
    started = time.perf_counter()
    status, error = _post(event["url"], body, signature)
    with st.db.transaction() as tx:
        tx.execute(
            "INSERT INTO webhook_attempts (event_id, at, signature, status, error, duration_ms) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                event["id"],
                now,
                signature,
                status,
                error,
                round((time.perf_counter() - started) * 1000, 3),
            ),
        )
    return status is not None and 200 <= status < 300


def deliver_due(st: MockState, now: float) -> int:
    """Make one attempt at every due event; returns how many attempts were made."""
    made = 0
    for event in _claim(st, now):
        ok = _attempt(st, event, now)
        made += 1
        if ok and event["fault"] == "duplicate" and event["attempts"] == 0:
            _attempt(st, event, now)  # at-least-once: the same event arrives twice
            made += 1
        attempts = event["attempts"] + 1
        if ok:
            sql, args = "delivered_at = ?", (now,)
        elif now - event["created_at"] >= GIVE_UP_AFTER:
            sql, args = "gave_up_at = ?", (now,)
        else:
            sql, args = "next_attempt_at = ?", (now + backoff(attempts),)
        with st.db.transaction() as tx:
            tx.execute(
                f"UPDATE webhook_events SET {sql}, attempts = ?, claimed_until = NULL "  # noqa: S608
                "WHERE id = ?",
                (*args, attempts, event["id"]),
            )
    return made


def list_events(st: MockState) -> list[dict[str, Any]]:
    conn = st.db.connect()
    attempts: dict[int, list[dict[str, Any]]] = {}
    for a in conn.execute("SELECT * FROM webhook_attempts ORDER BY id"):
        attempts.setdefault(a["event_id"], []).append(
            {k: a[k] for k in ("at", "status", "error", "signature", "duration_ms")}
        )
    return [
        {
            "id": e["id"],
            "event": e["event"],
            "client_key": e["client_key"],
            "url": e["url"],
            "user_openid": e["open_id"],
            "request_id": e["request_id"],
            "body": json.loads(e["body"]),
            "fault": e["fault"],
            "created_at": e["created_at"],
            "next_attempt_at": e["next_attempt_at"],
            "delivered_at": e["delivered_at"],
            "gave_up_at": e["gave_up_at"],
            "attempts": attempts.get(e["id"], []),
        }
        for e in conn.execute("SELECT * FROM webhook_events ORDER BY id")
    ]
