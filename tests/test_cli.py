"""`tiktok-mock users` and `tiktok-mock token` against a running mock, and their error lines."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request

import pytest

from mockserver.cli import main
from mockserver.testing import DESKTOP_CLIENT_KEY, DESKTOP_CLIENT_SECRET, MockServer
from tests.support import free_port


def test_users_lists_the_fixture_users(
    server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "--url", server.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["username", "open_id", "region", "persona"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    expected = {
        u["username"]: [u["open_id"], u["region"], u["persona"]] for u in server.control.users()
    }
    assert rows == expected
    assert rows["sanne.devries"][1:] == ["NL", "edge"]


def test_users_with_admin_token(capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer({"admin_token": "s3cret"}) as server:
        assert main(["users", "--url", server.url, "--admin-token", "s3cret"]) == 0
        assert "lena.schmidt" in capsys.readouterr().out
        assert main(["users", "--url", server.url, "--admin-token", ""]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tiktok-mock: ") and "401" in err and err.count("\n") == 1


def test_token_prints_a_working_access_token(
    server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--user", "lena.schmidt", "--url", server.url]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("act.")
    req = urllib.request.Request(
        f"{server.url}/v2/user/info/?fields=open_id,display_name",
        headers={"Authorization": f"Bearer {token}"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=30) as resp:
        user = json.load(resp)["data"]["user"]
    assert user["open_id"] == server.control.user("lena.schmidt")["open_id"]


def test_token_json_with_scopes(server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--user", "oliver.bennett", "--scopes", "user.info.basic,user.info.profile"]
    assert main([*argv, "--url", server.url, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["scope"] == "user.info.basic,user.info.profile"
    assert answer["open_id"] == server.control.user("oliver.bennett")["open_id"]
    assert answer["refresh_token"].startswith("rft.")


def test_token_for_the_desktop_client_with_pkce(
    server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "token",
        "--user",
        "camille.martin",
        "--url",
        server.url,
        "--client-key",
        DESKTOP_CLIENT_KEY,
        "--client-secret",
        DESKTOP_CLIENT_SECRET,
        "--redirect-uri",
        "http://127.0.0.1:8765/callback",
        "--pkce",
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("act.")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--user", "nobody"], "no user with open_id or username 'nobody'"),
        (["--user", "jake.miller"], "only available to users in the EEA"),
        (["--user", "lena.schmidt", "--client-key", "other"], "--client-secret"),
        (["--user", "lena.schmidt", "--scopes", "video.list"], "scope"),
    ],
)
def test_token_refusals_are_one_line(
    server: MockServer, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    assert main(["token", "--url", server.url, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tiktok-mock: ") and captured.err.count("\n") == 1
    assert words in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("command", [["users"], ["token", "--user", "lena.schmidt"]])
def test_no_server_listening(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main([*command, "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tiktok-mock: no mock server answers at {url}")
    assert "tiktok-mock serve" in err and err.count("\n") == 1


def test_a_broken_answer_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def hang_up() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)

        thread = threading.Thread(target=hang_up)
        thread.start()
        assert main(["users", "--url", f"http://127.0.0.1:{listener.getsockname()[1]}"]) == 2
        thread.join()
    err = capsys.readouterr().err
    assert "connection to" in err and "failed" in err and err.count("\n") == 1


def test_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "--url", "localhost:8080"]) == 2
    assert "--url must be a base URL" in capsys.readouterr().err
