"""What `GET /v2/user/info/` may show: TikTok's fields and the scope each needs (§4)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..errors import ScopeNotAuthorized, ScopePermissionMissed

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


def require_basic(scopes: Collection[str]) -> None:
    """The endpoint itself needs user.info.basic: `scope_not_authorized` without it."""
    if "user.info.basic" not in scopes:
        raise ScopeNotAuthorized(
            f"{ScopeNotAuthorized.description} /v2/user/info/ needs user.info.basic."
        )


def visible_fields(
    user: Mapping[str, Any], fields: Sequence[str], scopes: Collection[str]
) -> dict[str, Any]:
    """The requested fields of `user`; `scope_permission_missed` names fields not granted."""
    missing = sorted({FIELD_SCOPES[f] for f in fields} - set(scopes))
    if missing:
        needing = [f for f in fields if FIELD_SCOPES[f] in missing]
        raise ScopePermissionMissed(
            f"{ScopePermissionMissed.description} Fields "
            f"{', '.join(needing)} need {', '.join(missing)}."
        )
    return {f: user[f] for f in fields}
