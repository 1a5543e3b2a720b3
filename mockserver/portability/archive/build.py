"""The zip behind `POST /v2/user/data/download/` (reference §5.5 and §6), built while it is sent.

JSON archives hold one member, `user_data_tiktok.json`; TEXT archives hold one `.txt` per
sub-section under `TikTok_Data_<snapshot_time>/`. The content is a pure function of the user
dict, the categories, the format and `snapshot_time`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .jsonfmt import encode_json
from .layout import section, sections_for
from .rows import PERSONAS, REQUIRED_USER_KEYS, ArchiveRows
from .textfmt import text_members
from .zipstream import stream_zip, zip_date_time

DATA_FORMATS: tuple[str, ...] = ("json", "text")
JSON_MEMBER = "user_data_tiktok.json"


def _check_format(data_format: str) -> None:
    if data_format not in DATA_FORMATS:
        raise ValueError(f"unknown data_format {data_format!r}; expected 'json' or 'text'")


def _check_int(name: str, value: object) -> None:
    # bool is an int subclass; True as a seed or timestamp is a caller bug, not a value.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an int, got {value!r}")


def archive_filename(request_id: int, data_format: str) -> str:
    """The download's file name, `tiktok_data_<request_id>_<json|text>.zip` (TikTok does not
    document one; this is the mock's stable choice)."""
    _check_int("request_id", request_id)
    _check_format(data_format)
    return f"tiktok_data_{request_id}_{data_format}.zip"


def _check_user(user: Mapping[str, Any]) -> None:
    missing = [key for key in REQUIRED_USER_KEYS if key not in user]
    if missing:
        raise ValueError(f"user is missing {', '.join(missing)}")
    if user["persona"] not in PERSONAS:
        raise ValueError(f"unknown persona {user['persona']!r}; expected one of {PERSONAS}")
    _check_int("archive_seed", user["archive_seed"])


def stream_archive(
    user: Mapping[str, Any],
    categories: Sequence[str],
    data_format: str,
    *,
    snapshot_time: int,
    chunk_size: int = 65536,
) -> Iterator[bytes]:
    """Yield the zip archive in chunks while generating it."""
    # Validated here, before the generator exists, so a bad request fails at the call and not
    # after the HTTP response has started.
    names = sections_for(categories)
    _check_format(data_format)
    _check_user(user)
    _check_int("snapshot_time", snapshot_time)
    _check_int("chunk_size", chunk_size)
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")

    layout = [section(name) for name in names]
    data = ArchiveRows(user, snapshot_time)
    if data_format == "json":
        members: Iterator[tuple[str, Iterator[str]]] = iter(
            [(JSON_MEMBER, encode_json(layout, data))]
        )
    else:
        members = text_members(layout, data, snapshot_time)
    return stream_zip(members, date_time=zip_date_time(snapshot_time), chunk_size=chunk_size)
