"""`TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256 of "t.<raw body>" keyed with the client
secret>`. `verify` is what a receiver should do; tests and users can call it."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},s={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance: int = 300) -> bool:
    """True if `header` signs `body` with `secret` and is at most `tolerance` s old."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    expected = sign(secret, body, timestamp).split("s=", 1)[1]
    return hmac.compare_digest(expected, parts.get("s", "")) and abs(now - timestamp) <= tolerance
