"""Which portability scope allows which categories, and which scope an Add consumes (§5.1).

- `activity` ← `portability.activity.*` or `portability.all.*`; `video` and `profile` ←
  `portability.postsandprofile.*` or `portability.all.*`; `direct_message` ←
  `portability.directmessages.*` or `portability.all.*`; `all_data` ← `portability.all.*`.
- `all_data` in the list takes precedence over the other categories.
- `.ongoing` allows repeated Adds and is preferred, so a single scope is not spent needlessly.
- Otherwise one `.single` scope is consumed: the broadest one that covers the whole request
  (TikTok's example: `all.single` + `activity.single`, request `[activity, video]` →
  `all.single`). When no one single covers it, one specific single per family is consumed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

CATEGORY_FAMILY = {
    "activity": "activity",
    "video": "postsandprofile",
    "profile": "postsandprofile",
    "direct_message": "directmessages",
    "all_data": "all",
}
CATEGORIES = tuple(CATEGORY_FAMILY)
PORTABILITY_SCOPES = tuple(
    f"portability.{family}.{kind}"
    for family in ("all", "activity", "directmessages", "postsandprofile")
    for kind in ("single", "ongoing")
)


class ScopeRefused(Exception):
    """The grant cannot serve the request; `str()` says which category and why."""


@dataclass(frozen=True)
class Decision:
    """What an Add may do: the categories it covers and the single scopes it consumes."""

    categories: tuple[str, ...]
    consume: tuple[str, ...]


def effective_categories(categories: Sequence[str]) -> tuple[str, ...]:
    """The categories a request really asks for: `all_data` stands alone when present."""
    if "all_data" in categories:
        return ("all_data",)
    return tuple(dict.fromkeys(categories))


def _covers(scope_family: str, category: str) -> bool:
    return scope_family == "all" or scope_family == CATEGORY_FAMILY[category]


def decide(
    categories: Sequence[str], granted: Collection[str], consumed: Collection[str]
) -> Decision:
    """Pick the scopes an Add uses, or raise ScopeRefused naming the uncovered category."""
    wanted = effective_categories(categories)
    ongoing = [s.split(".")[1] for s in granted if s.endswith(".ongoing")]
    singles = [
        s.split(".")[1]
        for s in granted
        if s.startswith("portability.") and s.endswith(".single") and s not in consumed
    ]
    rest = [c for c in wanted if not any(_covers(f, c) for f in ongoing)]
    if not rest:
        return Decision(wanted, ())
    whole = [f for f in singles if all(_covers(f, c) for c in rest)]
    if whole:
        # "The broadest scope that covers the data requested will be consumed."
        family = "all" if "all" in whole else whole[0]
        return Decision(wanted, (f"portability.{family}.single",))
    picked: list[str] = []
    for category in rest:
        family = CATEGORY_FAMILY[category]
        if family not in singles:
            raise ScopeRefused(_why(category, family, granted, consumed))
        scope = f"portability.{family}.single"
        if scope not in picked:
            picked.append(scope)
    return Decision(wanted, tuple(picked))


def _why(category: str, family: str, granted: Collection[str], consumed: Collection[str]) -> str:
    allowed = [f"portability.{family}.*"] + (["portability.all.*"] if family != "all" else [])
    spent = [s for s in consumed if s.split(".")[1] in (family, "all")]
    if spent:
        return (
            f"Category `{category}` needs {' or '.join(allowed)}; the user's "
            f"{', '.join(sorted(spent))} was already used by an earlier Add (a .single scope "
            "allows one request; ask the user to authorize again or request .ongoing)."
        )
    return (
        f"Category `{category}` needs {' or '.join(allowed)}, which the user did not grant "
        f"(granted: {', '.join(s for s in granted if s.startswith('portability.')) or 'none'})."
    )
