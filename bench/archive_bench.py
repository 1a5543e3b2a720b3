"""Benchmark of the streamed Data Portability archive for the `huge` persona.

Usage: `python bench/archive_bench.py [--format json|text|both]`

Each measurement runs in a fresh interpreter, so peak RSS (`ru_maxrss`) is that build's own:

- build: streams `stream_archive(huge user, ["all_data"], fmt)` into a sink that only counts
  bytes; records time to the first chunk (from the first `next()`), total time and peak RSS.
- baseline: deflates the very same uncompressed member bytes with zlib at the archive's level
  (raw deflate, 64 KiB writes, like the zip writer) and records the time.

The figure of merit is the ratio of the archive's content rate (uncompressed MB generated,
encoded and deflated per second) to the plain-deflate rate: how much row generation and
encoding cost on top of compression alone.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
import zipfile
import zlib
from typing import Any

SNAPSHOT = 1_767_225_600
USER: dict[str, Any] = {
    "open_id": "-000benchbenchbenchbenchbenchbench",
    "username": "bench.user",
    "display_name": "Bench User",
    "bio_description": "streams a million rows",
    "avatar_url": "https://p16-sign-va.tiktokcdn.com/bench.jpeg",
    "region": "DE",
    "birth_date": "1995-05-05",
    "email": "bench@example.com",
    "phone": "+4915100000000",
    "follower_count": 250_000,
    "following_count": 800,
    "likes_count": 3_000_000,
    "video_count": 400,
    "persona": "huge",
    "archive_seed": 20260101,
    "locale": "de_DE",
}
MB = 1_000_000


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(fmt: str) -> dict[str, Any]:
    """Stream the archive into a counting sink; runs in its own process."""
    t_import = time.perf_counter()
    from mockserver.portability.archive import stream_archive

    import_s = time.perf_counter() - t_import
    chunks = stream_archive(USER, ["all_data"], fmt, snapshot_time=SNAPSHOT)
    total = 0
    count = 0
    start = time.perf_counter()
    first = next(chunks)
    first_s = time.perf_counter() - start
    total += len(first)
    count += 1
    for chunk in chunks:
        total += len(chunk)
        count += 1
    seconds = time.perf_counter() - start
    return {
        "import_s": import_s,
        "first_chunk_s": first_s,
        "seconds": seconds,
        "zip_bytes": total,
        "chunks": count,
        "peak_rss_mb": _peak_rss_mb(),
    }


def child_baseline(fmt: str) -> dict[str, Any]:
    """Deflate the same uncompressed bytes with plain zlib; runs in its own process."""
    from mockserver.portability.archive import stream_archive
    from mockserver.portability.archive.zipstream import COMPRESS_LEVEL, WRITE_BATCH

    archive = b"".join(stream_archive(USER, ["all_data"], fmt, snapshot_time=SNAPSHOT))
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        members = [zf.read(name) for name in zf.namelist()]
    del archive
    raw_bytes = sum(len(m) for m in members)
    blocks = [m[i : i + WRITE_BATCH] for m in members for i in range(0, len(m), WRITE_BATCH)]
    del members
    compressed = 0
    start = time.perf_counter()
    deflater = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    for block in blocks:
        compressed += len(deflater.compress(block))
    compressed += len(deflater.flush())
    seconds = time.perf_counter() - start
    return {"raw_bytes": raw_bytes, "deflated_bytes": compressed, "seconds": seconds}


def _run_child(kind: str, fmt: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--format", fmt],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, zlib {zlib.ZLIB_RUNTIME_VERSION}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["json", "text", "both"], default="json")
    parser.add_argument("--child", choices=["build", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = child_build if args.child == "build" else child_baseline
        print(json.dumps(run(args.format)))
        return

    formats = ["json", "text"] if args.format == "both" else [args.format]
    print(f"machine: {_machine()}")
    print(f"date:    {time.strftime('%Y-%m-%d')}")
    print("archive: persona=huge, categories=['all_data'], chunk_size=65536\n")
    header = (
        f"{'format':<6} {'zip MB':>8} {'raw MB':>8} {'seconds':>8} {'zip MB/s':>9} "
        f"{'raw MB/s':>9} {'1st chunk':>10} {'peak RSS':>9} {'deflate MB/s':>13} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for fmt in formats:
        build = _run_child("build", fmt)
        base = _run_child("baseline", fmt)
        raw_mb = base["raw_bytes"] / MB
        content_rate = raw_mb / build["seconds"]
        deflate_rate = raw_mb / base["seconds"]
        print(
            f"{fmt:<6} {build['zip_bytes'] / MB:>8.1f} {raw_mb:>8.1f} {build['seconds']:>8.2f} "
            f"{build['zip_bytes'] / MB / build['seconds']:>9.1f} {content_rate:>9.1f} "
            f"{build['first_chunk_s'] * 1000:>8.0f}ms {build['peak_rss_mb']:>7.1f}MB "
            f"{deflate_rate:>13.1f} {content_rate / deflate_rate:>6.2f}"
        )
    print(
        "\nzip MB/s: archive bytes streamed per second; raw MB/s: uncompressed content per "
        "second;\ndeflate MB/s: zlib alone on the same bytes; ratio = raw MB/s / deflate MB/s."
    )


if __name__ == "__main__":
    main()
