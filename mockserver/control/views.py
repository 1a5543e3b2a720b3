"""The mock's own API under `/_mock/`: health, reset, clients, users and the clock.

Plain JSON, not TikTok's envelope; mutations are POSTs. When the `admin_token` setting is set,
every route but health needs `Authorization: Bearer <admin_token>`.
"""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from ..errors import ControlError
from ..fixtures_loader import prepare_state
from ..oauth.clients import ClientError, build_client, insert_client, list_clients
from ..state import state
from ..users.store import UserError, create_user, find_user, list_users, update_user
from .base import bp, json_body
from .schemas import MAX_TIME, ClientSchema, ClockSchema, UserSchema, UserUpdateSchema


@bp.get("/health")
def health() -> Response:
    st = state()
    st.db.connect().execute("SELECT 1").fetchone()
    return jsonify({"status": "ok", "seed": st.settings.seed, "now": int(st.clock.now())})


@bp.post("/reset")
def reset() -> Response:
    """Everything back to the seeded fixtures: clients, users, tokens, clock, counters."""
    st = state()
    prepare_state(st, reset=True)
    conn = st.db.connect()
    return jsonify(
        {"status": "reset", "clients": len(list_clients(conn)), "users": len(list_users(conn))}
    )


@bp.get("/clients")
def clients() -> Response:
    return jsonify([c.to_json() for c in list_clients(state().db.connect())])


@bp.post("/clients")
def create_client() -> tuple[Response, int]:
    st = state()
    data = json_body(ClientSchema())
    with st.db.transaction() as tx:
        data["client_key"] = data["client_key"] or st.ids.client_key(tx)
        data["client_secret"] = data["client_secret"] or st.ids.client_secret(tx)
        try:
            client = build_client(data)
            insert_client(tx, client)
        except ClientError as exc:
            raise ControlError(str(exc), status=409 if "already" in str(exc) else 400) from None
    return jsonify(client.to_json()), 201


@bp.get("/users")
def users() -> Response:
    return jsonify(list_users(state().db.connect()))


@bp.get("/users/<ref>")
def user(ref: str) -> Response:
    found = find_user(state().db.connect(), ref)
    if found is None:
        raise ControlError(f"no user with open_id or username {ref!r}", status=404)
    return jsonify(found)


@bp.post("/users")
def create_user_route() -> tuple[Response, int]:
    st = state()
    data = json_body(UserSchema())
    overrides = {k: data[k] for k in ("username", "display_name", "export_delay")}
    with st.db.transaction() as tx:
        try:
            created = create_user(st, tx, data["region"], data["persona"], overrides)
        except UserError as exc:
            raise ControlError(str(exc), status=409 if "taken" in str(exc) else 400) from None
    return jsonify(created), 201


@bp.post("/users/<ref>")
def update_user_route(ref: str) -> Response:
    """`{"export_delay": seconds | null}`: this user's data requests get ready after that."""
    st = state()
    data = json_body(UserUpdateSchema())
    with st.db.transaction() as tx:
        updated = update_user(tx, ref, data)
    if updated is None:
        raise ControlError(f"no user with open_id or username {ref!r}", status=404)
    return jsonify(updated)


def _clock_json() -> Response:
    s = state().clock.state()
    return jsonify({"now": s.now, "offset": s.offset, "frozen": s.frozen})


@bp.get("/clock")
def clock() -> Response:
    return _clock_json()


@bp.post("/clock")
def move_clock() -> Response:
    """`{"advance": s}`, `{"set": unix}` or `{"freeze": true|false}`."""
    clock_ = state().clock
    data = json_body(ClockSchema())
    if data["advance"] is not None:
        target = clock_.now() + data["advance"]
        if not 0 <= target <= MAX_TIME:
            raise ControlError(
                f"advance would move the clock to {target:.0f}, outside 0..{MAX_TIME} (year 9999)"
            )
        clock_.advance(data["advance"])
    elif data["set"] is not None:
        clock_.set(data["set"])
    else:
        clock_.freeze(data["freeze"])
    return _clock_json()
