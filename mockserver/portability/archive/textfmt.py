"""Writer of the TEXT flavour of TikTok's data export: one `.txt` file per sub-section.

Layout (reference §6): `TikTok_Data_<snapshot_time>/<Section>/<Sub-section>.txt`, e.g.
`TikTok_Data_1767225600/Your Activity/Watch History.txt`. A file holds records of
`Key: value` lines, one record per row, records separated by one blank line, the file ending
with a newline:

    Date: 2026-08-16 18:18:02 UTC
    Link: https://www.tiktokv.com/share/video/7402563270912345678/

    Date: 2026-08-16 18:11:40 UTC
    Link: https://www.tiktokv.com/share/video/7402559121234567890/

- Labels are the JSON keys with the first letter upper-cased (`Like List`'s `date` → `Date`).
- Every date ends in ` UTC`.
- Values are written verbatim, as real exports do: a value containing a line break spans
  several lines. Clients that need exact text should ask for JSON.
- A record sub-section (`Profile Info`, `Settings`) is a single record.
- `Direct Messages.txt` starts each thread with a one-line record `Chat History with <user>:`
  followed by that thread's messages.
- A sub-section with no data reads exactly `You have no data in this section` (no newline).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice

from .layout import Empty, Field, Record, Rows, Section, Slot, Threads
from .rows import ArchiveRows, Row

EMPTY_TEXT = "You have no data in this section"
ROW_BATCH = 512


def root_folder(snapshot_time: int) -> str:
    """The export's top folder, named after the snapshot time like real exports."""
    return f"TikTok_Data_{snapshot_time}"


def _template(fields: Sequence[Field]) -> str:
    parts = []
    for field in fields:
        suffix = " UTC" if field.kind == "date" else ""
        parts.append(field.label.replace("%", "%%") + ": %s" + suffix + "\n")
    return "".join(parts)


def _records(rows: Iterator[Row], fields: Sequence[Field], started: bool) -> Iterator[str]:
    """Records for `rows`; `started` says whether a record was already written to the file."""
    template = _template(fields)
    lead = "\n" if started else ""
    first = next(rows, None)
    if first is None:
        return
    yield lead + template % first
    while True:
        batch = [template % row for row in islice(rows, ROW_BATCH)]
        if not batch:
            return
        yield "\n" + "\n".join(batch)


def _slot(slot: Slot, data: ArchiveRows, started: bool) -> Iterator[str]:
    if isinstance(slot, Rows):
        yield from _records(data.rows(slot.source), slot.fields, started)
    elif isinstance(slot, Record):
        pairs = data.record(slot.source)
        if pairs:
            lines = "".join(f"{key[:1].upper()}{key[1:]}: {value}\n" for key, value in pairs)
            yield ("\n" if started else "") + lines
    elif isinstance(slot, Threads):
        for thread in data.threads():
            yield ("\n" if started else "") + f"Chat History with {thread.partner}:\n"
            started = True
            yield from _records(thread.messages, slot.fields, started)
    elif isinstance(slot, Empty):
        return


def _file(slots: Sequence[Slot], data: ArchiveRows) -> Iterator[str]:
    started = False
    for slot in slots:
        for piece in _slot(slot, data, started):
            started = True
            yield piece
    if not started:
        yield EMPTY_TEXT


def text_members(
    sections: Sequence[Section], data: ArchiveRows, snapshot_time: int
) -> Iterator[tuple[str, Iterator[str]]]:
    """(zip member name, content pieces) for every sub-section of `sections`, in order."""
    root = root_folder(snapshot_time)
    for section in sections:
        for sub in section.subsections:
            yield f"{root}/{section.name}/{sub.name}.txt", _file(sub.slots, data)
