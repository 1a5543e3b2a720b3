"""The webhook outbox: events are rows, created exactly once, delivered by `delivery`.

`portability.download.ready` is found by a scan (statuses are derived from the clock, so no
timer fires when a request becomes ready): one atomic UPDATE marks requests notified, so
however many workers scan, each request gets one event. Fault rules with endpoint `webhook`
are evaluated when the event is created and stored with it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..faults.engine import evaluate
from ..oauth.clients import get_client
from ..state import MockState

READY = "portability.download.ready"
REMOVED = "authorization.removed"
DELAY_SECONDS = 300  # a `delay` fault holds the first attempt back this long (mock time)


def enqueue(
    st: MockState,
    conn: sqlite3.Connection,
    client_key: str,
    event: str,
    open_id: str | None,
    content: dict[str, Any],
    create_time: float,
    request_id: int | None = None,
) -> int | None:
    """Add one event for the client's webhook_url (none registered: nothing to send)."""
    client = get_client(conn, client_key)
    if client is None or not client.webhook_url:
        return None
    body = {
        "client_key": client_key,
        "event": event,
        "create_time": int(create_time),
        "user_openid": open_id or "",
        "content": json.dumps(content, separators=(",", ":")),  # a JSON *string* [doc]
    }
    facts = {
        "endpoint": "webhook",
        "path": "webhook",
        "method": "POST",
        "client_key": client_key,
        "open_id": open_id,
        "request_id": request_id,
    }
    fired = evaluate(st, facts.get)
    fault = fired.effect.get("webhook") if fired else None
    now = st.clock.now()
    row = conn.execute(
        "INSERT INTO webhook_events (client_key, url, event, open_id, request_id, body, fault, "
        "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            client_key,
            client.webhook_url,
            event,
            open_id,
            request_id,
            json.dumps(body, separators=(",", ":")),
            fault,
            now,
            now + (DELAY_SECONDS if fault == "delay" else 0),
        ),
    ).fetchone()
    return int(row[0])


def enqueue_ready(st: MockState, now: float) -> int:
    """Create the ready events of requests that became ready since the last scan."""
    conn = st.db.connect()
    if (
        conn.execute(
            "SELECT 1 FROM data_requests WHERE ready_notified = 0 AND ready_at <= ? LIMIT 1", (now,)
        ).fetchone()
        is None
    ):
        return 0  # the common case stays a read
    with st.db.transaction() as tx:
        ready = tx.execute(
            "UPDATE data_requests SET ready_notified = 1 WHERE ready_notified = 0 "
            "AND ready_at <= ? RETURNING request_id, client_key, open_id, ready_at, "
            "cancelled_at",
            (now,),
        ).fetchall()
        made = 0
        for row in sorted(ready, key=lambda r: (r["ready_at"], r["request_id"])):
            if row["cancelled_at"] is not None and row["cancelled_at"] <= row["ready_at"]:
                continue  # cancelled while pending: it never became ready
            made += (
                enqueue(
                    st,
                    tx,
                    row["client_key"],
                    READY,
                    row["open_id"],
                    {"request_id": row["request_id"]},
                    row["ready_at"],
                    row["request_id"],
                )
                is not None
            )
    return made
