"""Concurrency and crash safety with 4 gunicorn workers: 1,000 concurrent full flows lose and
double-spend nothing; a kill -9 mid-load loses nothing that was acknowledged."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from tests.support import LiveServer, authorize_url, query, token_form

SCOPE = "user.info.basic,portability.all.single"
BODY = {"data_format": "json", "category_selection_list": ["profile"]}


def twice_at_once(call: Any) -> list[requests.Response]:
    """Run `call()` from two threads released together."""
    start = threading.Barrier(2)

    def go(_: int) -> requests.Response:
        start.wait()
        answer: requests.Response = call()
        return answer

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(go, range(2)))


def flow(base: str, user: str, http: requests.Session) -> dict[str, Any]:
    """authorize → the code redeemed twice at once → a fresh code → two Adds at once on one
    single scope."""
    location = http.get(
        authorize_url(base, mock_user=user, scope=SCOPE), allow_redirects=False, timeout=60
    ).headers["Location"]
    code = query(location)["code"]
    redemptions = twice_at_once(
        lambda: requests.post(f"{base}/v2/oauth/token/", data=token_form(code), timeout=60)
    )
    statuses = [r.status_code for r in redemptions]
    tokens = [r.json() for r in redemptions]
    # That code was reused, so its tokens are revoked: the Adds use a fresh code's token.
    location = http.get(
        authorize_url(base, mock_user=user, scope=SCOPE), allow_redirects=False, timeout=60
    ).headers["Location"]
    fresh = http.post(
        f"{base}/v2/oauth/token/", data=token_form(query(location)["code"]), timeout=60
    )
    statuses.append(fresh.status_code)
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    adds = twice_at_once(
        lambda: requests.post(
            f"{base}/v2/user/data/add/?fields=request_id", json=BODY, headers=headers, timeout=60
        )
    )
    statuses += [a.status_code for a in adds]
    return {
        "tokens": tokens,
        "statuses": statuses,
        "request_ids": [a.json()["data"]["request_id"] for a in adds if a.status_code == 200],
    }


def test_thousand_concurrent_full_flows(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "load.db", workers=4, env={"TIKTOK_MOCK_RATE_LIMITS": "off"}
    ).start()
    try:
        users = ["lena.schmidt", "camille.martin", "oliver.bennett", "sanne.devries"]
        local = threading.local()

        def one(i: int) -> dict[str, Any]:
            if not hasattr(local, "http"):
                local.http = requests.Session()
            return flow(server.url, users[i % len(users)], local.http)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(one, range(1000)))
        elapsed = time.monotonic() - started
        statuses = Counter(s for r in results for s in r["statuses"])
        print(f"1000 flows in {elapsed:.1f} s: {statuses}")
        assert all(s < 500 for s in statuses)
        for r in results:
            # Exactly one redemption of each code won, exactly one Add per single scope.
            assert sum("access_token" in t for t in r["tokens"]) == 1
            assert len(r["request_ids"]) == 1
        issued = [r["request_ids"][0] for r in results]
        stored = requests.get(f"{server.url}/_mock/requests", timeout=60).json()
        assert sorted(issued) == sorted(x["request_id"] for x in stored)
        assert all(x["consumed_scopes"] == ["portability.all.single"] for x in stored)
    finally:
        server.stop()


def test_kill_9_mid_load_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    server = LiveServer(db, workers=4, env={"TIKTOK_MOCK_RATE_LIMITS": "off"}).start()
    acknowledged: list[dict[str, Any]] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        http = requests.Session()
        while not stop.is_set():
            try:
                location = http.get(
                    authorize_url(server.url, mock_user="lena.schmidt", scope=SCOPE),
                    allow_redirects=False,
                    timeout=5,
                ).headers["Location"]
                token = http.post(
                    f"{server.url}/v2/oauth/token/",
                    timeout=5,
                    data=token_form(query(location)["code"]),
                ).json()
                added = http.post(
                    f"{server.url}/v2/user/data/add/?fields=request_id",
                    json=BODY,
                    timeout=5,
                    headers={"Authorization": f"Bearer {token['access_token']}"},
                )
                acknowledged.append(
                    {"token": token, "request_id": added.json()["data"]["request_id"]}
                )
            except (requests.RequestException, KeyError, ValueError):
                return  # the server died under us: stop this client

    threads = [threading.Thread(target=load, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill_hard()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 50, "the load did not get going before the kill"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = LiveServer(db, workers=4).start()
    try:
        stored = {
            r["request_id"]: r
            for r in requests.get(f"{again.url}/_mock/requests", timeout=30).json()
        }
        for ack in acknowledged:
            assert ack["request_id"] in stored
            record = stored[ack["request_id"]]
            assert record["open_id"] == ack["token"]["open_id"]
            assert record["consumed_scopes"] == ["portability.all.single"]
        for ack in acknowledged[:: max(1, len(acknowledged) // 40)]:
            info = requests.get(
                f"{again.url}/v2/user/info/?fields=open_id",
                timeout=10,
                headers={"Authorization": f"Bearer {ack['token']['access_token']}"},
            )
            assert info.status_code == 200
        print(f"{len(acknowledged)} acknowledged flows before kill -9, all intact")
    finally:
        again.stop()
