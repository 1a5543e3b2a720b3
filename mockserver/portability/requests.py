"""The domain core of the Data Portability API: add, check, cancel and download rules.

Views hand in parsed values and get rows or domain errors back. The scope rules are in
`rules`, the status in `lifecycle`; this module stores requests and consumes single scopes
atomically (a primary key on (grant, scope) lets exactly one concurrent Add win).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ..errors import InvalidParams, ScopeNotAuthorized
from ..journal.recorder import observe
from ..oauth.grants import AccessToken
from ..state import MockState
from ..users.regions import portability_refusal
from ..users.store import find_user
from . import lifecycle
from .rules import PORTABILITY_SCOPES, ScopeRefused, decide, effective_categories

JS_SAFE_MAX = 2**53 - 1
INT64_MAX = 2**63 - 1
UNKNOWN_ID = "Incorrect `request_id`. Please validate the request."


def possible_id(value: int) -> bool:
    """Whether a number could be a request_id: a positive int64 (anything else is unknown)."""
    return 0 < value <= INT64_MAX


# What `/v2/user/data/check/?fields=` may ask for, in TikTok's order.
CHECK_FIELDS = (
    "request_id",
    "apply_time",
    "collect_time",
    "status",
    "data_format",
    "category_selection_list",
)


@dataclass(frozen=True)
class DataRequest:
    """One stored data request and its derived status."""

    request_id: int
    client_key: str
    open_id: str
    grant_id: int
    data_format: str
    categories: tuple[str, ...]
    consumed_scopes: tuple[str, ...]
    apply_time: int
    collect_time: int
    ready_at: float
    cancelled_at: float | None
    status: str

    def check_fields(self) -> dict[str, Any]:
        """Every field `/v2/user/data/check/` can return, in TikTok's order."""
        values = (
            self.request_id,
            self.apply_time,
            self.collect_time,
            self.status,
            self.data_format,
            list(self.categories),
        )
        return dict(zip(CHECK_FIELDS, values, strict=True))

    def to_json(self) -> dict[str, Any]:
        """The control API's view, with the mock's own bookkeeping."""
        return {
            **self.check_fields(),
            "client_key": self.client_key,
            "open_id": self.open_id,
            "consumed_scopes": list(self.consumed_scopes),
            "ready_at": int(self.ready_at),
            "cancelled_at": None if self.cancelled_at is None else int(self.cancelled_at),
        }


def _from_row(row: sqlite3.Row, now: float) -> DataRequest:
    return DataRequest(
        request_id=row["request_id"],
        client_key=row["client_key"],
        open_id=row["open_id"],
        grant_id=row["grant_id"],
        data_format=row["data_format"],
        categories=tuple(json.loads(row["categories"])),
        consumed_scopes=tuple(json.loads(row["consumed_scopes"])),
        apply_time=int(row["apply_time"]),
        collect_time=int(row["collect_time"]),
        ready_at=row["ready_at"],
        cancelled_at=row["cancelled_at"],
        status=lifecycle.status(row["ready_at"], row["cancelled_at"], now),
    )


def require_portability_scope(token: AccessToken) -> None:
    """Every portability endpoint needs at least one of the eight portability scopes."""
    if not any(s in PORTABILITY_SCOPES for s in token.scopes):
        raise ScopeNotAuthorized(
            f"{ScopeNotAuthorized.description} The Data Portability API needs one of "
            f"{', '.join(PORTABILITY_SCOPES)}."
        )


def _new_request_id(st: MockState, conn: sqlite3.Connection) -> int:
    rng = st.ids.stream("request", conn)
    if st.settings.large_request_ids:
        return rng.randint(JS_SAFE_MAX + 2, INT64_MAX)
    return rng.randint(10**15, JS_SAFE_MAX)


def _export_delay(st: MockState, user: dict[str, Any]) -> float:
    delay = user.get("export_delay")
    return float(st.settings.export_delay if delay is None else delay)


def add(
    st: MockState, token: AccessToken, data_format: str, categories: Sequence[str], now: float
) -> DataRequest:
    """Create a data request, consuming the single scope it uses, or raise a domain error."""
    user = find_user(st.db.connect(), token.open_id)
    if user is None:
        raise InvalidParams("The user of this token no longer exists.")
    refusal = portability_refusal(user["region"])
    if st.settings.region_policy == "deny_at_add" and refusal:
        raise InvalidParams(refusal)
    try:
        with st.db.transaction() as tx:
            request_id = _create(st, tx, token, data_format, categories, user, now)
    except ScopeNotAuthorized as exc:
        if "already used" in str(exc.description):  # observed outside the rolled-back tx
            observe("single_scope_reused", str(exc.description))
        raise
    return get(st, request_id, now)


def _create(
    st: MockState,
    tx: sqlite3.Connection,
    token: AccessToken,
    data_format: str,
    categories: Sequence[str],
    user: dict[str, Any],
    now: float,
) -> int:
    consumed = [
        r[0]
        for r in tx.execute(
            "SELECT scope FROM scope_consumption WHERE grant_id = ?", (token.grant_id,)
        )
    ]
    try:
        decision = decide(categories, token.scopes, consumed)
    except ScopeRefused as exc:
        raise ScopeNotAuthorized(str(exc)) from None
    # TikTok: with all.single spent on a first request, "a subsequent request for activity
    # data is allowed after the current request is fulfilled".
    pending = (
        decision.consume
        and tx.execute(
            "SELECT request_id FROM data_requests "
            "WHERE grant_id = ? AND cancelled_at IS NULL AND ready_at > ?",
            (token.grant_id, now),
        ).fetchone()
    )
    if pending:
        raise InvalidParams(
            f"Data request {pending[0]} of this user is still pending; add a new one after "
            "it is fulfilled (status downloading) or cancelled."
        )
    request_id = _new_request_id(st, tx)
    for scope in decision.consume:
        try:
            tx.execute(
                "INSERT INTO scope_consumption (grant_id, scope, request_id, consumed_at) "
                "VALUES (?, ?, ?, ?)",
                (token.grant_id, scope, request_id, now),
            )
        except sqlite3.IntegrityError:
            raise ScopeNotAuthorized(
                f"{scope} was already used by another Add (a .single scope allows one request)."
            ) from None
    tx.execute(
        "INSERT INTO data_requests (request_id, client_key, open_id, grant_id, data_format, "
        "categories, consumed_scopes, apply_time, collect_time, ready_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            request_id,
            token.client_key,
            token.open_id,
            token.grant_id,
            data_format,
            json.dumps(list(dict.fromkeys(categories))),
            json.dumps(list(decision.consume)),
            now,
            now,
            now + _export_delay(st, user),
        ),
    )
    return request_id


def get(st: MockState, request_id: int, now: float) -> DataRequest:
    found = st.db.cached(
        ("data_request", request_id), partial(_load, request_id=request_id, now=now)
    )
    if found is None:
        raise InvalidParams(UNKNOWN_ID)
    current = lifecycle.status(found.ready_at, found.cancelled_at, now)
    # Cached at an earlier instant: the clock alone may have moved it along.
    return found if found.status == current else replace(found, status=current)


def _load(conn: sqlite3.Connection, request_id: int, now: float) -> DataRequest | None:
    row = conn.execute("SELECT * FROM data_requests WHERE request_id = ?", (request_id,)).fetchone()
    return None if row is None else _from_row(row, now)


def owned(st: MockState, token: AccessToken, request_id: int, now: float) -> DataRequest:
    """The request if it belongs to this token's user and app; otherwise it is 'unknown'."""
    found = get(st, request_id, now)
    if found.client_key != token.client_key or found.open_id != token.open_id:
        raise InvalidParams(UNKNOWN_ID)  # no leak of other users' or apps' requests
    return found


def cancel(st: MockState, token: AccessToken, request_id: int, now: float) -> None:
    found = owned(st, token, request_id, now)
    if found.status != "pending":
        raise InvalidParams(
            f"Data request {request_id} is {found.status}; only pending requests can be cancelled."
        )
    with st.db.transaction() as tx:
        changed = tx.execute(
            "UPDATE data_requests SET cancelled_at = ? WHERE request_id = ? "
            "AND cancelled_at IS NULL AND ready_at > ?",
            (now, request_id, now),
        ).rowcount
    if not changed:  # became ready or was cancelled between the read and the write
        raise InvalidParams(f"Data request {request_id} is no longer pending.")


def ready_for_download(
    st: MockState, token: AccessToken, request_id: int, now: float
) -> DataRequest:
    found = owned(st, token, request_id, now)
    if found.status != "downloading":
        observe(
            f"download_{found.status}", f"download of request {request_id} while {found.status}"
        )
        hint = {
            "pending": "it is still being collected; poll /v2/user/data/check/ until status "
            "is downloading",
            "cancelled": "it was cancelled",
            "expired": "downloads stay available for 4 days after the data is ready",
        }[found.status]
        raise InvalidParams(f"Data request {request_id} is {found.status}: {hint}.")
    return found


def list_requests(
    st: MockState, now: float, client_key: str | None, open_id: str | None, status: str | None
) -> list[DataRequest]:
    sql, args = "SELECT * FROM data_requests WHERE 1 = 1", list[str]()
    if client_key:
        sql, args = sql + " AND client_key = ?", [*args, client_key]
    if open_id:
        sql, args = sql + " AND open_id = ?", [*args, open_id]
    rows = st.db.connect().execute(sql + " ORDER BY apply_time, rowid", args)
    found = [_from_row(r, now) for r in rows]
    return [r for r in found if status is None or r.status == status]


def transition(st: MockState, request_id: int, to: str, now: float) -> DataRequest:
    """Force a request into `to` (control API); only moves the lifecycle table allows."""
    found = get(st, request_id, now)
    allowed = lifecycle.TRANSITIONS.get(to)
    if allowed is None:
        raise ValueError(f"`to` must be one of {', '.join(lifecycle.TRANSITIONS)}")
    if found.status not in allowed:
        raise ValueError(f"request {request_id} is {found.status}; it cannot become {to}")
    columns = lifecycle.forced_timestamps(to, now)
    sets = ", ".join(f"{c} = ?" for c in columns)
    with st.db.transaction() as tx:
        tx.execute(
            f"UPDATE data_requests SET {sets} WHERE request_id = ?",  # noqa: S608 - fixed names
            (*columns.values(), request_id),
        )
    return get(st, request_id, now)


def set_delay(st: MockState, request_id: int, seconds: float, now: float) -> DataRequest:
    """Make a still-pending request ready `seconds` after its collect_time."""
    found = get(st, request_id, now)
    if found.status != "pending":
        raise ValueError(f"request {request_id} is {found.status}; only pending ones have a delay")
    with st.db.transaction() as tx:
        tx.execute(
            "UPDATE data_requests SET ready_at = collect_time + ? WHERE request_id = ?",
            (seconds, request_id),
        )
    return get(st, request_id, now)


def archive_categories(found: DataRequest) -> tuple[str, ...]:
    return effective_categories(found.categories)
