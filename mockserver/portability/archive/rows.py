"""Seeded row generators for the archive's sections, one persona-sized volume table.

Everything here is a pure function of the user dict and the snapshot time: every row source has
its own `random.Random` seeded from `archive_seed` and the source's label (never the global
random, never the clock), so equal inputs give equal rows in any process. Rows are produced
lazily, newest first, with dates spread over the 2-3 years before the snapshot, so a
million-row watch history never sits in memory.

Volumes per persona (rows; `posts`, `followers` and `following` are additionally capped by the
user's `video_count`, `follower_count` and `following_count`):

| source | empty | light | typical | huge | edge |
|---|---|---|---|---|---|
| watch (Watch History) | 0 | 40 | 9,000 | 1,000,000 | 60 |
| likes (Like List) | 0 | 25 | 3,500 | 3,500 | 30 |
| favorite_videos | 0 | 10 | 1,800 | 1,800 | 12 |
| logins | 0 | 12 | 350 | 350 | 15 |
| searches | 0 | 15 | 140 | 140 | 40 |
| comments | 0 | 8 | 95 | 95 | 40 |
| shares | 0 | 3 | 60 | 60 | 5 |
| posts (cap) | 0 | 5 | 36 | 36 | 6 |
| followers (cap) | 0 | 20 | 1,500 | 1,500 | 20 |
| following (cap) | 0 | 20 | 150 | 150 | 20 |
| reposts, favorite_sounds, status, block_list, ... | 0 | 0-2 | 1-12 | = typical | 1-3 |
| DM threads | 0 | 2 × 5-30 msgs | 6 × 20-400 msgs | = typical | 4 × 5-30 + 1 × 50,000 |

The `edge` persona mixes emoji, Arabic and Hebrew text, quotes, backslashes and line breaks
into every free-text field and other people's usernames (see pools.EDGE_TEXTS).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import cycle
from typing import Any

from .pools import EDGE_USERNAMES, Pools, rng_for

PERSONAS: tuple[str, ...] = ("empty", "light", "typical", "huge", "edge")

#: A row's values in the order of its layout fields; dates are preformatted strings.
Row = tuple[str | int, ...]

REQUIRED_USER_KEYS: tuple[str, ...] = (
    "open_id",
    "username",
    "display_name",
    "bio_description",
    "avatar_url",
    "region",
    "birth_date",
    "email",
    "phone",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
    "persona",
    "archive_seed",
    "locale",
)

_TYPICAL: dict[str, int] = {
    "watch": 9_000,
    "likes": 3_500,
    "favorite_videos": 1_800,
    "favorite_sounds": 4,
    "favorite_effects": 1,
    "favorite_hashtags": 3,
    "logins": 350,
    "searches": 140,
    "comments": 95,
    "shares": 60,
    "reposts": 12,
    "status": 3,
    "coin_purchases": 2,
    "block_list": 3,
    "posts": 36,
    "followers": 1_500,
    "following": 150,
}

VOLUMES: dict[str, dict[str, int]] = {
    "empty": {source: 0 for source in _TYPICAL},
    "light": {
        "watch": 40,
        "likes": 25,
        "favorite_videos": 10,
        "favorite_sounds": 2,
        "favorite_effects": 0,
        "favorite_hashtags": 0,
        "logins": 12,
        "searches": 15,
        "comments": 8,
        "shares": 3,
        "reposts": 2,
        "status": 1,
        "coin_purchases": 0,
        "block_list": 0,
        "posts": 5,
        "followers": 20,
        "following": 20,
    },
    "typical": dict(_TYPICAL),
    "huge": {**_TYPICAL, "watch": 1_000_000},
    "edge": {
        "watch": 60,
        "likes": 30,
        "favorite_videos": 12,
        "favorite_sounds": 3,
        "favorite_effects": 1,
        "favorite_hashtags": 2,
        "logins": 15,
        "searches": 40,
        "comments": 40,
        "shares": 5,
        "reposts": 3,
        "status": 2,
        "coin_purchases": 1,
        "block_list": 2,
        "posts": 6,
        "followers": 20,
        "following": 20,
    },
}

#: (number of threads, fewest messages, most messages) for the ordinary DM threads.
_THREADS: dict[str, tuple[int, int, int]] = {
    "empty": (0, 0, 0),
    "light": (2, 5, 30),
    "typical": (6, 20, 400),
    "huge": (6, 20, 400),
    "edge": (4, 5, 30),
}
#: The edge persona's one long thread; exactly this many messages.
EDGE_LONG_THREAD = 50_000

#: Row counts capped by a profile statistic, so the archive agrees with /v2/user/info.
_CAPPED_BY: dict[str, str] = {
    "posts": "video_count",
    "followers": "follower_count",
    "following": "following_count",
}

VIDEO_LINK = "https://www.tiktokv.com/share/video/"
YEAR = 365 * 86_400
_DAY = 86_400
# TikTok video ids put the creation time in the high bits (id = unix_seconds << 32 | random);
# these bounds keep every id at exactly 19 digits whatever the snapshot time.
_ID_MIN_TIME = -(-(10**18) // 2**32)
_ID_MAX_TIME = (10**19 - 1) // 2**32

_HM: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SS: tuple[str, ...] = tuple(f"{s:02d}" for s in range(60))


class DateFormatter:
    """`ts → "YYYY-MM-DD HH:MM:SS"` (UTC), fast for runs of nearby timestamps."""

    __slots__ = ("_day", "_prefix")

    def __init__(self) -> None:
        self._day = -1
        self._prefix = ""

    def __call__(self, ts: int) -> str:
        day, second = divmod(ts, _DAY)
        if day != self._day:
            # strftime once per day: a per-row strftime would be the watch history's bottleneck.
            self._day = day
            self._prefix = time.strftime("%Y-%m-%d ", time.gmtime(day * _DAY))
        minute, sec = divmod(second, 60)
        return self._prefix + _HM[minute] + _SS[sec]


def timeline(rng: random.Random, count: int, end: int, span: int) -> Iterator[int]:
    """`count` timestamps, newest first, from shortly before `end` back over about `span` s."""
    if count <= 0:
        return
    mean_gap = span / count
    floor = end - span - span // 10
    t = end - int(rng.random() * mean_gap)
    random_ = rng.random
    double_gap = 2 * mean_gap
    for _ in range(count):
        yield t
        t -= int(random_() * double_gap)
        if t < floor:
            t = floor


def _video_link(ts: int, bits: int) -> str:
    """A share link for a video created up to ~30 days before `ts`; `bits` is 64 random bits."""
    created = ts - (bits >> 32) % (30 * _DAY)
    if created < _ID_MIN_TIME:
        created = _ID_MIN_TIME
    elif created > _ID_MAX_TIME:
        created = _ID_MAX_TIME
    return f"{VIDEO_LINK}{(created << 32) | (bits & 0xFFFFFFFF)}/"


@dataclass(frozen=True, slots=True)
class Thread:
    """One DM conversation: its partner, whether its dates end in ` UTC`, and its messages."""

    partner: str
    utc: bool
    messages: Iterator[Row]


_DEVICES: tuple[tuple[str, str], ...] = (
    ("iPhone15,2", "iOS 17.5.1"),
    ("iPhone14,5", "iOS 16.7.8"),
    ("iPhone16,1", "iOS 18.1"),
    ("SM-G991B", "Android 14"),
    ("SM-A546B", "Android 14"),
    ("Pixel 7", "Android 15"),
    ("M2101K6G", "Android 13"),
    ("Windows", "Windows 10"),
)
_CARRIERS: dict[str, tuple[str, ...]] = {
    "DE": ("Telekom.de", "Vodafone.de", "o2 - de"),
    "GB": ("EE", "Vodafone UK", "O2 - UK", "3"),
    "FR": ("Orange F", "SFR", "Bouygues Telecom", "Free"),
    "ES": ("Movistar", "Orange", "Vodafone ES"),
    "IT": ("TIM", "Vodafone IT", "WINDTRE"),
    "NL": ("KPN", "Vodafone NL", "Odido"),
    "PL": ("Orange PL", "Play", "Plus", "T-Mobile.pl"),
}
_NETWORKS = ("Wi-Fi", "Wi-Fi", "Wi-Fi", "4G", "5G")
_WHO_CAN_VIEW = ("Everyone", "Everyone", "Everyone", "Friends", "Only me")
_SHARE_METHODS = ("Copy link", "WhatsApp", "Instagram", "Messages", "Snapchat", "Facebook")
_SHARED_CONTENT = ("video", "video", "video", "profile", "live")
_RESOLUTIONS = ("1170*2532", "1080*2400", "1284*2778", "1440*3088", "1920*1080")


class ArchiveRows:
    """The rows of one user's archive at one snapshot time, generated on demand."""

    def __init__(self, user: Mapping[str, Any], snapshot_time: int) -> None:
        self.user = user
        self.snapshot_time = snapshot_time
        self.persona: str = user["persona"]
        self.seed: int = user["archive_seed"]
        self.pools = Pools(str(user["locale"]), self.seed, edge=self.persona == "edge")
        self._sources: dict[str, Callable[[int, str], Iterator[Row]]] = {
            "watch": self._video_rows,
            "likes": self._video_rows,
            "favorite_videos": self._video_rows,
            "favorite_sounds": self._favorite_sounds,
            "favorite_effects": self._favorite_effects,
            "favorite_hashtags": self._favorite_hashtags,
            "logins": self._logins,
            "searches": self._searches,
            "comments": self._comments,
            "shares": self._shares,
            "reposts": self._video_rows,
            "status": self._status,
            "coin_purchases": self._coin_purchases,
            "block_list": self._people,
            "followers": self._people,
            "following": self._people,
            "posts": self._posts,
        }

    # -- plan ----------------------------------------------------------------------------

    def count(self, source: str) -> int:
        """How many rows `source` yields, without generating them."""
        volume = VOLUMES[self.persona][source]
        stat = _CAPPED_BY.get(source)
        if stat is not None:
            volume = min(volume, max(0, int(self.user[stat])))
        return volume

    def thread_sizes(self) -> tuple[int, ...]:
        """Message counts of the DM threads, in archive order."""
        count, low, high = _THREADS[self.persona]
        rng = rng_for(self.seed, "dm:sizes")
        sizes = [rng.randint(low, high) for _ in range(count)]
        if self.persona == "edge":
            sizes.insert(rng.randrange(count + 1), EDGE_LONG_THREAD)
        return tuple(sizes)

    # -- generic helpers -------------------------------------------------------------------

    def _rng(self, label: str) -> random.Random:
        return rng_for(self.seed, label)

    def _picker(self, rng: random.Random, pool: Sequence[str]) -> Callable[[], str]:
        """Draw from `pool`: at random, or for `edge` in pool order, so that even a short edge
        list contains every awkward string (they sit at every other position of the pool)."""
        if self.persona == "edge":
            return cycle(pool).__next__
        return lambda: rng.choice(pool)

    def _dates(self, rng: random.Random, count: int) -> Iterator[str]:
        span = int(YEAR * (2 + rng.random()))
        fmt = DateFormatter()
        for ts in timeline(rng, count, self.snapshot_time, span):
            yield fmt(ts)

    def rows(self, source: str) -> Iterator[Row]:
        """The rows of `source` (a Rows.source of the layout), newest first."""
        return self._sources[source](self.count(source), source)

    # -- row sources -----------------------------------------------------------------------

    def _video_rows(self, count: int, label: str) -> Iterator[Row]:
        # The hot path of the `huge` persona (a million rows): kept free of per-row calls
        # beyond the two random draws and the date formatter.
        rng = self._rng(label)
        span = int(YEAR * (2 + rng.random()))
        fmt = DateFormatter()
        bits = rng.getrandbits
        for ts in timeline(rng, count, self.snapshot_time, span):
            yield (fmt(ts), _video_link(ts, bits(64)))

    def _favorite_sounds(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        for date in self._dates(rng, count):
            sound_id = (rng.randrange(1_600_000_000, 1_750_000_000) << 32) | rng.getrandbits(32)
            yield (date, f"https://www.tiktok.com/music/original-sound-{sound_id}")

    def _favorite_effects(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        for date in self._dates(rng, count):
            yield (date, f"https://www.tiktok.com/sticker/{rng.randrange(10**5, 10**7)}")

    def _favorite_hashtags(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        tags = self.pools.hashtags if count else ()
        for date in self._dates(rng, count):
            yield (date, f"https://www.tiktok.com/tag/{rng.choice(tags)}")

    def _logins(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        # A person logs in from a couple of devices and a home network, not a fresh one each time.
        devices = rng.sample(_DEVICES, 2)
        carriers = _CARRIERS.get(str(self.user["region"]), ("Vodafone", "Orange", "T-Mobile"))
        carrier = rng.choice(carriers)
        home_ip = f"{rng.randint(31, 95)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
        for date in self._dates(rng, count):
            model, system = devices[0] if rng.random() < 0.8 else devices[1]
            network = rng.choice(_NETWORKS)
            if network == "Wi-Fi":
                ip = home_ip + str(rng.randint(1, 254))
            else:
                ip = f"{rng.randint(80, 185)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
                ip += str(rng.randint(1, 254))
            yield (date, ip, model, system, network, carrier)

    def _searches(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        if count == 0:
            return
        term = self._picker(rng, self.pools.searches)
        for date in self._dates(rng, count):
            yield (date, term())

    def _comments(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        if count == 0:
            return
        text = self._picker(rng, self.pools.comments)
        for date in self._dates(rng, count):
            yield (date, text(), "N/A", "")

    def _shares(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        span = int(YEAR * (2 + rng.random()))
        fmt = DateFormatter()
        for ts in timeline(rng, count, self.snapshot_time, span):
            link = _video_link(ts, rng.getrandbits(64))
            yield (fmt(ts), rng.choice(_SHARED_CONTENT), link, rng.choice(_SHARE_METHODS))

    def _status(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        for _ in range(count):
            version = f"{rng.randint(30, 37)}.{rng.randint(0, 9)}.{rng.randint(0, 5)}"
            web_id = str(rng.randrange(7 * 10**18, 8 * 10**18))
            yield (rng.choice(_RESOLUTIONS), version, web_id)

    def _coin_purchases(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        for date in self._dates(rng, count):
            yield (date, "Recharge", rng.choice((30, 70, 350, 700, 1400, 3500)))

    def _people(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        if count == 0:
            return
        pick = self._picker(rng, self.pools.usernames)
        for date in self._dates(rng, count):
            name = pick()
            # Suffixes keep a 1,500-name list from repeating a 240-name pool verbatim.
            if rng.random() < 0.6:
                name += str(rng.randrange(1, 10_000))
            yield (date, name)

    def _posts(self, count: int, label: str) -> Iterator[Row]:
        rng = self._rng(label)
        if count == 0:
            return
        title = self._picker(rng, self.pools.titles)
        sounds, cities = self.pools.sounds, self.pools.cities
        span = int(YEAR * (2 + rng.random()))
        fmt = DateFormatter()
        for ts in timeline(rng, count, self.snapshot_time, span):
            # A posted video's id carries its own posting time.
            created = min(max(ts, _ID_MIN_TIME), _ID_MAX_TIME)
            link = f"{VIDEO_LINK}{(created << 32) | rng.getrandbits(32)}/"
            likes = str(min(int((rng.paretovariate(1.1) - 1) * 40), 5_000_000))
            yield (
                fmt(ts),
                link,
                likes,
                title(),
                rng.choice(_WHO_CAN_VIEW),
                "Yes" if rng.random() < 0.95 else "No",
                "Yes" if rng.random() < 0.8 else "No",
                "Yes" if rng.random() < 0.8 else "No",
                "Yes" if rng.random() < 0.9 else "No",
                "Yes" if rng.random() < 0.7 else "No",
                "Branded content" if rng.random() < 0.05 else "",
                "Yes" if rng.random() < 0.03 else "No",
                rng.choice(sounds),
                rng.choice(cities) if rng.random() < 0.3 else "",
            )

    # -- records -----------------------------------------------------------------------------

    def record(self, source: str) -> list[tuple[str, str | int]]:
        """The key/value pairs of a record sub-section (`profile` or `settings`)."""
        user = self.user
        if source == "profile":
            return [
                ("userName", str(user["username"])),
                ("displayName", str(user["display_name"])),
                ("bioDescription", str(user["bio_description"])),
                ("birthDate", str(user["birth_date"])),
                ("emailAddress", str(user["email"])),
                ("telephoneNumber", str(user["phone"])),
                ("profilePhoto", str(user["avatar_url"])),
                ("followerCount", int(user["follower_count"])),
                ("followingCount", int(user["following_count"])),
                ("likesReceived", int(user["likes_count"])),
                ("accountRegion", str(user["region"])),
            ]
        if source == "settings":
            rng = self._rng("settings")
            language = str(user["locale"]).split("_", 1)[0]
            return [
                ("Allow DownLoad", rng.choice(("On", "Off"))),
                ("App Language", language),
                ("Filter Comments", rng.choice(("On", "Off"))),
                ("Private Account", rng.choice(("Off", "Off", "On"))),
                ("Suggest your account to others", rng.choice(("On", "Off"))),
                ("Who Can Duet With You", rng.choice(("Everyone", "Friends", "Only me"))),
                ("Who Can Post Comments", rng.choice(("Everyone", "Friends"))),
                ("Who Can Send You Direct Messages", rng.choice(("Everyone", "Friends", "No one"))),
                ("Who Can Stitch with your videos", rng.choice(("Everyone", "Friends"))),
            ]
        raise KeyError(source)

    # -- direct messages -----------------------------------------------------------------------

    def threads(self) -> Iterator[Thread]:
        """The DM threads, each with a distinct partner, messages newest first."""
        sizes = self.thread_sizes()
        if not sizes:
            return
        rng = self._rng("dm:partners")
        me = str(self.user["username"])
        if self.persona == "edge":
            candidates = [name for name in EDGE_USERNAMES if name != me]
        else:
            # Thread keys must be unique or JSON parsers silently keep only the last thread.
            candidates = [name for name in dict.fromkeys(self.pools.usernames) if name != me]
        partners = rng.sample(candidates, len(sizes))
        for index, (partner, size) in enumerate(zip(partners, sizes, strict=True)):
            thread_rng = self._rng(f"dm:thread:{index}")
            # Some real threads carry ` UTC` dates and others do not (reference §6).
            utc = thread_rng.random() < 0.34
            yield Thread(partner, utc, self._messages(thread_rng, size, me, partner))

    def _messages(self, rng: random.Random, size: int, me: str, partner: str) -> Iterator[Row]:
        text = self._picker(rng, self.pools.messages)
        end = self.snapshot_time - int(rng.random() * 60 * _DAY)
        oldest = self.snapshot_time - 3 * YEAR
        span = max(60, min(size * int(rng.uniform(600, 6 * 3600)), end - oldest))
        fmt = DateFormatter()
        random_ = rng.random
        for ts in timeline(rng, size, end, span):
            yield (fmt(ts), me if random_() < 0.5 else partner, text())
