from __future__ import annotations

import pytest

from mockserver.oauth import pkce

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
HEX = pkce.hex_challenge(VERIFIER)
B64 = pkce.base64url_challenge(VERIFIER)


def test_rfc7636_vector_and_tiktok_hex() -> None:
    assert B64 == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 appendix B
    assert HEX == "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"


@pytest.mark.parametrize(
    ("encoding", "challenge", "ok"),
    [
        ("hex", HEX, True),
        ("hex", B64, False),
        ("base64url", B64, True),
        ("base64url", HEX, False),
        ("either", HEX, True),
        ("either", B64, True),
        ("either", "0" * 64, False),
    ],
)
def test_accepted_encodings(encoding: str, challenge: str, ok: bool) -> None:
    if ok:
        pkce.verify(challenge, VERIFIER, encoding)
    else:
        with pytest.raises(pkce.PkceError):
            pkce.verify(challenge, VERIFIER, encoding)


@pytest.mark.parametrize(
    ("challenge", "verifier", "words"),
    [
        (B64, VERIFIER, "base64url-encoded; TikTok expects the lower-case hex"),
        (pkce.base64url_challenge("another"), VERIFIER, "looks base64url"),
        (HEX, None, "must send its code_verifier"),
        (HEX, "bad verifier!", "A-Z a-z 0-9"),
        (HEX, "x" * 129, "at most 128"),
        ("a" * 64, "a" * 64, "not the verifier itself"),
        (pkce.hex_challenge("other"), VERIFIER, "does not match"),
    ],
)
def test_hex_mode_messages_say_what_is_wrong(
    challenge: str, verifier: str | None, words: str
) -> None:
    with pytest.raises(pkce.PkceError) as err:
        pkce.verify(challenge, verifier, "hex")
    assert str(err.value).startswith(pkce.TIKTOK_MESSAGE)
    assert words in str(err.value)


def test_short_verifiers_like_tiktoks_sdk_are_accepted() -> None:
    verifier = "a" * 32
    pkce.verify(pkce.hex_challenge(verifier), verifier, "hex")
