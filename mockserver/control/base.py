"""The control API's blueprint, its admin-token guard and its body parsing."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, request
from marshmallow import Schema, ValidationError

from ..errors import ControlError
from ..state import state

bp = Blueprint("control", __name__, url_prefix="/_mock")


@bp.before_request
def require_admin_token() -> None:
    token = state().settings.admin_token
    if not token or request.endpoint == "control.health":
        return
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise ControlError(
            "the control API needs `Authorization: Bearer <admin_token>`", status=401
        )


def json_body(schema: Schema) -> dict[str, Any]:
    """The JSON body, validated; ControlError names every bad field."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object (Content-Type: application/json)")
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise ControlError(f"invalid body: {exc.messages}") from None
    return loaded
