"""Which fault rules fire for a call: match on what the call is, then count the trigger.

Counters live in the database (one atomic `UPDATE … RETURNING` per matching rule), so "the
next 2 calls" means the next 2 across every worker; a probability is drawn from an RNG seeded
by (seed, rule id, call number), so the same run fails the same calls.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..state import MockState

Facts = Callable[[str], Any]


@dataclass
class Fired:
    """The merged effect of the rules that fired (earlier rules win on conflicts)."""

    effect: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    rng: random.Random | None = None

    def add(self, label: str, effect: Mapping[str, Any], rng: random.Random) -> None:
        for key, value in effect.items():
            self.effect.setdefault(key, value)
        self.labels.append(label)
        self.rng = self.rng or rng

    def describe(self) -> str:
        return ", ".join(self.labels) + ": " + json.dumps(self.effect, sort_keys=True)


def add_rule(conn: sqlite3.Connection, rule: Mapping[str, Any], source: str, now: float) -> int:
    row = conn.execute(
        "INSERT INTO faults (source, rule, created_at) VALUES (?, ?, ?) RETURNING id",
        (source, json.dumps(rule), now),
    ).fetchone()
    return int(row[0])


def list_rules(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "source": r["source"],
            **json.loads(r["rule"]),
            "seen": r["seen"],
            "fired": r["fired"],
        }
        for r in conn.execute("SELECT * FROM faults ORDER BY id")
    ]


def _matches(match: Mapping[str, Any], facts: Facts) -> bool:
    for key, wanted in match.items():
        if key == "endpoint":
            if wanted not in (facts("endpoint"), facts("path")):
                return False
        elif facts(key) != wanted:
            return False
    return True


def _fires(trigger: Mapping[str, Any], seen: int, rng: random.Random) -> bool:
    if "times" in trigger:
        return seen <= int(trigger["times"])
    if "every" in trigger:
        return seen % int(trigger["every"]) == 0
    if "after" in trigger:
        return seen > int(trigger["after"])
    if "probability" in trigger:
        return rng.random() < float(trigger["probability"])
    return True


def evaluate(st: MockState, facts: Facts, extra: Mapping[str, Any] | None = None) -> Fired | None:
    """Count every matching rule's trigger and merge the effects of those that fire.

    `extra` is a one-off rule effect (the `X-Mock-Fault` header); it always fires first.
    """
    fired = Fired()
    if extra:
        fired.add("header", extra, st.ids.derived("fault-header"))
    for rule_id, rule in st.db.cached("faults", _load_rules):
        if not _matches(rule.get("match", {}), facts):
            continue
        with st.db.transaction() as tx:
            seen = tx.execute(
                "UPDATE faults SET seen = seen + 1 WHERE id = ? RETURNING seen", (rule_id,)
            ).fetchone()
            if seen is None:  # deleted meanwhile
                continue
            rng = st.ids.derived("fault", rule_id, seen[0])
            fires = _fires(rule.get("trigger", {}), seen[0], rng)
            if fires:
                tx.execute("UPDATE faults SET fired = fired + 1 WHERE id = ?", (rule_id,))
        if fires:
            fired.add(f"rule {rule_id}", rule["effect"], rng)
    return fired if fired.labels else None


def has_rules(st: MockState) -> bool:
    """Whether any fault rule is installed (then every call goes through `evaluate`)."""
    return bool(st.db.cached("faults", _load_rules))


def _load_rules(conn: sqlite3.Connection) -> tuple[tuple[int, dict[str, Any]], ...]:
    rows = conn.execute("SELECT id, rule FROM faults ORDER BY id").fetchall()
    return tuple((int(r["id"]), json.loads(r["rule"])) for r in rows)


def memo(compute: Callable[[str], Any]) -> Facts:
    """Facts computed on first use only: most rules never ask for the token's open_id."""
    cache: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in cache:
            cache[name] = compute(name)
        return cache[name]

    return get
