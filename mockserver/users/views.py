"""`GET /v2/user/info/`: the fields of the token's user that its scopes allow (reference §4)."""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.wrappers import Response

from ..envelope import ok, parse_fields
from ..errors import InvalidParams
from ..oauth.grants import authenticate_bearer
from ..ratelimit import enforce
from ..state import now, state
from .info import FIELD_SCOPES, require_basic, visible_fields
from .store import find_user

bp = Blueprint("user_info", __name__)


@bp.get("/v2/user/info/")
def user_info() -> Response:
    st = state()
    token = authenticate_bearer(st, request.headers.get("Authorization"), now())
    enforce(st, token.client_key, "user_info", now())
    require_basic(token.scopes)
    fields = parse_fields(request.args.get("fields"), FIELD_SCOPES)
    user = find_user(st.db.connect(), token.open_id)
    if user is None:  # deleted through the control API after the token was issued
        raise InvalidParams("The user of this token no longer exists.")
    return ok({"user": visible_fields(user, fields, token.scopes)})
