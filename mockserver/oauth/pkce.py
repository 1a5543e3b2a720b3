"""PKCE as TikTok does it: the S256 challenge is the lower-case *hex* SHA-256 of the verifier.

RFC 7636 clients send base64url instead; that fails at TikTok's token step with
"Code verifier or code challenge is invalid." The `pkce_encoding` setting picks what passes.
"""

from __future__ import annotations

import base64
import hashlib
import re

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]+$")
HEX_CHALLENGE_RE = re.compile(r"^[0-9a-f]{64}$")
B64URL_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
TIKTOK_MESSAGE = "Code verifier or code challenge is invalid."


class PkceError(ValueError):
    """Verification failed; `str()` is the error_description to send."""


def hex_challenge(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()


def base64url_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def looks_base64url(challenge: str) -> bool:
    return bool(B64URL_CHALLENGE_RE.match(challenge)) and not HEX_CHALLENGE_RE.match(challenge)


def verify(challenge: str, verifier: str | None, encoding: str) -> None:
    """Raise PkceError unless `verifier` answers `challenge` in the accepted `encoding`."""
    if not verifier:
        raise PkceError(
            f"{TIKTOK_MESSAGE} The authorization request sent a code_challenge, so "
            "the token request must send its code_verifier."
        )
    if not VERIFIER_RE.match(verifier) or len(verifier) > 128:
        raise PkceError(
            f"{TIKTOK_MESSAGE} code_verifier may hold only A-Z a-z 0-9 - . _ ~ "
            "and at most 128 characters."
        )
    if verifier == challenge:
        raise PkceError(
            f"{TIKTOK_MESSAGE} The code_challenge equals the code_verifier: send the "
            "SHA-256 of the verifier as the challenge, not the verifier itself."
        )
    accepted = {
        "hex": (hex_challenge,),
        "base64url": (base64url_challenge,),
        "either": (hex_challenge, base64url_challenge),
    }[encoding]
    if any(challenge == f(verifier) for f in accepted):
        return
    if encoding == "hex" and challenge == base64url_challenge(verifier):
        raise PkceError(
            f"{TIKTOK_MESSAGE} The code_challenge is base64url-encoded; TikTok "
            "expects the lower-case hex SHA-256 of the code_verifier."
        )
    if encoding == "hex" and looks_base64url(challenge):
        raise PkceError(
            f"{TIKTOK_MESSAGE} The code_challenge looks base64url-encoded; TikTok "
            "expects the lower-case hex SHA-256 of the code_verifier."
        )
    if encoding == "base64url" and challenge == hex_challenge(verifier):
        raise PkceError(
            f"{TIKTOK_MESSAGE} The code_challenge is hex-encoded; this mock is set "
            "to accept base64url (pkce_encoding=base64url)."
        )
    raise PkceError(
        f"{TIKTOK_MESSAGE} SHA-256 of the code_verifier does not match the "
        "code_challenge sent to /v2/auth/authorize/."
    )


def mistake(message: str) -> str:
    """The diagnostics kind of a PKCE failure message."""
    if "base64url" in message:
        return "pkce_base64url"
    if "not the verifier itself" in message:
        return "pkce_verifier_as_challenge"
    if "must send its code_verifier" in message:
        return "pkce_verifier_missing"
    return "pkce_mismatch"
