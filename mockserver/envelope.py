"""TikTok's Open API conventions shared by `/v2/user/*`: the success envelope
`{"data": …, "error": {"code": "ok", …}}` and the `fields` query parameter."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Response

from .errors import InvalidParams
from .state import log_id

# Built once: json.dumps with options builds a new encoder on every call.
_encode = json.JSONEncoder(separators=(", ", ": ")).encode


def ok(data: dict[str, Any] | None) -> Response:
    """The success envelope; `None` for answers with only the error object (cancel).

    Serialised with json.dumps directly: this sits in clients' polling loops, and Flask's
    jsonify costs a provider lookup and a pretty-print check per call.
    """
    return Response(ok_body(data), mimetype="application/json")


def ok_body(data: dict[str, Any] | None) -> str:
    error = {"code": "ok", "message": "", "log_id": log_id()}
    return _encode({"error": error} if data is None else {"data": data, "error": error})


def parse_fields(raw: str | None, allowed: Iterable[str]) -> list[str]:
    """The comma-separated `fields` query parameter: required, known names, no repeats."""
    known = tuple(allowed)
    if raw is None or not raw.strip():
        raise InvalidParams(
            f"The `fields` query parameter is required: a comma-separated list of "
            f"{', '.join(known)}."
        )
    wanted = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise InvalidParams(
            f"Unknown field(s) in `fields`: {', '.join(unknown)}. Allowed: {', '.join(known)}."
        )
    return list(dict.fromkeys(wanted))
