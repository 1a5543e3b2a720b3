"""`GET /v2/user/info/`: the fields of the token's user that its scopes allow (reference §4)."""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.wrappers import Response

from ..envelope import ok
from ..errors import InvalidParams, ScopeNotAuthorized, ScopePermissionMissed
from ..oauth.grants import authenticate_bearer
from ..ratelimit import enforce
from ..state import now, state
from ..users.store import find_user

bp = Blueprint("user_info", __name__)

FIELD_SCOPES: dict[str, str] = {
    **dict.fromkeys(
        ("open_id", "union_id", "avatar_url", "avatar_url_100", "avatar_large_url", "display_name"),
        "user.info.basic",
    ),
    **dict.fromkeys(
        ("bio_description", "profile_deep_link", "is_verified", "username"), "user.info.profile"
    ),
    **dict.fromkeys(
        ("follower_count", "following_count", "likes_count", "video_count"), "user.info.stats"
    ),
}


@bp.get("/v2/user/info/")
def user_info() -> Response:
    st = state()
    token = authenticate_bearer(st, request.headers.get("Authorization"), now())
    enforce(st, token.client_key, "user_info", now())
    if "user.info.basic" not in token.scopes:
        raise ScopeNotAuthorized(
            f"{ScopeNotAuthorized.description} /v2/user/info/ needs user.info.basic."
        )
    raw = request.args.get("fields", "")
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    if not fields:
        raise InvalidParams(
            "The `fields` query parameter is required: a comma-separated list "
            f"of {', '.join(FIELD_SCOPES)}."
        )
    unknown = [f for f in fields if f not in FIELD_SCOPES]
    if unknown:
        raise InvalidParams(
            f"Unknown field(s) in `fields`: {', '.join(unknown)}. Known: {', '.join(FIELD_SCOPES)}."
        )
    missing = sorted({FIELD_SCOPES[f] for f in fields} - set(token.scopes))
    if missing:
        needing = [f for f in fields if FIELD_SCOPES[f] in missing]
        raise ScopePermissionMissed(
            f"{ScopePermissionMissed.description} Fields "
            f"{', '.join(needing)} need {', '.join(missing)}."
        )
    user = find_user(st.db.connect(), token.open_id)
    if user is None:  # deleted through the control API after the token was issued
        raise InvalidParams("The user of this token no longer exists.")
    return ok({"user": {f: user[f] for f in fields}})
