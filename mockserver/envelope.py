"""TikTok's Open API success envelope: `{"data": …, "error": {"code": "ok", …}}`."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from .state import log_id


def ok(data: dict[str, Any] | None) -> Response:
    """The success envelope; `None` for answers with only the error object (cancel).

    Serialised with json.dumps directly: this sits in clients' polling loops, and Flask's
    jsonify costs a provider lookup and a pretty-print check per call.
    """
    error = {"code": "ok", "message": "", "log_id": log_id()}
    body = {"error": error} if data is None else {"data": data, "error": error}
    return Response(json.dumps(body, separators=(", ", ": ")), mimetype="application/json")
