"""Faker-made TikTok users, deterministic from the seed: identity, profile, stats, region.

A persona names the volume of a user's data (`empty`, `light`, `typical`, `huge`, `edge`);
the archive builder reads it. Stats below are drawn per persona so `/v2/user/info/` agrees
with the archive's scale.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Mapping
from typing import Any

from ..ids import open_id, union_id
from ..portability.archive.rows import PERSONAS  # the archive owns each persona's volumes
from .regions import LOCALES

__all__ = ["PERSONAS", "make_user"]

# (followers, following, likes received, videos) ranges per persona.
_STATS: dict[str, tuple[tuple[int, int], ...]] = {
    "empty": ((0, 0), (0, 0), (0, 0), (0, 0)),
    "light": ((3, 80), (10, 150), (0, 500), (1, 12)),
    "typical": ((150, 4_000), (200, 900), (2_000, 90_000), (20, 140)),
    "huge": ((50_000, 2_000_000), (300, 2_000), (1_000_000, 40_000_000), (300, 2_000)),
    "edge": ((0, 1_000_000), (0, 7_500), (0, 10_000_000), (0, 999)),
}
_EDGE_BIO = 'Emoji 🎉🔥👩‍👩‍👧 · RTL مرحبا بالعالم · שלום · "quotes" \\ back\\slash\nsecond line'

_faker_lock = threading.Lock()
_fakers: dict[str, Any] = {}


def _faker(locale: str) -> Any:
    """One Faker per locale, made on first use (Faker is slow to build and import)."""
    fake = _fakers.get(locale)
    if fake is None:
        from faker import Faker  # imported lazily: keeps `import mockserver` cheap

        fake = _fakers[locale] = Faker(locale)
    return fake


def _slug(name: str, rng: random.Random) -> str:
    base = "".join(
        ch for ch in name.lower().replace(" ", ".") if ch.isascii() and (ch.isalnum() or ch == ".")
    )
    return (base.strip(".") or "user")[:20] + str(rng.randrange(10, 9999))


def make_user(
    seed: int,
    seq: int,
    region: str,
    persona: str,
    created_at: int,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The full record of user number `seq`: the same inputs give the same user."""
    rng = random.Random(f"{seed}:user:{seq}")
    locale = LOCALES.get(region, "en_US")
    with _faker_lock:  # seed_instance + draws must not interleave between threads
        fake = _faker(locale)
        fake.seed_instance(rng.getrandbits(64))
        display_name = fake.name()
        email_user = fake.user_name()
        phone = fake.phone_number()
        bio = fake.sentence(nb_words=rng.randrange(4, 14))
    first_day = dt.date(1965, 1, 1).toordinal()
    last_day = dt.date(2007, 12, 31).toordinal()  # everyone is an adult on the mock's dates
    birth = dt.date.fromordinal(rng.randrange(first_day, last_day + 1))
    stats = [rng.randint(lo, hi) for lo, hi in _STATS[persona]]
    avatar_id = f"{rng.getrandbits(128):032x}"
    user: dict[str, Any] = {
        "open_id": open_id(rng),
        "union_id": union_id(rng),
        "username": _slug(display_name, rng),
        "display_name": display_name,
        "bio_description": _EDGE_BIO if persona == "edge" else bio,
        "avatar_url": f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{avatar_id}"
        "~c5_168x168.jpeg",
        "avatar_url_100": f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{avatar_id}"
        "~c5_100x100.jpeg",
        "avatar_large_url": f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{avatar_id}"
        "~c5_1080x1080.jpeg",
        "profile_deep_link": "https://vm.tiktok.com/ZM"
        + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", k=7))
        + "/",
        "is_verified": persona == "huge",
        "follower_count": stats[0],
        "following_count": stats[1],
        "likes_count": stats[2],
        "video_count": stats[3],
        "region": region,
        "locale": locale,
        "birth_date": birth.isoformat(),
        "email": f"{email_user}{rng.randrange(100)}@example.com",
        "phone": phone,
        "persona": persona,
        "archive_seed": rng.getrandbits(63),
        "created_at": created_at,
    }
    for key, value in (overrides or {}).items():
        if value is not None:
            user[key] = value
    return user
