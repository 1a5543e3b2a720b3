"""A zip writer that streams: members are compressed while they are generated and the bytes are
handed out in fixed-size chunks, so the archive behind `POST /v2/user/data/download/` never sits
in memory.

`zipfile.ZipFile` writes to a sink that cannot seek, which makes it emit each member's CRC and
sizes in a data descriptor after the data (general-purpose flag bit 3) instead of seeking back
to patch the local header. Every byte is fixed by the inputs: member order, a fixed timestamp,
create_system, permissions and DEFLATE level 6. (The output is byte-identical for the same
Python zlib; a different zlib build may deflate differently.)
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator

COMPRESS_LEVEL = 6
#: Characters gathered before one write into the member: one deflate call per batch keeps the
#: per-call overhead negligible without holding much text.
WRITE_BATCH = 1 << 16

_UNIX = 3  # ZipInfo.create_system; the default depends on the platform (0 on Windows)


class _Sink:
    """Collects what ZipFile writes. It has no seek() or tell() on purpose (see module doc)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def chunks(self, size: int, *, final: bool = False) -> Iterator[bytes]:
        """Hand out full chunks of `size` bytes; with `final`, the remainder too."""
        buffer = self._buffer
        while len(buffer) >= size:
            chunk = bytes(buffer[:size])
            del buffer[:size]
            yield chunk
        if final and buffer:
            yield bytes(buffer)
            buffer.clear()


def zip_date_time(unix_time: int) -> tuple[int, int, int, int, int, int]:
    """The member timestamp for an export taken at `unix_time` (UTC, within zip's 1980-2107)."""
    parts = time.gmtime(unix_time)[:6]
    if parts[0] < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if parts[0] > 2107:
        return (2107, 12, 31, 23, 59, 58)
    year, month, day, hour, minute, second = parts
    return (year, month, day, hour, minute, second)


def _member(name: str, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = 0o644 << 16
    # ZipFile.open(ZipInfo) ignores the archive's compresslevel; the per-member level is the
    # private `_compresslevel` before 3.13 and `compress_level` after.
    modern = hasattr(zipfile.ZipInfo, "compress_level")
    setattr(info, "compress_level" if modern else "_compresslevel", COMPRESS_LEVEL)
    return info


def stream_zip(
    members: Iterable[tuple[str, Iterable[str]]],
    *,
    date_time: tuple[int, int, int, int, int, int],
    chunk_size: int,
) -> Iterator[bytes]:
    """Yield a zip of `members` (name, UTF-8 text pieces) in chunks of exactly `chunk_size`
    bytes, the last one shorter."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, pieces in members:
            with archive.open(_member(name, date_time), "w") as out:
                batch: list[str] = []
                size = 0
                for piece in pieces:
                    batch.append(piece)
                    size += len(piece)
                    if size >= WRITE_BATCH:
                        out.write("".join(batch).encode())
                        batch.clear()
                        size = 0
                        yield from sink.chunks(chunk_size)
                if batch:
                    out.write("".join(batch).encode())
            yield from sink.chunks(chunk_size)
    yield from sink.chunks(chunk_size, final=True)
