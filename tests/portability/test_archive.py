"""The Data Portability archive as clients see it: the zip, its JSON and TEXT layouts (§6)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from mockserver.portability.archive import (
    CATEGORIES,
    PERSONAS,
    archive_filename,
    sections_for,
    stream_archive,
)
from mockserver.portability.archive.pools import EDGE_USERNAMES
from mockserver.portability.archive.rows import ArchiveRows

SNAPSHOT = 1_767_225_600  # 2026-01-01 00:00:00 UTC
THREE_AND_A_HALF_YEARS = int(3.5 * 365 * 86_400)
EMPTY_TEXT = "You have no data in this section"
ALL_SECTIONS = [
    "Comment",
    "Direct Message",
    "Income+ Wallet",
    "Likes and Favorites",
    "Location Review",
    "Post",
    "Profile And Settings",
    "TikTok Live",
    "TikTok Shop",
    "Your Activity",
]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_UTC = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")
VIDEO_LINK = re.compile(r"^https://www\.tiktokv\.com/share/video/\d{19}/$")
EDGE_BIO = 'bio with "quotes", a \\ backslash,\na newline, שלום, مرحبا and 🎉'


def make_user(persona: str = "light", **overrides: Any) -> dict[str, Any]:
    user: dict[str, Any] = {
        "open_id": "-000abcdefghijklmnopqrstuvwxyz0123",
        "username": "anna.k",
        "display_name": "Anna K.",
        "bio_description": "coffee, cats & code",
        "avatar_url": "https://p16-sign-va.tiktokcdn.com/avatar.jpeg",
        "region": "DE",
        "birth_date": "1999-04-01",
        "email": "anna@example.com",
        "phone": "+4915112345678",
        "follower_count": 5_000,
        "following_count": 400,
        "likes_count": 12_345,
        "video_count": 80,
        "persona": persona,
        "archive_seed": 42,
        "locale": "de_DE",
    }
    if persona == "edge":
        user["bio_description"] = EDGE_BIO
        user["display_name"] = "Ánna 🌙 אנה"
    user.update(overrides)
    return user


def build(user: Mapping[str, Any], categories: list[str], data_format: str, **kw: Any) -> bytes:
    return b"".join(stream_archive(user, categories, data_format, snapshot_time=SNAPSHOT, **kw))


@cache
def archive(persona: str, categories: tuple[str, ...] = ("all_data",), fmt: str = "json") -> bytes:
    return build(make_user(persona), list(categories), fmt)


@cache
def doc(persona: str, categories: tuple[str, ...] = ("all_data",)) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(archive(persona, categories))) as zf:
        assert zf.namelist() == ["user_data_tiktok.json"]
        parsed: dict[str, Any] = json.loads(zf.read("user_data_tiktok.json"))
        return parsed


@cache
def text_files(persona: str, categories: tuple[str, ...] = ("all_data",)) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(archive(persona, categories, "text"))) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}


def records(text: str) -> list[dict[str, str]]:
    """Parse a TEXT file whose values have no line breaks."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    return [
        dict(line.split(": ", 1) for line in block.split("\n")) for block in text[:-1].split("\n\n")
    ]


# -- categories → sections ------------------------------------------------------------------

CATEGORY_CASES = [
    (["all_data"], ALL_SECTIONS),
    (["video"], ["Post"]),
    (["profile"], ["Profile And Settings"]),
    (["direct_message"], ["Direct Message"]),
    (["activity"], ["Comment", "Likes and Favorites", "Your Activity"]),
    (["video", "profile"], ["Post", "Profile And Settings"]),
    (["profile", "video"], ["Post", "Profile And Settings"]),
    (["activity", "video"], ["Comment", "Likes and Favorites", "Post", "Your Activity"]),
    (["video", "all_data"], ALL_SECTIONS),
    (["activity", "activity"], ["Comment", "Likes and Favorites", "Your Activity"]),
]


@pytest.mark.parametrize(("categories", "expected"), CATEGORY_CASES)
def test_sections_for_maps_categories_in_canonical_order(
    categories: list[str], expected: list[str]
) -> None:
    assert sections_for(categories) == expected


@pytest.mark.parametrize(("categories", "expected"), CATEGORY_CASES)
def test_json_holds_exactly_the_sections_of_the_categories(
    categories: list[str], expected: list[str]
) -> None:
    assert list(doc("light", tuple(categories))) == expected


@pytest.mark.parametrize(("categories", "expected"), CATEGORY_CASES)
def test_text_holds_exactly_the_folders_of_the_categories(
    categories: list[str], expected: list[str]
) -> None:
    folders = {name.split("/")[1] for name in text_files("light", tuple(categories))}
    assert sorted(folders) == expected


def test_public_constants() -> None:
    assert CATEGORIES == ("all_data", "video", "profile", "activity", "direct_message")
    assert PERSONAS == ("empty", "light", "typical", "huge", "edge")


# -- JSON shapes ----------------------------------------------------------------------------

LOGIN_KEYS = ["Date", "IP", "DeviceModel", "DeviceSystem", "NetworkType", "Carrier"]
ROW_SHAPES = [
    ("Comment", "Comments", "CommentsList", ["date", "comment", "photo", "url"]),
    ("Income+ Wallet", "Coin Purchase History", "CoinPurchaseHistoryList",
     ["Date", "Type", "CoinAmount"]),
    ("Likes and Favorites", "Favorite Effects", "FavoriteEffectsList", ["Date", "EffectLink"]),
    ("Likes and Favorites", "Favorite Hashtags", "FavoriteHashtagList", ["Date", "Link"]),
    ("Likes and Favorites", "Favorite Sounds", "FavoriteSoundList", ["Date", "Link"]),
    ("Likes and Favorites", "Favorite Videos", "FavoriteVideoList", ["Date", "Link"]),
    ("Likes and Favorites", "Like List", "ItemFavoriteList", ["date", "link"]),
    ("Post", "Posts", "VideoList", [
        "Date", "Link", "Likes", "Title", "WhoCanView", "AllowComments", "AllowStitches",
        "AllowDuets", "AllowStickers", "AllowSharingToStory", "ContentDisclosure",
        "AIGeneratedContent", "Sound", "Location",
    ]),
    ("Profile And Settings", "Block List", "BlockList", ["Date", "UserName"]),
    ("Profile And Settings", "Follower", "FansList", ["Date", "UserName"]),
    ("Profile And Settings", "Following", "Following", ["Date", "UserName"]),
    ("Your Activity", "Login History", "LoginHistoryList", LOGIN_KEYS),
    ("Your Activity", "Reposts", "RepostList", ["Date", "Link"]),
    ("Your Activity", "Searches", "SearchList", ["Date", "SearchTerm"]),
    ("Your Activity", "Share History", "ShareHistoryList",
     ["Date", "SharedContent", "Link", "Method"]),
    ("Your Activity", "Status", "Status List", ["Resolution", "App Version", "Web ID"]),
    ("Your Activity", "Watch History", "VideoList", ["Date", "Link"]),
]  # fmt: skip


@pytest.mark.parametrize(("section", "sub", "key", "fields"), ROW_SHAPES)
def test_row_lists_have_the_exact_keys(section: str, sub: str, key: str, fields: list[str]) -> None:
    rows = doc("typical")[section][sub][key]
    assert isinstance(rows, list) and rows
    for row in rows:
        assert list(row) == fields


def test_like_list_keys_are_lower_case() -> None:
    likes = doc("typical")["Likes and Favorites"]["Like List"]["ItemFavoriteList"]
    assert {tuple(row) for row in likes} == {("date", "link")}


def test_sub_sections_are_alphabetical_like_real_exports() -> None:
    for section, subs in doc("typical").items():
        assert list(subs) == sorted(subs), section


def test_direct_messages_are_threads_keyed_by_partner() -> None:
    history = doc("typical")["Direct Message"]["Direct Messages"]["ChatHistory"]
    assert len(history) == 6
    for key, messages in history.items():
        match = re.fullmatch(r"Chat History with (.+):", key, re.S)
        assert match
        partner = match.group(1)
        assert messages and all(list(m) == ["Date", "From", "Content"] for m in messages)
        assert {m["From"] for m in messages} <= {"anna.k", partner}


def test_profile_map_is_filled_from_the_user() -> None:
    user = make_user("typical")
    profile = doc("typical")["Profile And Settings"]["Profile Info"]["ProfileMap"]
    assert profile == {
        "userName": user["username"],
        "displayName": user["display_name"],
        "bioDescription": user["bio_description"],
        "birthDate": user["birth_date"],
        "emailAddress": user["email"],
        "telephoneNumber": user["phone"],
        "profilePhoto": user["avatar_url"],
        "followerCount": user["follower_count"],
        "followingCount": user["following_count"],
        "likesReceived": user["likes_count"],
        "accountRegion": user["region"],
    }
    assert doc("typical")["Profile And Settings"]["Settings"]["SettingsMap"]


@pytest.mark.parametrize("persona", ["empty", "typical", "edge"])
def test_json_is_pretty_printed_utf8_like_json_dumps(persona: str) -> None:
    with zipfile.ZipFile(io.BytesIO(archive(persona))) as zf:
        raw = zf.read("user_data_tiktok.json").decode("utf-8")
    assert raw == json.dumps(json.loads(raw), indent=2, ensure_ascii=False)


# -- dates and links --------------------------------------------------------------------------


def _dated_rows(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, date) for every dated row outside the DM threads."""
    out = []
    for section, subs in document.items():
        for sub, slots in subs.items():
            for key, value in slots.items():
                if isinstance(value, list):
                    for row in value:
                        date = row.get("Date", row.get("date"))
                        if date is not None:
                            out.append((f"{section}/{sub}/{key}", date))
    return out


def test_dates_have_the_documented_format_and_comment_dates_end_in_utc() -> None:
    dated = _dated_rows(doc("typical"))
    assert len(dated) > 15_000
    for path, date in dated:
        expected = DATE_UTC if path.startswith("Comment/") else DATE
        assert expected.match(date), (path, date)


def test_each_chat_thread_uses_one_date_format_and_both_occur() -> None:
    formats = set()
    for seed in (1, 2, 3):
        history = ArchiveRows(make_user("typical", archive_seed=seed), SNAPSHOT).threads()
        for thread in history:
            messages = list(thread.messages)
            assert all(DATE.match(str(m[0])) for m in messages)
            formats.add(thread.utc)
    history = doc("typical")["Direct Message"]["Direct Messages"]["ChatHistory"]
    for messages in history.values():
        kinds = {bool(DATE_UTC.match(m["Date"])) for m in messages}
        assert len(kinds) == 1 and all(DATE.match(m["Date"].removesuffix(" UTC")) for m in messages)
    assert formats == {True, False}


@pytest.mark.parametrize("persona", ["typical", "edge"])
def test_every_date_is_before_the_snapshot_within_about_three_years(persona: str) -> None:
    document = doc(persona)
    dates = [d for _, d in _dated_rows(document)]
    for messages in document["Direct Message"]["Direct Messages"]["ChatHistory"].values():
        dates += [m["Date"] for m in messages]
    newest = "2026-01-01 00:00:00"
    oldest = "2022-07-01 00:00:00"  # 3.5 years before the snapshot
    assert all(oldest <= d.removesuffix(" UTC") <= newest for d in dates)


def test_rows_are_newest_first() -> None:
    for _, subs in doc("typical").items():
        for slots in subs.values():
            for value in slots.values():
                if isinstance(value, list) and value and ("Date" in value[0] or "date" in value[0]):
                    dates = [row.get("Date", row.get("date")) for row in value]
                    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("section", "sub", "key", "field"),
    [
        ("Your Activity", "Watch History", "VideoList", "Link"),
        ("Your Activity", "Reposts", "RepostList", "Link"),
        ("Your Activity", "Share History", "ShareHistoryList", "Link"),
        ("Likes and Favorites", "Like List", "ItemFavoriteList", "link"),
        ("Likes and Favorites", "Favorite Videos", "FavoriteVideoList", "Link"),
        ("Post", "Posts", "VideoList", "Link"),
    ],
)
def test_video_links_have_the_share_format(section: str, sub: str, key: str, field: str) -> None:
    rows = doc("typical")[section][sub][key]
    assert rows and all(VIDEO_LINK.match(row[field]) for row in rows)


# -- empty sections -----------------------------------------------------------------------------

EMPTY_ENCODINGS: list[tuple[str, str, str, Any]] = [
    ("Comment", "Comments", "CommentsList", None),
    ("Direct Message", "Direct Messages", "ChatHistory", {}),
    ("Direct Message", "Group Chat", "GroupChat", {}),
    ("Income+ Wallet", "Coin Purchase History", "CoinPurchaseHistoryList", None),
    ("Income+ Wallet", "Transaction History", "TransactionsList", None),
    ("Likes and Favorites", "Favorite Effects", "FavoriteEffectsList", None),
    ("Likes and Favorites", "Favorite Hashtags", "FavoriteHashtagList", []),
    ("Likes and Favorites", "Favorite Sounds", "FavoriteSoundList", None),
    ("Likes and Favorites", "Favorite Videos", "FavoriteVideoList", None),
    ("Likes and Favorites", "Like List", "ItemFavoriteList", None),
    ("Location Review", "Location Reviews", "ReviewsList", None),
    ("Post", "Posts", "VideoList", None),
    ("Post", "Recently Deleted Posts", "PostList", []),
    ("Profile And Settings", "Block List", "BlockList", None),
    ("Profile And Settings", "Follower", "FansList", []),
    ("Profile And Settings", "Following", "Following", None),
    ("TikTok Live", "Go Live History", "GoLiveList", None),
    ("TikTok Live", "Watch Live History", "WatchLiveMap", {}),
    ("TikTok Shop", "Communication With Shops", "CommunicationHistories", None),
    ("TikTok Shop", "Current Payment Information", "PayCard", []),
    ("TikTok Shop", "Order History", "OrderHistories", {}),
    ("TikTok Shop", "Product Browsing History", "ProductBrowsingHistories", None),
    ("TikTok Shop", "Saved Address Information", "SavedAddress", []),
    ("TikTok Shop", "Shopping Cart List", "ShoppingCart", None),
    ("Your Activity", "Login History", "LoginHistoryList", None),
    ("Your Activity", "Purchases", "BuyGifts", None),
    ("Your Activity", "Purchases", "SendGifts", None),
    ("Your Activity", "Reposts", "RepostList", None),
    ("Your Activity", "Searches", "SearchList", None),
    ("Your Activity", "Share History", "ShareHistoryList", None),
    ("Your Activity", "Status", "Status List", None),
    ("Your Activity", "Watch History", "VideoList", None),
]


@pytest.mark.parametrize(("section", "sub", "key", "encoding"), EMPTY_ENCODINGS)
def test_empty_persona_uses_the_documented_empty_encoding(
    section: str, sub: str, key: str, encoding: Any
) -> None:
    value = doc("empty")[section][sub][key]
    assert value == encoding and type(value) is type(encoding)


def test_empty_persona_lists_every_sub_section_and_keeps_the_profile() -> None:
    document = doc("empty")
    listed = {(s, sub, k) for s, subs in document.items() for sub, o in subs.items() for k in o}
    profile = {
        ("Profile And Settings", "Profile Info", "ProfileMap"),
        ("Profile And Settings", "Settings", "SettingsMap"),
    }
    assert listed == {(s, sub, k) for s, sub, k, _ in EMPTY_ENCODINGS} | profile
    assert document["Profile And Settings"]["Profile Info"]["ProfileMap"]["userName"] == "anna.k"


# -- TEXT ---------------------------------------------------------------------------------------


def test_text_members_are_one_file_per_sub_section_under_the_snapshot_folder() -> None:
    files = text_files("typical")
    expected = {
        f"TikTok_Data_{SNAPSHOT}/{section}/{sub}.txt" for section, sub, _, _ in EMPTY_ENCODINGS
    } | {
        f"TikTok_Data_{SNAPSHOT}/Profile And Settings/Profile Info.txt",
        f"TikTok_Data_{SNAPSHOT}/Profile And Settings/Settings.txt",
    }
    assert set(files) == expected
    assert len(files) == 33


def test_text_records_are_key_value_lines_separated_by_blank_lines() -> None:
    root = f"TikTok_Data_{SNAPSHOT}"
    files = text_files("typical")
    watch = records(files[f"{root}/Your Activity/Watch History.txt"])
    assert len(watch) == 9_000
    for record in watch:
        assert list(record) == ["Date", "Link"]
        assert DATE_UTC.match(record["Date"]) and VIDEO_LINK.match(record["Link"])
    likes = records(files[f"{root}/Likes and Favorites/Like List.txt"])
    assert len(likes) == 3_500 and all(DATE_UTC.match(r["Date"]) for r in likes)
    logins = records(files[f"{root}/Your Activity/Login History.txt"])
    assert list(logins[0]) == LOGIN_KEYS
    [profile] = records(files[f"{root}/Profile And Settings/Profile Info.txt"])
    assert profile["UserName"] == "anna.k" and profile["FollowerCount"] == "5000"


def test_text_direct_messages_start_each_thread_with_its_header() -> None:
    text = text_files("typical")[f"TikTok_Data_{SNAPSHOT}/Direct Message/Direct Messages.txt"]
    blocks = text[:-1].split("\n\n")
    headers = [b for b in blocks if b.startswith("Chat History with ")]
    assert len(headers) == 6 and all(h.endswith(":") and "\n" not in h for h in headers)
    assert blocks[0] in headers
    messages = [b for b in blocks if b not in headers]
    assert all(b.startswith("Date: ") and "\nFrom: " in b and "\nContent: " in b for b in messages)


def test_text_empty_files_hold_exactly_the_sentinel() -> None:
    files = text_files("empty")
    kept = {"Profile Info.txt", "Settings.txt"}
    for name, content in files.items():
        if name.rsplit("/", 1)[1] in kept:
            assert content.endswith("\n") and ": " in content
        else:
            assert content == EMPTY_TEXT, name
    shop = [c for n, c in text_files("typical").items() if "/TikTok Shop/" in n]
    assert shop and all(c == EMPTY_TEXT for c in shop)


# -- edge persona -------------------------------------------------------------------------------


def test_edge_round_trips_awkward_text_through_json() -> None:
    document = doc("edge")
    profile = document["Profile And Settings"]["Profile Info"]["ProfileMap"]
    assert profile["bioDescription"] == EDGE_BIO
    assert profile["displayName"] == "Ánna 🌙 אנה"
    history = document["Direct Message"]["Direct Messages"]["ChatHistory"]
    partners = {key.removeprefix("Chat History with ").removesuffix(":") for key in history}
    assert partners <= set(EDGE_USERNAMES)
    contents = [m["Content"] for msgs in history.values() for m in msgs]
    comments = [c["comment"] for c in document["Comment"]["Comments"]["CommentsList"]]
    followers = [f["UserName"] for f in document["Profile And Settings"]["Follower"]["FansList"]]
    for texts in (contents, comments):
        joined = "\x00".join(texts)
        for needle in ("\n", "\r\n", '"', "\\", "😀", "\u200d", "مرحبا", "שלום", "\u202e"):
            assert needle in joined, needle
    assert any("\n" in name for name in list(partners) + followers)
    assert any(re.search("[\u0590-\u06ff]", name) for name in followers + list(partners))


def test_edge_has_one_thread_of_exactly_fifty_thousand_messages() -> None:
    history = doc("edge")["Direct Message"]["Direct Messages"]["ChatHistory"]
    sizes = sorted(len(messages) for messages in history.values())
    assert sizes[-1] == 50_000 and sizes[-2] < 50_000


def test_edge_text_keeps_line_breaks_verbatim() -> None:
    files = text_files("edge")
    text = files[f"TikTok_Data_{SNAPSHOT}/Profile And Settings/Profile Info.txt"]
    assert f"BioDescription: {EDGE_BIO}\n" in text


# -- volumes ------------------------------------------------------------------------------------

TYPICAL_VOLUMES = [
    ("Your Activity", "Watch History", "VideoList", 9_000),
    ("Likes and Favorites", "Like List", "ItemFavoriteList", 3_500),
    ("Likes and Favorites", "Favorite Videos", "FavoriteVideoList", 1_800),
    ("Your Activity", "Login History", "LoginHistoryList", 350),
    ("Your Activity", "Searches", "SearchList", 140),
    ("Comment", "Comments", "CommentsList", 95),
    ("Post", "Posts", "VideoList", 36),
    ("Profile And Settings", "Follower", "FansList", 1_500),
    ("Profile And Settings", "Following", "Following", 150),
]


@pytest.mark.parametrize(("section", "sub", "key", "count"), TYPICAL_VOLUMES)
def test_typical_has_the_documented_volumes(section: str, sub: str, key: str, count: int) -> None:
    assert len(doc("typical")[section][sub][key]) == count


def test_typical_direct_messages_have_a_handful_of_threads_of_tens_to_hundreds() -> None:
    history = doc("typical")["Direct Message"]["Direct Messages"]["ChatHistory"]
    assert len(history) == 6
    assert all(20 <= len(messages) <= 400 for messages in history.values())


def test_light_has_tens_of_rows() -> None:
    activity = doc("light")["Your Activity"]
    assert len(activity["Watch History"]["VideoList"]) == 40
    assert len(activity["Login History"]["LoginHistoryList"]) == 12


def test_volumes_are_capped_by_the_profile_statistics() -> None:
    user = make_user("typical", video_count=3, follower_count=0, following_count=7)
    data = ArchiveRows(user, SNAPSHOT)
    assert (data.count("posts"), data.count("followers"), data.count("following")) == (3, 0, 7)
    assert len(list(data.rows("posts"))) == 3


def test_huge_generates_a_million_watch_rows_and_typical_elsewhere() -> None:
    huge = ArchiveRows(make_user("huge"), SNAPSHOT)
    typical = ArchiveRows(make_user("typical"), SNAPSHOT)
    assert huge.count("watch") >= 1_000_000
    assert sum(1 for _ in huge.rows("watch")) == huge.count("watch")
    for source in ("likes", "favorite_videos", "logins", "searches", "comments", "posts"):
        assert huge.count(source) == typical.count(source)
    assert huge.thread_sizes() == typical.thread_sizes()


# -- the zip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["empty", "light", "typical", "edge"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_zip_is_valid_deflated_and_fixed(persona: str, fmt: str) -> None:
    with zipfile.ZipFile(io.BytesIO(archive(persona, ("all_data",), fmt))) as zf:
        assert zf.testzip() is None
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (2026, 1, 1, 0, 0, 0)
            assert info.create_system == 3


def test_chunks_have_the_requested_size_except_the_last() -> None:
    chunks = list(
        stream_archive(make_user("typical"), ["activity"], "json", snapshot_time=SNAPSHOT,
                       chunk_size=10_000)
    )  # fmt: skip
    assert len(chunks) > 5
    assert all(len(c) == 10_000 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 10_000
    assert b"".join(chunks) == archive("typical", ("activity",))


def test_equal_inputs_give_identical_bytes() -> None:
    for fmt in ("json", "text"):
        assert build(make_user("edge"), ["all_data"], fmt) == archive("edge", ("all_data",), fmt)


_CHILD = """
import hashlib, json, sys
from mockserver.portability.archive import stream_archive
user, snapshot = json.loads(sys.argv[1]), int(sys.argv[2])
digest = hashlib.sha256()
for chunk in stream_archive(user, ["all_data"], "json", snapshot_time=snapshot):
    digest.update(chunk)
print(digest.hexdigest())
"""


def test_bytes_do_not_depend_on_hash_randomisation() -> None:
    user = make_user("light")
    expected = hashlib.sha256(archive("light")).hexdigest()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(user), str(SNAPSHOT)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert out.stdout.strip() == expected


@pytest.mark.parametrize(
    "change",
    [{"archive_seed": 43}, {"locale": "en_GB"}, {"username": "someone.else"}],
)
def test_different_inputs_give_different_archives(change: dict[str, Any]) -> None:
    assert build(make_user("light", **change), ["all_data"], "json") != archive("light")


def test_a_different_snapshot_gives_a_different_archive() -> None:
    other = b"".join(
        stream_archive(make_user("light"), ["all_data"], "json", snapshot_time=SNAPSHOT + 1)
    )
    assert other != archive("light")


@pytest.mark.parametrize("locale", ["en_GB", "pt_BR", "de_CH", "el_CY", "xx_XX"])
def test_locales_without_their_own_faker_data_still_build(locale: str) -> None:
    data = build(make_user("light", locale=locale), ["activity"], "json")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        document = json.loads(zf.read("user_data_tiktok.json"))
    assert len(document["Your Activity"]["Searches"]["SearchList"]) == 15


def test_importing_the_package_does_not_import_faker() -> None:
    code = "import sys, mockserver.portability.archive; print('faker' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- bad input ----------------------------------------------------------------------------------

BAD_CALLS: list[tuple[str, dict[str, Any], Any, str]] = [
    ("unknown category", {}, ["videos"], "json"),
    ("no category", {}, [], "json"),
    ("string instead of a list", {}, "video", "json"),
    ("unknown format", {}, ["video"], "xml"),
    ("format in upper case", {}, ["video"], "JSON"),
    ("unknown persona", {"persona": "celebrity"}, ["video"], "json"),
    ("seed of the wrong type", {"archive_seed": "42"}, ["video"], "json"),
    ("boolean seed", {"archive_seed": True}, ["video"], "json"),
]


@pytest.mark.parametrize(
    ("change", "categories", "fmt"),
    [case[1:] for case in BAD_CALLS],
    ids=[case[0] for case in BAD_CALLS],
)
def test_bad_input_raises_value_error_at_the_call(
    change: dict[str, Any], categories: list[str], fmt: str
) -> None:
    user = {**make_user("light"), **change}
    with pytest.raises(ValueError):
        stream_archive(user, categories, fmt, snapshot_time=SNAPSHOT)


def test_missing_user_keys_raise_value_error() -> None:
    user = make_user("light")
    del user["locale"]
    with pytest.raises(ValueError, match="locale"):
        stream_archive(user, ["video"], "json", snapshot_time=SNAPSHOT)


@pytest.mark.parametrize(
    ("request_id", "fmt", "expected"),
    [
        (7_234_567_890_123_456, "json", "tiktok_data_7234567890123456_json.zip"),
        (2**63 - 1, "text", f"tiktok_data_{2**63 - 1}_text.zip"),
    ],
)
def test_archive_filename(request_id: int, fmt: str, expected: str) -> None:
    assert archive_filename(request_id, fmt) == expected


@pytest.mark.parametrize(("request_id", "fmt"), [(1, "csv"), (1, ""), ("1", "json")])
def test_archive_filename_rejects_bad_input(request_id: Any, fmt: str) -> None:
    with pytest.raises(ValueError):
        archive_filename(request_id, fmt)
