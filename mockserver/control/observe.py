"""Control routes for what clients did: the journal, diagnostics and webhook deliveries."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from ..errors import ControlError
from ..journal import recorder
from ..journal.diagnostics import diagnose
from ..state import state
from ..webhooks.delivery import list_events
from ..webhooks.dispatcher import run_once
from .base import bp


@bp.get("/journal")
def journal() -> Response:
    """Filters: endpoint, client_key, open_id, request_id, status, error_code, method, since;
    `limit` (default 1000) keeps the newest."""
    args: dict[str, Any] = request.args.to_dict()
    try:
        limit = int(args.pop("limit", 1000))
    except ValueError:
        raise ControlError("limit must be an integer") from None
    unknown = set(args) - {*recorder.FILTERS, "since"}
    if unknown:
        raise ControlError(
            f"unknown filter(s) {', '.join(sorted(unknown))}; use "
            f"{', '.join((*recorder.FILTERS, 'since', 'limit'))}"
        )
    try:
        return jsonify(recorder.query(args, max(1, min(limit, 100_000))))
    except ValueError:
        raise ControlError("since must be a Unix time") from None


@bp.delete("/journal")
def clear_journal() -> Response:
    return jsonify({"deleted": state().journal.clear()})


@bp.get("/webhooks")
def webhooks() -> Response:
    """Every webhook event with its delivery attempts and answers."""
    return jsonify(list_events(state()))


@bp.post("/webhooks/dispatch")
def dispatch_webhooks() -> Response:
    """Run one dispatcher pass now (find ready requests, attempt due deliveries)."""
    return jsonify({"attempts": run_once(state())})


@bp.get("/diagnostics")
def diagnostics() -> Response:
    return jsonify(diagnose(state()))
