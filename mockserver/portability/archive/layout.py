"""The layout of TikTok's "Download your data" export, which the Data Portability archive mirrors.

Reference §6: one JSON file `user_data_tiktok.json` with up to ten top-level sections, each a
map of sub-sections, each sub-section a small object holding a list, a map or a record. The
TEXT format has one file per sub-section, `TikTok_Data_<unix>/<Section>/<Sub-section>.txt`.

Empty encodings. Real exports keep every sub-section of a requested section and encode an empty
one as `null`, `[]` or `{}` depending on the section [seen]. TikTok does not say which is which,
so this is the mock's fixed mapping (the `empty` column below); clients must accept all three.

| section | sub-section | key | content | empty |
|---|---|---|---|---|
| Comment | Comments | CommentsList | rows | null |
| Direct Message | Direct Messages | ChatHistory | map of threads | {} |
| Direct Message | Group Chat | GroupChat | not emulated | {} |
| Income+ Wallet | Coin Purchase History | CoinPurchaseHistoryList | rows | null |
| Income+ Wallet | Transaction History | TransactionsList | not emulated | null |
| Likes and Favorites | Favorite Effects | FavoriteEffectsList | rows | null |
| Likes and Favorites | Favorite Hashtags | FavoriteHashtagList | rows | [] |
| Likes and Favorites | Favorite Sounds | FavoriteSoundList | rows | null |
| Likes and Favorites | Favorite Videos | FavoriteVideoList | rows | null |
| Likes and Favorites | Like List | ItemFavoriteList | rows (lower-case keys) | null |
| Location Review | Location Reviews | ReviewsList | not emulated | null |
| Post | Posts | VideoList | rows | null |
| Post | Recently Deleted Posts | PostList | not emulated | [] |
| Profile And Settings | Block List | BlockList | rows | null |
| Profile And Settings | Follower | FansList | rows | [] |
| Profile And Settings | Following | Following | rows | null |
| Profile And Settings | Profile Info | ProfileMap | record | {} |
| Profile And Settings | Settings | SettingsMap | record | {} |
| TikTok Live | Go Live History | GoLiveList | not emulated | null |
| TikTok Live | Watch Live History | WatchLiveMap | not emulated | {} |
| TikTok Shop | Communication With Shops | CommunicationHistories | not emulated | null |
| TikTok Shop | Current Payment Information | PayCard | not emulated | [] |
| TikTok Shop | Order History | OrderHistories | not emulated | {} |
| TikTok Shop | Product Browsing History | ProductBrowsingHistories | not emulated | null |
| TikTok Shop | Saved Address Information | SavedAddress | not emulated | [] |
| TikTok Shop | Shopping Cart List | ShoppingCart | not emulated | null |
| Your Activity | Login History | LoginHistoryList | rows | null |
| Your Activity | Purchases | BuyGifts, SendGifts | not emulated | null, null |
| Your Activity | Reposts | RepostList | rows | null |
| Your Activity | Searches | SearchList | rows | null |
| Your Activity | Share History | ShareHistoryList | rows | null |
| Your Activity | Status | Status List | rows | null |
| Your Activity | Watch History | VideoList | rows | null |

"Not emulated" sub-sections are always present and always empty. Sections and sub-sections
are in alphabetical order, as in real exports. The record sub-sections (`Profile Info`,
`Settings`) describe the account itself and stay filled even for the `empty` persona.

Dates are `YYYY-MM-DD HH:MM:SS`; `Comment` dates and the dates of some chat threads end in
` UTC` (reference §6). In TEXT every date ends in ` UTC`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CATEGORIES: tuple[str, ...] = ("all_data", "video", "profile", "activity", "direct_message")

#: How an empty slot is written in JSON.
EmptyAs = Literal["null", "[]", "{}"]

#: `date`: "YYYY-MM-DD HH:MM:SS" strings; `str`: ASCII values that need no JSON escaping
#: (links, IPs, fixed labels); `text`: free text that must be escaped; `int`: numbers.
FieldKind = Literal["date", "str", "text", "int"]


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a row object, in the order it is written."""

    key: str
    kind: FieldKind = "str"
    #: the JSON value carries a ` UTC` suffix (TEXT always does)
    utc: bool = False

    @property
    def label(self) -> str:
        """The TEXT label: the JSON key with its first letter upper-cased (`date` → `Date`)."""
        return self.key[:1].upper() + self.key[1:]


@dataclass(frozen=True, slots=True)
class Rows:
    """A list of flat objects produced by the row source `source` (see rows.py)."""

    key: str
    fields: tuple[Field, ...]
    source: str
    empty: EmptyAs


@dataclass(frozen=True, slots=True)
class Record:
    """A single flat object about the account (ProfileMap, SettingsMap)."""

    key: str
    source: str
    empty: EmptyAs = "{}"


@dataclass(frozen=True, slots=True)
class Threads:
    """The DM map `"Chat History with <user>:" → [messages]`."""

    key: str
    fields: tuple[Field, ...]
    empty: EmptyAs = "{}"


@dataclass(frozen=True, slots=True)
class Empty:
    """A sub-section the mock does not emulate: always present, always empty."""

    key: str
    empty: EmptyAs


Slot = Rows | Record | Threads | Empty


@dataclass(frozen=True, slots=True)
class SubSection:
    """A named object under a section (`Watch History`), written as one TEXT file."""

    name: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level key of `user_data_tiktok.json` and a folder of the TEXT export."""

    name: str
    subsections: tuple[SubSection, ...]


def _sub(name: str, *slots: Slot) -> SubSection:
    return SubSection(name, slots)


_DATE = Field("Date", "date")
_LINK = Field("Link")
_DATE_LINK = (_DATE, _LINK)
_DATE_USER = (_DATE, Field("UserName", "text"))

SECTIONS: tuple[Section, ...] = (
    Section(
        "Comment",
        (
            _sub(
                "Comments",
                Rows(
                    "CommentsList",
                    (
                        Field("date", "date", utc=True),
                        Field("comment", "text"),
                        Field("photo"),
                        Field("url"),
                    ),
                    "comments",
                    "null",
                ),
            ),
        ),
    ),
    Section(
        "Direct Message",
        (
            _sub(
                "Direct Messages",
                Threads("ChatHistory", (_DATE, Field("From", "text"), Field("Content", "text"))),
            ),
            _sub("Group Chat", Empty("GroupChat", "{}")),
        ),
    ),
    Section(
        "Income+ Wallet",
        (
            _sub(
                "Coin Purchase History",
                Rows(
                    "CoinPurchaseHistoryList",
                    (_DATE, Field("Type"), Field("CoinAmount", "int")),
                    "coin_purchases",
                    "null",
                ),
            ),
            _sub("Transaction History", Empty("TransactionsList", "null")),
        ),
    ),
    Section(
        "Likes and Favorites",
        (
            _sub(
                "Favorite Effects",
                Rows(
                    "FavoriteEffectsList",
                    (_DATE, Field("EffectLink")),
                    "favorite_effects",
                    "null",
                ),
            ),
            _sub(
                "Favorite Hashtags",
                Rows(
                    "FavoriteHashtagList",
                    (_DATE, Field("Link", "text")),
                    "favorite_hashtags",
                    "[]",
                ),
            ),
            _sub(
                "Favorite Sounds",
                Rows("FavoriteSoundList", _DATE_LINK, "favorite_sounds", "null"),
            ),
            _sub(
                "Favorite Videos",
                Rows("FavoriteVideoList", _DATE_LINK, "favorite_videos", "null"),
            ),
            _sub(
                "Like List",
                # Lower-case keys here only: real exports do this and clients trip on it.
                Rows(
                    "ItemFavoriteList",
                    (Field("date", "date"), Field("link")),
                    "likes",
                    "null",
                ),
            ),
        ),
    ),
    Section(
        "Location Review",
        (_sub("Location Reviews", Empty("ReviewsList", "null")),),
    ),
    Section(
        "Post",
        (
            _sub(
                "Posts",
                Rows(
                    "VideoList",
                    (
                        _DATE,
                        _LINK,
                        Field("Likes"),
                        Field("Title", "text"),
                        Field("WhoCanView"),
                        Field("AllowComments"),
                        Field("AllowStitches"),
                        Field("AllowDuets"),
                        Field("AllowStickers"),
                        Field("AllowSharingToStory"),
                        Field("ContentDisclosure"),
                        Field("AIGeneratedContent"),
                        Field("Sound", "text"),
                        Field("Location", "text"),
                    ),
                    "posts",
                    "null",
                ),
            ),
            _sub("Recently Deleted Posts", Empty("PostList", "[]")),
        ),
    ),
    Section(
        "Profile And Settings",
        (
            _sub("Block List", Rows("BlockList", _DATE_USER, "block_list", "null")),
            _sub("Follower", Rows("FansList", _DATE_USER, "followers", "[]")),
            _sub("Following", Rows("Following", _DATE_USER, "following", "null")),
            _sub("Profile Info", Record("ProfileMap", "profile")),
            _sub("Settings", Record("SettingsMap", "settings")),
        ),
    ),
    Section(
        "TikTok Live",
        (
            _sub("Go Live History", Empty("GoLiveList", "null")),
            _sub("Watch Live History", Empty("WatchLiveMap", "{}")),
        ),
    ),
    Section(
        "TikTok Shop",
        (
            _sub("Communication With Shops", Empty("CommunicationHistories", "null")),
            _sub("Current Payment Information", Empty("PayCard", "[]")),
            _sub("Order History", Empty("OrderHistories", "{}")),
            _sub("Product Browsing History", Empty("ProductBrowsingHistories", "null")),
            _sub("Saved Address Information", Empty("SavedAddress", "[]")),
            _sub("Shopping Cart List", Empty("ShoppingCart", "null")),
        ),
    ),
    Section(
        "Your Activity",
        (
            _sub(
                "Login History",
                Rows(
                    "LoginHistoryList",
                    (
                        _DATE,
                        Field("IP"),
                        Field("DeviceModel"),
                        Field("DeviceSystem"),
                        Field("NetworkType"),
                        Field("Carrier", "text"),
                    ),
                    "logins",
                    "null",
                ),
            ),
            _sub("Purchases", Empty("BuyGifts", "null"), Empty("SendGifts", "null")),
            _sub("Reposts", Rows("RepostList", _DATE_LINK, "reposts", "null")),
            _sub(
                "Searches",
                Rows("SearchList", (_DATE, Field("SearchTerm", "text")), "searches", "null"),
            ),
            _sub(
                "Share History",
                Rows(
                    "ShareHistoryList",
                    (_DATE, Field("SharedContent"), _LINK, Field("Method")),
                    "shares",
                    "null",
                ),
            ),
            _sub(
                "Status",
                Rows(
                    "Status List",
                    (Field("Resolution"), Field("App Version"), Field("Web ID")),
                    "status",
                    "null",
                ),
            ),
            _sub("Watch History", Rows("VideoList", _DATE_LINK, "watch", "null")),
        ),
    ),
)

SECTION_NAMES: tuple[str, ...] = tuple(section.name for section in SECTIONS)
_BY_NAME: dict[str, Section] = {section.name: section for section in SECTIONS}

#: Reference §6 "Category → sections"; `all_data` is handled in sections_for.
CATEGORY_SECTIONS: dict[str, tuple[str, ...]] = {
    "all_data": SECTION_NAMES,
    "video": ("Post",),
    "profile": ("Profile And Settings",),
    "direct_message": ("Direct Message",),
    "activity": ("Your Activity", "Comment", "Likes and Favorites"),
}


def sections_for(categories: Sequence[str]) -> list[str]:
    """Top-level section names (reference §6 'Category → sections') in canonical order;
    all_data → all ten."""
    if isinstance(categories, str):
        # A bare string is a Sequence[str] too; iterating it would test single letters.
        raise ValueError("categories must be a list of category names, not a string")
    if not categories:
        raise ValueError("at least one category is required")
    wanted: set[str] = set()
    for category in categories:
        if category not in CATEGORY_SECTIONS:
            raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES}")
        wanted.update(CATEGORY_SECTIONS[category])
    return [name for name in SECTION_NAMES if name in wanted]


def section(name: str) -> Section:
    """The layout of the section called `name`."""
    return _BY_NAME[name]
