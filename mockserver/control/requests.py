"""Control routes for data requests: list, inspect, force a transition, change the delay."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from ..errors import ApiError, ControlError
from ..portability import requests as domain
from ..portability.lifecycle import STATUSES, TRANSITIONS
from ..state import state
from .base import bp, json_body
from .schemas import DelaySchema, TransitionSchema


def _id(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ControlError(f"request id must be an integer, got {raw!r}", status=404) from None
    if not domain.possible_id(value):
        raise ControlError(f"no data request {raw}", status=404)
    return value


def _found(request_id: int) -> domain.DataRequest:
    st = state()
    try:
        return domain.get(st, request_id, st.clock.now())
    except ApiError:
        raise ControlError(f"no data request {request_id}", status=404) from None


@bp.get("/requests")
def list_requests() -> Response:
    """Filter with `client_key`, `open_id` and `status` query parameters."""
    st = state()
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ControlError(f"status must be one of {', '.join(STATUSES)}")
    found = domain.list_requests(
        st, st.clock.now(), request.args.get("client_key"), request.args.get("open_id"), status
    )
    return jsonify([r.to_json() for r in found])


@bp.get("/requests/<request_id>")
def get_request(request_id: str) -> Response:
    return jsonify(_found(_id(request_id)).to_json())


@bp.post("/requests/<request_id>/transition")
def transition(request_id: str) -> Response:
    """`{"to": "downloading" | "expired" | "cancelled"}`, from the states the table allows."""
    st = state()
    found = _found(_id(request_id))
    to = json_body(TransitionSchema())["to"]
    if to not in TRANSITIONS:
        raise ControlError(f"`to` must be one of {', '.join(TRANSITIONS)}")
    try:
        moved = domain.transition(st, found.request_id, to, st.clock.now())
    except ValueError as exc:
        raise ControlError(str(exc), status=409) from None
    return jsonify(moved.to_json())


@bp.post("/requests/<request_id>/delay")
def delay(request_id: str) -> Response:
    """`{"seconds": n}`: a pending request becomes ready n seconds after its collect_time."""
    st = state()
    found = _found(_id(request_id))
    seconds = json_body(DelaySchema())["seconds"]
    try:
        moved = domain.set_delay(st, found.request_id, seconds, st.clock.now())
    except ValueError as exc:
        raise ControlError(str(exc), status=409) from None
    return jsonify(moved.to_json())
