"""The scopes the mock knows, with the consent page's texts (Login Kit and Data Portability)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    name: str
    consent_text: str
    # The user may untick a toggleable scope and grant the rest (reference §2.1).
    toggleable: bool = True


SCOPES: dict[str, Scope] = {
    s.name: s
    for s in (
        Scope("user.info.basic", "Read your profile info (avatar, display name)", toggleable=False),
        Scope(
            "user.info.profile",
            "Read your profile details (bio, profile link, verification, username)",
        ),
        Scope("user.info.stats", "Read your statistics (likes, followers, following, video count)"),
        Scope("portability.all.single", "Download a one-time copy of all your TikTok data"),
        Scope(
            "portability.all.ongoing",
            "Download copies of all your TikTok data whenever the app asks",
        ),
        Scope(
            "portability.activity.single",
            "Download a one-time copy of your activity (watch history, likes, comments, searches)",
        ),
        Scope(
            "portability.activity.ongoing", "Download copies of your activity whenever the app asks"
        ),
        Scope(
            "portability.directmessages.single", "Download a one-time copy of your direct messages"
        ),
        Scope(
            "portability.directmessages.ongoing",
            "Download copies of your direct messages whenever the app asks",
        ),
        Scope(
            "portability.postsandprofile.single",
            "Download a one-time copy of your posts and profile",
        ),
        Scope(
            "portability.postsandprofile.ongoing",
            "Download copies of your posts and profile whenever the app asks",
        ),
    )
}

ALWAYS_GRANTED = "user.info.basic"  # part of every Login Kit grant (reference §2.1)


def is_portability(scope: str) -> bool:
    return scope.startswith("portability.")


def parse_scope_list(raw: str) -> list[str]:
    """Split TikTok's comma-separated scope list, keeping order and dropping repeats."""
    out: list[str] = []
    for part in raw.split(","):
        name = part.strip()
        if name and name not in out:
            out.append(name)
    return out


def join_scopes(scopes: list[str]) -> str:
    return ",".join(scopes)
