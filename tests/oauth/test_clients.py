from __future__ import annotations

import pytest

from mockserver.oauth.clients import ClientError, build_client


def client(app_type: str, *uris: str) -> dict[str, object]:
    return {
        "client_key": "k",
        "client_secret": "s",
        "app_type": app_type,
        "redirect_uris": list(uris),
    }


@pytest.mark.parametrize(
    ("registered", "asked", "ok"),
    [
        ("http://localhost:*/callback", "http://localhost:1/callback", True),
        ("http://localhost:*/callback", "http://localhost:65535/callback", True),
        ("http://localhost:*/callback", "http://localhost/callback", False),
        ("http://localhost:*/callback", "http://localhost:80/callback/", False),
        ("http://localhost:*/callback", "http://localhost:80/callback?x=1", False),
        ("http://localhost:*/callback", "http://127.0.0.1:80/callback", False),
        ("http://localhost:*/callback", "https://localhost:80/callback", False),
        ("http://localhost:*/callback", "http://localhost:99999/callback", False),
        ("http://127.0.0.1:8080/cb", "http://127.0.0.1:8080/cb", True),
        ("http://127.0.0.1:8080/cb", "http://127.0.0.1:8081/cb", False),
    ],
)
def test_desktop_wildcard_port(registered: str, asked: str, ok: bool) -> None:
    assert build_client(client("desktop", registered)).redirect_registered(asked) is ok


def test_web_redirects_match_exactly() -> None:
    c = build_client(client("web", "https://a.example/cb"))
    assert c.redirect_registered("https://a.example/cb")
    assert not c.redirect_registered("https://a.example/cb/")
    assert not c.redirect_registered("https://A.example/cb")


@pytest.mark.parametrize(
    ("app_type", "uri", "words"),
    [
        ("web", "http://a.example/cb", "must use https"),
        ("web", "https://localhost:*/cb", "wildcard"),
        ("web", "https://a.example/cb?x=1", "query"),
        ("web", "https://a.example/cb#f", "query or fragment"),
        ("web", "/relative", "absolute"),
        ("desktop", "http://example.com/cb", "only for localhost"),
        ("desktop", "https://example.com:*/cb", "wildcard port needs localhost"),
        ("web", "https://a.example:notaport/cb", "not a valid URL"),
    ],
)
def test_registration_rules(app_type: str, uri: str, words: str) -> None:
    with pytest.raises(ClientError) as err:
        build_client(client(app_type, uri))
    assert words in str(err.value)


def test_at_most_ten_redirect_uris_and_known_scopes() -> None:
    with pytest.raises(ClientError, match="at most 10"):
        build_client(client("web", *[f"https://a.example/{i}" for i in range(11)]))
    with pytest.raises(ClientError, match="unknown scope"):
        build_client({**client("web", "https://a.example/cb"), "scopes": ["video.list"]})
    c = build_client({**client("web", "https://a.example/cb"), "scopes": ["user.info.stats"]})
    assert c.scopes == ("user.info.basic", "user.info.stats")


@pytest.mark.parametrize(
    "asked", ["http://localhost:5555/callback#", "http://localhost:5555/callback?"]
)
def test_empty_query_or_fragment_does_not_match_a_wildcard(asked: str) -> None:
    assert not build_client(client("desktop", "http://localhost:*/callback")).redirect_registered(
        asked
    )
