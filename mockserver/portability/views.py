"""`/v2/user/data/{add,check,cancel,download}/`: TikTok's Data Portability endpoints (§5).

All four are POST with a user bearer token and a JSON body, and answer in the Open API
envelope; errors repeat their HTTP status as `error.http_status_code` (see `errors`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, request
from werkzeug.wrappers import Response

from ..envelope import ok, parse_fields
from ..errors import AccessTokenInvalid, InvalidParams
from ..journal.recorder import annotate, endpoint_name, observe
from ..oauth.grants import AccessToken, authenticate_bearer
from ..ratelimit import enforce
from ..state import current_request, now, state
from ..users.store import find_user
from . import requests as domain
from .archive import archive_filename, stream_archive
from .schemas import AddSchema, load

bp = Blueprint("portability", __name__, url_prefix="/v2/user/data")


def _token() -> AccessToken:
    st, req = state(), current_request()
    token = authenticate_bearer(st, req.headers.get("Authorization"), now())
    enforce(st, token.client_key, endpoint_name() or req.path, now())
    domain.require_portability_scope(token)
    return token


def _body(optional: bool = False) -> dict[str, Any]:
    req = current_request()
    raw = req.get_data(cache=True)
    if optional and not raw:
        return {}
    if req.mimetype != "application/json":
        raise InvalidParams(
            "Send a JSON body with Content-Type: application/json, not "
            f"{req.mimetype or 'no Content-Type'}."
        )
    try:
        # json.loads rather than get_json: the same parse without Flask's provider layers.
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        data = None
    if not isinstance(data, dict):
        raise InvalidParams("The request body must be a JSON object.")
    return data


def _request_id(token: AccessToken, raw: Any, where: str) -> int:
    """A positive int64 request_id; a JSON string is accepted or refused per the setting."""
    st = state()
    if raw is None:
        raise InvalidParams(f"`request_id` is required in the {where}.")
    if isinstance(raw, str) and where == "JSON body":
        accepted = st.settings.request_id_strings == "accept"
        observe(
            "string_request_id",
            f"request_id {raw!r} sent as a JSON string ({'accepted' if accepted else 'refused'})",
        )
        if not accepted:
            raise InvalidParams(
                "`request_id` must be a JSON number, not a string. (If your client lost "
                "precision above 2^53, parse and send it as a 64-bit integer.)"
            )
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InvalidParams(f"`request_id` must be an integer, got {type(raw).__name__}.")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParams(f"`request_id` must be an integer, got {raw!r}.") from None
    if not domain.possible_id(value):
        raise InvalidParams(domain.UNKNOWN_ID)
    annotate(request_id=value)
    return value


@bp.post("/add/")
def add() -> Response:
    token = _token()
    parse_fields(request.args.get("fields"), ("request_id",))
    try:
        body = load(AddSchema(), _body())
    except ValueError as exc:
        raise InvalidParams(f"Invalid request body: {exc}.") from None
    created = domain.add(
        state(), token, body["data_format"], body["category_selection_list"], now()
    )
    annotate(request_id=created.request_id)
    return ok({"request_id": created.request_id})


@bp.post("/check/")
def check() -> Response:
    token = _token()
    wanted = parse_fields(current_request().args.get("fields"), domain.CHECK_FIELDS)
    request_id = _request_id(token, _body().get("request_id"), "JSON body")
    found = domain.owned(state(), token, request_id, now()).check_fields()
    return ok({f: found[f] for f in wanted})


@bp.post("/cancel/")
def cancel() -> Response:
    token = _token()
    body = _body(optional=True)
    if "request_id" in body:
        request_id = _request_id(token, body["request_id"], "JSON body")
    else:
        request_id = _request_id(token, request.args.get("request_id"), "JSON body or query")
    domain.cancel(state(), token, request_id, now())
    return ok(None)


@bp.post("/download/")
def download() -> Response:
    st = state()
    token = _token()
    request_id = _request_id(token, _body().get("request_id"), "JSON body")
    found = domain.ready_for_download(st, token, request_id, now())
    user = find_user(st.db.connect(), found.open_id)
    if user is None:
        raise AccessTokenInvalid("The user of this token no longer exists.")
    snapshot = st.settings.archive_snapshot_time or found.collect_time
    chunks = stream_archive(
        user, domain.archive_categories(found), found.data_format, snapshot_time=snapshot
    )
    filename = archive_filename(found.request_id, found.data_format)
    return Response(
        chunks,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
