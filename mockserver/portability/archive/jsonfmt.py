"""Incremental writer of `user_data_tiktok.json`, the JSON flavour of TikTok's data export.

The document is produced as a stream of string pieces so a million-row list never exists as one
string. The output is byte-for-byte what `json.dumps(doc, indent=2, ensure_ascii=False)` would
give for the same document (pretty-printed UTF-8, as real exports are), which the tests check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import islice

from .layout import Empty, Field, Record, Rows, Section, Slot, Threads
from .rows import ArchiveRows, Row

#: Rows rendered per yielded piece: large enough to amortise the generator hop, small enough
#: to keep pieces far below the zip writer's batch size.
ROW_BATCH = 512

_EMPTY_JSON = {"null": "null", "[]": "[]", "{}": "{}"}
_escape = json.JSONEncoder(ensure_ascii=False).encode


def _key(name: str, indent: int) -> str:
    return "\n" + " " * indent + _escape(name) + ": "


def _row_template(fields: Sequence[Field], indent: int, utc: bool) -> str:
    """A %-template rendering one row object whose `{` sits at column `indent`."""
    lines = []
    for field in fields:
        if field.kind == "date":
            value = '"%s UTC"' if (field.utc or utc) else '"%s"'
        elif field.kind == "str":
            value = '"%s"'
        elif field.kind == "int":
            value = "%d"
        else:
            value = "%s"  # already escaped and quoted by _escape
        lines.append(_key(field.key, indent + 2).replace("%", "%%") + value)
    return "{" + ",".join(lines) + "\n" + " " * indent + "}"


def _rows(
    rows: Iterator[Row], fields: Sequence[Field], indent: int, empty: str, utc: bool = False
) -> Iterator[str]:
    """A JSON array of row objects, or the slot's empty encoding when there are no rows."""
    template = _row_template(fields, indent + 2, utc)
    texts = [i for i, field in enumerate(fields) if field.kind == "text"]

    def render(row: Row) -> str:
        if texts:
            values = list(row)
            for i in texts:
                values[i] = _escape(values[i])
            return template % tuple(values)
        return template % row

    first = next(rows, None)
    if first is None:
        yield _EMPTY_JSON[empty]
        return
    sep = ",\n" + " " * (indent + 2)
    yield "[\n" + " " * (indent + 2) + render(first)
    while True:
        batch = [render(row) for row in islice(rows, ROW_BATCH)]
        if not batch:
            break
        yield sep + sep.join(batch)
    yield "\n" + " " * indent + "]"


def _slot(slot: Slot, data: ArchiveRows, indent: int) -> Iterator[str]:
    if isinstance(slot, Rows):
        yield from _rows(data.rows(slot.source), slot.fields, indent, slot.empty)
    elif isinstance(slot, Record):
        pairs = data.record(slot.source)
        if not pairs:
            yield _EMPTY_JSON[slot.empty]
            return
        text = json.dumps(dict(pairs), indent=2, ensure_ascii=False)
        # json.dumps escapes line breaks inside strings, so every raw newline is structure.
        yield text.replace("\n", "\n" + " " * indent)
    elif isinstance(slot, Threads):
        threads = data.threads()
        first = True
        for thread in threads:
            yield ("{" if first else ",") + _key(f"Chat History with {thread.partner}:", indent + 2)
            yield from _rows(thread.messages, slot.fields, indent + 2, "[]", utc=thread.utc)
            first = False
        yield _EMPTY_JSON[slot.empty] if first else "\n" + " " * indent + "}"
    elif isinstance(slot, Empty):
        yield _EMPTY_JSON[slot.empty]


def encode_json(sections: Sequence[Section], data: ArchiveRows) -> Iterator[str]:
    """The pieces of `user_data_tiktok.json` holding exactly `sections`, in order."""
    yield "{"
    for i, section in enumerate(sections):
        yield ("," if i else "") + _key(section.name, 2) + "{"
        for j, sub in enumerate(section.subsections):
            yield ("," if j else "") + _key(sub.name, 4) + "{"
            for k, slot in enumerate(sub.slots):
                yield ("," if k else "") + _key(slot.key, 6)
                yield from _slot(slot, data, 6)
            yield "\n    }"
        yield "\n  }"
    yield "\n}"
