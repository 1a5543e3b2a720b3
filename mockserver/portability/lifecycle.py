"""A data request's status, derived from its timestamps and the clock when read (§5.3).

`pending` from Add until `ready_at` (collect_time + the export delay), then `downloading`
(ready, despite the name) for four days, then `expired`; `cancelled` once cancelled. Nothing
runs in the background: moving the clock moves every request along.
"""

from __future__ import annotations

DOWNLOAD_WINDOW = 4 * 24 * 3600  # "available for 4 days after it became ready" [doc]
STATUSES = ("pending", "downloading", "expired", "cancelled")

# Transitions the control API may force, and how each rewrites the timestamps.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "downloading": ("pending",),
    "expired": ("pending", "downloading"),
    "cancelled": ("pending", "downloading"),
}


def status(ready_at: float, cancelled_at: float | None, now: float) -> str:
    """The one place a status is computed."""
    if cancelled_at is not None:
        return "cancelled"
    if now < ready_at:
        return "pending"
    if now < ready_at + DOWNLOAD_WINDOW:
        return "downloading"
    return "expired"


def forced_timestamps(to: str, now: float) -> dict[str, float]:
    """The column values that make `status(...)` answer `to` from `now` on."""
    if to == "downloading":
        return {"ready_at": now}
    if to == "expired":
        return {"ready_at": now - DOWNLOAD_WINDOW}
    return {"cancelled_at": now}
