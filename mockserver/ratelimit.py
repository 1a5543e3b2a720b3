"""TikTok's rate limits: per app and endpoint, over a sliding minute of mock time (§3).

Hits are counted in one-second buckets in the database, so every worker sees the same window
and moving the clock a minute on frees it. Over the limit: `rate_limit_exceeded` 429 with
`Retry-After` saying when the oldest hit in the window leaves it.
"""

from __future__ import annotations

import math

from .errors import RateLimitExceeded
from .state import MockState

WINDOW = 60
LIMITS = {"add": 1000, "check": 1000, "cancel": 1000, "download": 1000, "user_info": 600}


def limit_for(setting: str, endpoint: str) -> int | None:
    """The per-minute limit under the `rate_limits` setting, or None when off."""
    if setting == "off" or endpoint not in LIMITS:
        return None
    factor = 1.0 if setting == "on" else float(setting)
    return max(1, int(LIMITS[endpoint] * factor))


def enforce(st: MockState, client_key: str, endpoint: str, now: float) -> None:
    """Count this call or raise RateLimitExceeded; refused calls do not count."""
    limit = limit_for(st.settings.rate_limits, endpoint)
    if limit is None:
        return
    second = math.floor(now)
    oldest_kept = second - WINDOW + 1
    with st.db.transaction() as tx:
        tx.execute(
            "DELETE FROM rate_buckets WHERE client_key = ? AND endpoint = ? AND second < ?",
            (client_key, endpoint, oldest_kept),
        )
        used, first = tx.execute(
            "SELECT COALESCE(SUM(n), 0), MIN(second) FROM rate_buckets "
            "WHERE client_key = ? AND endpoint = ? AND second <= ?",
            (client_key, endpoint, second),
        ).fetchone()
        if used >= limit:
            retry_after = max(1, math.ceil(first + WINDOW - now))
            raise RateLimitExceeded(
                f"{RateLimitExceeded.description} {endpoint} allows {limit} calls per minute "
                f"per app; retry after {retry_after} s.",
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        tx.execute(
            "INSERT INTO rate_buckets (client_key, endpoint, second, n) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (client_key, endpoint, second) DO UPDATE SET n = n + 1",
            (client_key, endpoint, second),
        )
