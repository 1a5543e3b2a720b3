"""Small seeded pools of locale-flavoured text that the archive's row generators draw from.

Faker is slow per call (tens of microseconds) and an archive can hold a million rows, so
Faker runs only here, a few hundred times per pool, and rows pick from the pools with their
own seeded random source. Each pool reseeds Faker with its own label, so a pool's content does
not depend on which other pools were built first (that depends on the requested categories).
"""

from __future__ import annotations

import hashlib
import pkgutil
import random
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker

POOL_SIZE = 240

#: Strings that break naive clients: emoji (incl. ZWJ sequences and flags), right-to-left
#: Arabic and Hebrew, bidi controls, quotes, backslashes, line breaks, tabs, lookalike
#: "Key: value" lines, HTML, zero-width and combining characters.
EDGE_TEXTS: tuple[str, ...] = (
    "emoji 😀🔥💯 family 👩\u200d👩\u200d👧\u200d👦 flag 🏳️\u200d🌈 🇩🇪🇬🇧",
    "مرحبا بالعالم! هذا تعليق باللغة العربية",
    "שלום עולם, זו תגובה בעברית",
    "mixed עברית, العربية and English 123 in one line",
    "she said \"hello\" and 'bye'",
    "back\\slash C:\\Users\\tiktok\\ and \\n is not a newline",
    "first line\nsecond line",
    "windows\r\nline break",
    "tab\tseparated\tvalues",
    "Date: 2020-01-01 00:00:00 UTC",
    "\u202eright-to-left override\u202c then normal",
    "zero\u200bwidth\u200cjoiners\u200d",
    "combining accents: e\u0301 a\u0308 n\u0303",
    "</script><script>alert('x')</script> & <b>bold</b>",
    '{"json": "inside", "n": [1, 2]}',
    "  leading and trailing spaces  ",
    "ß ñ ü ø 中文 日本語 한국어 ελληνικά",
    "🙂",
)

#: Usernames built the same way. TikTok would reject most of them; the mock sends them anyway
#: so clients find out how they handle them.
EDGE_USERNAMES: tuple[str, ...] = (
    "user\nwith newline",
    "مستخدم_عربي",
    "משתמש.עברי",
    'quote"user',
    "back\\slash",
    "emoji😀user",
    "rtl\u202eresu",
    "spaces in name",
    "colon: user",
    "ünïcödé.user",
)


def derive_seed(seed: int, label: str) -> int:
    """A 64-bit seed for `label`, stable across processes (no `hash()`, which is salted)."""
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def rng_for(seed: int, label: str) -> random.Random:
    """An independent random source for one part of the archive."""
    return random.Random(derive_seed(seed, label))


def _lorem_locale(locale: str) -> str:
    """The Faker locale whose word list fits `locale`'s language best."""
    # Faker falls back to Latin lorem ipsum for locales without their own word list (en_GB,
    # de_CH, el_CY); a sibling locale of the same language, else English, reads more like
    # real comments than Latin does.
    import faker.providers.lorem as lorem

    available = sorted(info.name for info in pkgutil.iter_modules(lorem.__path__))
    language = locale.split("_", 1)[0]
    # en_PH sorts before en_US but mixes in Filipino words.
    home = "en_US" if language == "en" else f"{language}_{language.upper()}"
    for candidate in (locale, home):
        if candidate in available:
            return candidate
    siblings = [name for name in available if name.startswith(language + "_")]
    return siblings[0] if siblings else "en_US"


def _mix(base: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """Interleave `extra` into `base` so about half the picks land on an edge value."""
    out: list[str] = []
    for i, value in enumerate(base):
        out.append(value)
        out.append(extra[i % len(extra)])
    return tuple(out)


class Pools:
    """Lazily built text pools for one archive (one locale, one seed)."""

    def __init__(self, locale: str, seed: int, *, edge: bool) -> None:
        self._locale = locale
        self._seed = seed
        self._edge = edge
        self._fakers: dict[str, Faker] = {}

    def _faker(self, locale: str, label: str) -> Faker:
        # Imported here: importing Faker costs ~0.1 s, which module import must not pay.
        from faker import Faker

        fake = self._fakers.get(locale)
        if fake is None:
            try:
                fake = Faker(locale)
            except AttributeError:
                # Faker raises AttributeError for a locale it does not ship.
                fake = Faker("en_US")
            self._fakers[locale] = fake
        fake.seed_instance(derive_seed(self._seed, f"pool:{label}"))
        return fake

    def _finish(self, values: list[str], extra: tuple[str, ...] = EDGE_TEXTS) -> tuple[str, ...]:
        base = tuple(values)
        return _mix(base, extra) if self._edge else base

    @cached_property
    def comments(self) -> tuple[str, ...]:
        """Comment texts, some with emoji, as people write them."""
        fake = self._faker(_lorem_locale(self._locale), "comments")
        rng = rng_for(self._seed, "pool:comments:decor")
        decor = ("", "", "", " 😂", " 🔥🔥", " ❤️", "!!", " 👀", " 😭😭")
        values = []
        for _ in range(POOL_SIZE):
            text = fake.sentence(nb_words=rng.randint(2, 12)).rstrip(".")
            if rng.random() < 0.4:
                text = text.lower()
            values.append(text + rng.choice(decor))
        return self._finish(values)

    @cached_property
    def messages(self) -> tuple[str, ...]:
        """Direct-message texts."""
        fake = self._faker(_lorem_locale(self._locale), "messages")
        rng = rng_for(self._seed, "pool:messages:decor")
        short = ("ok", "haha", "lol", "😂😂", "👍", "?", "omg", "yes", "no way", "❤️")
        values = []
        for _ in range(POOL_SIZE):
            if rng.random() < 0.25:
                values.append(rng.choice(short))
            else:
                values.append(fake.sentence(nb_words=rng.randint(1, 16)))
        return self._finish(values)

    @cached_property
    def searches(self) -> tuple[str, ...]:
        """Search terms: one to three lower-case words, some hashtags and names."""
        fake = self._faker(_lorem_locale(self._locale), "searches")
        names = self._faker(self._locale, "searches:names")
        rng = rng_for(self._seed, "pool:searches:shape")
        values = []
        for _ in range(POOL_SIZE):
            roll = rng.random()
            if roll < 0.15:
                values.append("#" + fake.word().lower())
            elif roll < 0.3:
                values.append(names.name().lower())
            else:
                values.append(" ".join(fake.words(rng.randint(1, 3))).lower())
        return self._finish(values)

    @cached_property
    def hashtags(self) -> tuple[str, ...]:
        """Hashtag names without the `#`."""
        fake = self._faker(_lorem_locale(self._locale), "hashtags")
        values = [fake.word().lower() for _ in range(POOL_SIZE // 4)]
        return self._finish(values)

    @cached_property
    def usernames(self) -> tuple[str, ...]:
        """Other people's usernames (followers, DM partners)."""
        fake = self._faker(self._locale, "usernames")
        values = [fake.user_name() for _ in range(POOL_SIZE)]
        return self._finish(values, EDGE_USERNAMES)

    @cached_property
    def titles(self) -> tuple[str, ...]:
        """Post captions with hashtags."""
        fake = self._faker(_lorem_locale(self._locale), "titles")
        rng = rng_for(self._seed, "pool:titles:tags")
        tags = ("#fyp", "#foryou", "#viral", "#trend", "#funny", "#dance", "#food", "#travel")
        values = []
        for _ in range(POOL_SIZE // 4):
            caption = fake.sentence(nb_words=rng.randint(0, 10)) if rng.random() < 0.9 else ""
            picked = rng.sample(tags, rng.randint(0, 3))
            values.append(" ".join([caption, *picked]).strip())
        return self._finish(values)

    @cached_property
    def sounds(self) -> tuple[str, ...]:
        """Sound names as TikTok shows them."""
        fake = self._faker(self._locale, "sounds")
        rng = rng_for(self._seed, "pool:sounds:shape")
        values = []
        for _ in range(POOL_SIZE // 4):
            if rng.random() < 0.5:
                values.append(f"original sound - {fake.user_name()}")
            else:
                values.append(f"{fake.name()} - {fake.city()}")
        return self._finish(values)

    @cached_property
    def cities(self) -> tuple[str, ...]:
        """Place names for post locations."""
        fake = self._faker(self._locale, "cities")
        return self._finish([fake.city() for _ in range(POOL_SIZE // 8)])
