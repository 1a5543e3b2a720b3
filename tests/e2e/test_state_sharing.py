"""State shared by gunicorn workers through SQLite: single use under concurrency, and
everything still there after a restart."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from tests.support import (
    WEB_KEY,
    WEB_SECRET,
    LiveServer,
    Portability,
    get_code,
    refresh_form,
    token_form,
    user_token,
)


def test_fifty_concurrent_redemptions_of_one_code_exactly_one_wins(server: LiveServer) -> None:
    code = get_code(requests.Session(), server.url)["code"]
    start = threading.Barrier(50)

    def redeem(_: int) -> dict[str, Any]:
        with requests.Session() as http:
            start.wait()
            body: dict[str, Any] = http.post(
                f"{server.url}/v2/oauth/token/", data=token_form(code), timeout=30
            ).json()
            return body

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(redeem, range(50)))
    winners = [r for r in results if "access_token" in r]
    losers = [r for r in results if r.get("error") == "invalid_grant"]
    assert len(winners) == 1
    assert len(losers) == 49
    # The losers were reuses, so the winner's tokens are revoked, as for any reused code.
    info = requests.get(
        f"{server.url}/v2/user/info/?fields=open_id",
        timeout=10,
        headers={"Authorization": f"Bearer {winners[0]['access_token']}"},
    )
    assert info.status_code == 401


def test_concurrent_refreshes_of_one_token_rotate_once(server: LiveServer) -> None:
    tokens = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data=token_form(get_code(requests.Session(), server.url)["code"]),
    ).json()
    start = threading.Barrier(20)
    form = refresh_form(tokens["refresh_token"])

    def refresh(_: int) -> dict[str, Any]:
        start.wait()
        body: dict[str, Any] = requests.post(
            f"{server.url}/v2/oauth/token/", data=form, timeout=30
        ).json()
        return body

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(refresh, range(20)))
    assert sum("refresh_token" in r for r in results) == 1


def test_tokens_survive_a_restart_on_the_same_db(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    server = LiveServer(db, workers=2).start()
    try:
        tokens = requests.post(
            f"{server.url}/v2/oauth/token/",
            timeout=10,
            data=token_form(get_code(requests.Session(), server.url)["code"]),
        ).json()
        requests.post(f"{server.url}/_mock/clock", json={"advance": 3600}, timeout=10)
    finally:
        server.stop()
    again = LiveServer(db, workers=2).start()
    try:
        info = requests.get(
            f"{again.url}/v2/user/info/?fields=open_id,display_name",
            timeout=10,
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert info.status_code == 200
        assert info.json()["data"]["user"]["open_id"] == tokens["open_id"]
        # The clock offset is state too: an hour has passed, so the access token has 1 h left.
        refreshed = requests.post(
            f"{again.url}/v2/oauth/token/",
            timeout=10,
            data=refresh_form(tokens["refresh_token"]),
        ).json()
        assert "access_token" in refreshed
        assert requests.get(f"{again.url}/_mock/clock", timeout=10).json()["offset"] >= 3600
    finally:
        again.stop()


def test_same_seed_gives_the_same_users_and_tokens(tmp_path: Path) -> None:
    seen = []
    for run in range(2):
        server = LiveServer(
            tmp_path / f"seed{run}.db", workers=1, env={"TIKTOK_MOCK_SEED": "99"}
        ).start()
        try:
            users = requests.get(f"{server.url}/_mock/users", timeout=10).json()
            tokens = requests.post(
                f"{server.url}/v2/oauth/token/",
                timeout=10,
                data=token_form(get_code(requests.Session(), server.url)["code"]),
            ).json()
            seen.append(
                ([u["open_id"] for u in users], tokens["access_token"], tokens["refresh_token"])
            )
        finally:
            server.stop()
    assert seen[0] == seen[1]


def test_every_worker_sees_each_write_at_once(server: LiveServer) -> None:
    """Workers cache hot reads (token, request, clock, fault rules) between writes; after a
    write through any worker, no call on any worker may answer from the old state."""
    token = user_token(server.url, scope="portability.all.ongoing")
    api = Portability(server.url, token)

    def answers(request_id: int) -> set[tuple[int, str]]:
        """40 checks over 8 connections at once, so every worker serves some."""

        def poll(_: int) -> list[tuple[int, str]]:
            with requests.Session() as http:
                http.headers["Authorization"] = f"Bearer {token}"
                seen = []
                for _ in range(5):
                    r = http.post(
                        f"{server.url}/v2/user/data/check/?fields=status",
                        json={"request_id": request_id},
                        timeout=30,
                    )
                    body = r.json() if r.headers.get("Content-Type") == "application/json" else {}
                    data = body.get("data") or {}
                    seen.append((r.status_code, data.get("status") or body["error"]["code"]))
                return seen

        with ThreadPoolExecutor(max_workers=8) as pool:
            return {a for batch in pool.map(poll, range(8)) for a in batch}

    first = api.add_id(["profile"])
    assert answers(first) == {(200, "pending")}
    moved = requests.post(f"{server.url}/_mock/clock", json={"advance": 3600}, timeout=10)
    assert moved.status_code == 200
    assert answers(first) == {(200, "downloading")}

    second = api.add_id(["profile"])
    assert answers(second) == {(200, "pending")}
    assert api.post("cancel", {"request_id": second}).status_code == 200
    assert answers(second) == {(200, "cancelled")}

    rule = {"match": {"endpoint": "check"}, "effect": {"error": "internal_error"}}
    added = requests.post(f"{server.url}/_mock/faults", json=rule, timeout=10)
    assert added.status_code in (200, 201), added.text
    assert answers(second) == {(500, "internal_error")}
    requests.delete(f"{server.url}/_mock/faults", timeout=10)
    assert answers(second) == {(200, "cancelled")}

    revoked = requests.post(
        f"{server.url}/v2/oauth/revoke/",
        timeout=10,
        data={"client_key": WEB_KEY, "client_secret": WEB_SECRET, "token": token},
    )
    assert revoked.json() == {}
    assert answers(second) == {(401, "access_token_invalid")}
