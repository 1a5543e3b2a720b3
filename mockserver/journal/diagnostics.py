"""`GET /_mock/diagnostics`: the client mistakes of reference §7 the mock saw, with the
journal entries that show each one.

Most kinds are noted where the mock refuses or tolerates something (`observe`); two come
from the journal's timing: polling check faster than `poll_floor_ms`, and calling again
before a 429's `Retry-After` had passed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..state import MockState
from .store import needle

KINDS: dict[str, str] = {
    "pkce_base64url": "PKCE code_challenge was base64url-encoded; TikTok expects the "
    "lower-case hex SHA-256 of the code_verifier.",
    "pkce_verifier_as_challenge": "The code_verifier itself was sent as the code_challenge.",
    "pkce_verifier_missing": "A code was redeemed without the code_verifier of its challenge.",
    "pkce_mismatch": "The code_verifier does not hash to the code_challenge.",
    "code_reused": "An authorization code was redeemed twice; TikTok then revokes the tokens "
    "issued from it.",
    "redirect_uri_mismatch": "The token request's redirect_uri differs from the authorize one.",
    "json_body_at_token_endpoint": "A JSON body was sent to an OAuth endpoint; they take "
    "application/x-www-form-urlencoded.",
    "client_id_instead_of_client_key": "`client_id` was sent; TikTok names it `client_key`.",
    "scopes_space_separated": "Scopes were separated by spaces; TikTok separates them with commas.",
    "refresh_token_reused": "A refresh token was used after rotation; keep the refresh_token "
    "of the latest refresh.",
    "refresh_token_as_bearer": "A refresh token was sent as the bearer token.",
    "expired_access_token": "An expired access token was used instead of being refreshed.",
    "client_token_at_user_endpoint": "A clt. client token called a user endpoint.",
    "string_request_id": "request_id was sent as a JSON string instead of a number.",
    "single_scope_reused": "A second Add was made on a .single scope already consumed.",
    "download_pending": "Download was called before the request was ready (polling download "
    "instead of check, or reading `downloading` as 'in progress').",
    "download_expired": "Download was called after the 4-day window.",
    "download_cancelled": "Download was called for a cancelled request.",
    "check_polling_too_fast": "check was polled for one request_id faster than the floor.",
    "retry_after_ignored": "A call came before the Retry-After of a 429 had passed.",
}
EXAMPLES = 5


def _journal_by_log_id(st: MockState, log_ids: list[str]) -> list[dict[str, Any]]:
    if not log_ids:
        return []
    wanted = set(log_ids)
    return st.journal.read("journal", lambda row: row["log_id"] in wanted)


def _fast_polling(st: MockState, floor_ms: int) -> list[list[dict[str, Any]]]:
    pairs = []
    last: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in st.journal.read(
        "journal",
        lambda row: row["endpoint"] == "check" and row["request_id"] is not None,
        [needle("endpoint", "check")],
    ):
        key = (row["client_key"], row["request_id"])
        prev = last.get(key)
        if prev is not None and (row["at"] - prev["at"]) * 1000 < floor_ms:
            pairs.append([prev, row])
        last[key] = row
    return pairs


def _ignored_retry_after(st: MockState) -> list[list[dict[str, Any]]]:
    pairs = []
    blocked: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in st.journal.read("journal", lambda row: row["client_key"] is not None):
        key = (row["client_key"], row["endpoint"])
        limited = blocked.get(key)
        if limited is not None and row["at"] < limited["at"] + limited["retry_after"]:
            pairs.append([limited, row])
        if row["status"] == 429 and row["retry_after"]:
            blocked[key] = row
        elif limited is not None and row["at"] >= limited["at"] + limited["retry_after"]:
            del blocked[key]
    return pairs


def diagnose(st: MockState) -> dict[str, Any]:
    """Every mistake kind seen, most frequent first, with example journal entries."""
    found: dict[str, dict[str, Any]] = {}
    notes: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for note in st.journal.read("observations"):
        notes[note["kind"]].append(note)
    for kind, seen in notes.items():
        found[kind] = {
            "kind": kind,
            "description": KINDS.get(kind, kind),
            "count": len(seen),
            "details": [n["detail"] for n in seen[:EXAMPLES]],
            "entries": _journal_by_log_id(st, [n["log_id"] for n in seen[:EXAMPLES]]),
        }
    timed = {
        "check_polling_too_fast": _fast_polling(st, st.settings.poll_floor_ms),
        "retry_after_ignored": _ignored_retry_after(st),
    }
    for kind, pairs in timed.items():
        if pairs:
            found[kind] = {
                "kind": kind,
                "description": KINDS[kind],
                "count": len(pairs),
                "details": [
                    f"{round((b['at'] - a['at']) * 1000)} ms after the previous call"
                    for a, b in pairs[:EXAMPLES]
                ],
                "entries": [e for pair in pairs[:EXAMPLES] for e in pair],
            }
    mistakes = sorted(found.values(), key=lambda m: (-m["count"], m["kind"]))
    return {"mistakes": mistakes, "kinds_checked": sorted(KINDS)}
