"""The users table: create (Faker-made, deterministic), find by open_id or username, list."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from ..state import MockState
from .personas import PERSONAS, make_user
from .regions import is_known_region


class UserError(ValueError):
    """A user cannot be created as asked; the message says which field is wrong."""


def create_user(
    st: MockState,
    conn: sqlite3.Connection,
    region: str,
    persona: str,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Make the next user in the seeded sequence and store it inside the caller's transaction."""
    if not is_known_region(region):
        raise UserError(f"region must be an upper-case ISO 3166 country code, got {region!r}")
    if persona not in PERSONAS:
        raise UserError(f"persona must be one of {', '.join(PERSONAS)}, got {persona!r}")
    seq = conn.execute(
        "INSERT INTO counters (kind, n) VALUES ('user', 1) "
        "ON CONFLICT(kind) DO UPDATE SET n = n + 1 RETURNING n"
    ).fetchone()[0]
    user = make_user(st.ids.seed, seq, region, persona, int(st.clock.now()), overrides)
    wanted = user["username"]
    taken = conn.execute("SELECT 1 FROM users WHERE username = ?", (wanted,)).fetchone()
    if taken is not None:
        if overrides and overrides.get("username"):
            raise UserError(f"username {wanted!r} is taken")
        user["username"] = f"{wanted}.{seq}"
    conn.execute(
        "INSERT INTO users (open_id, username, seq, data) VALUES (?, ?, ?, ?)",
        (user["open_id"], user["username"], seq, json.dumps(user)),
    )
    return user


def find_user(conn: sqlite3.Connection, ref: str) -> dict[str, Any] | None:
    """A user by open_id or username, or None."""
    row = conn.execute(
        "SELECT data FROM users WHERE open_id = ? OR username = ?", (ref, ref)
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def list_users(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in conn.execute("SELECT data FROM users ORDER BY seq")]


def update_user(
    conn: sqlite3.Connection, ref: str, changes: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Change settable fields of a user (inside the caller's transaction); None if unknown."""
    user = find_user(conn, ref)
    if user is None:
        return None
    user.update(changes)
    conn.execute("UPDATE users SET data = ? WHERE open_id = ?", (json.dumps(user), user["open_id"]))
    return user
