"""The polling fast path answers exactly as Flask would: same status, headers, bytes, journal
rows and diagnostics, for the calls it serves and for every call it hands over.

Two servers with the same seed and a frozen clock, one with the fast path and one without, get the
same setup calls (so the same tokens and request ids), then the same requests side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from mockserver.app import create_app
from mockserver.testing import MockServer, get_token
from tests.support import WEB_KEY, WEB_SECRET

FROZEN = 1_790_000_000
LOG_ID = re.compile(r"\d{14}[0-9A-F]{20}")
ALL_FIELDS = "request_id,apply_time,collect_time,status,data_format,category_selection_list"


class Side:
    """One server and the credentials its setup produced."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        control = server.control
        control.freeze(True)
        control.set_time(FROZEN)  # a frozen clock stays frozen at the time set
        base = server.url
        lena = get_token(base, "lena.schmidt", "user.info.basic,portability.all.ongoing")
        camille = get_token(base, "camille.martin", "portability.all.ongoing")
        self.tokens = {
            "lena": lena["access_token"],
            "refresh": lena["refresh_token"],
            "camille": camille["access_token"],
            "basic": get_token(base, "lena.schmidt", "user.info.basic")["access_token"],
            "revoked": get_token(base, "lena.schmidt", "portability.all.ongoing")["access_token"],
            "client": requests.post(
                f"{base}/v2/oauth/token/",
                data={
                    "client_key": WEB_KEY,
                    "client_secret": WEB_SECRET,
                    "grant_type": "client_credentials",
                },
                timeout=10,
            ).json()["access_token"],
        }
        requests.post(
            f"{base}/v2/oauth/revoke/",
            data={
                "client_key": WEB_KEY,
                "client_secret": WEB_SECRET,
                "token": self.tokens["revoked"],
            },
            timeout=10,
        )
        self.ids = {name: self.add(name) for name in ("lena", "camille")}
        self.ids["lena_json_text"] = self.add("lena")

    def add(self, who: str) -> int:
        answer = requests.post(
            f"{self.server.url}/v2/user/data/add/?fields=request_id",
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            json={"data_format": "json", "category_selection_list": ["profile"]},
            timeout=10,
        )
        request_id: int = answer.json()["data"]["request_id"]
        return request_id

    def send(self, case: dict[str, Any]) -> dict[str, Any]:
        """The answer and what the journal and diagnostics learned from it, comparable."""
        before = len(self.server.control.journal())
        headers = dict(case.get("headers", {}))
        if "token" in case:
            headers["Authorization"] = f"Bearer {self.tokens[case['token']]}"
        body = case.get("body", b"")
        if "request" in case:
            body = case["body"] % self.ids[case["request"]]
        answer = requests.request(
            case.get("method", "POST"),
            f"{self.server.url}/v2/user/data/check/{case.get('query', '')}",
            data=iter([body]) if case.get("chunked") else body,
            headers=headers,
            timeout=10,
        )
        new_rows = self.server.control.journal()[before:]
        return _normalise(
            {
                "status": answer.status_code,
                "headers": [
                    (k, v) for k, v in answer.headers.items() if k not in ("Date", "Server")
                ],
                "body": answer.content.decode(),
                "journal": new_rows,
                "diagnostics": self.server.control.diagnostics(),
            }
        )


def _normalise(value: Any) -> Any:
    """Log ids are random per process and latencies vary; the rest must match to the byte."""
    if isinstance(value, str):
        return LOG_ID.sub("<log_id>", value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if k != "latency_ms"}
    if isinstance(value, list | tuple):
        return type(value)(_normalise(v) for v in value)
    return value


@pytest.fixture(scope="module")
def sides() -> Iterator[tuple[Side, Side]]:
    settings = {"seed": 99, "rate_limits": "on"}
    with (
        MockServer({**settings, "fast_path": True}) as fast,
        MockServer({**settings, "fast_path": False}) as flask_only,
    ):
        yield Side(fast), Side(flask_only)


JSON = {"Content-Type": "application/json"}
CASES: list[tuple[str, dict[str, Any]]] = [
    ("served: status", {"token": "lena", "query": "?fields=status", "request": "lena",
                        "body": b'{"request_id": %d}', "headers": JSON}),
    ("served: every field", {"token": "lena", "query": f"?fields={ALL_FIELDS}",
                             "request": "lena", "body": b'{"request_id": %d}', "headers": JSON}),
    ("served: spaces and repeats", {"token": "lena", "query": "?fields=status,%20status",
                                    "request": "lena", "body": b'{"request_id": %d}',
                                    "headers": JSON}),
    ("served: charset", {"token": "lena", "query": "?fields=status", "request": "lena",
                         "body": b'{"request_id": %d}',
                         "headers": {"Content-Type": "Application/JSON; charset=utf-8"}}),
    ("served: other keys", {"token": "lena", "query": "?fields=status", "request": "lena",
                            "body": b'{"x": [1], "request_id": %d}', "headers": JSON}),
    ("no fields", {"token": "lena", "request": "lena", "body": b'{"request_id": %d}',
                   "headers": JSON}),
    ("empty fields", {"token": "lena", "query": "?fields=", "request": "lena",
                      "body": b'{"request_id": %d}', "headers": JSON}),
    ("unknown field", {"token": "lena", "query": "?fields=status,colour", "request": "lena",
                       "body": b'{"request_id": %d}', "headers": JSON}),
    ("extra query", {"token": "lena", "query": "?fields=status&fields=request_id",
                     "request": "lena", "body": b'{"request_id": %d}', "headers": JSON}),
    ("no token", {"query": "?fields=status", "request": "lena", "body": b'{"request_id": %d}',
                  "headers": JSON}),
    ("basic auth", {"query": "?fields=status", "request": "lena",
                    "body": b'{"request_id": %d}',
                    "headers": {**JSON, "Authorization": "Basic x"}}),
    ("unknown token", {"query": "?fields=status", "request": "lena",
                       "body": b'{"request_id": %d}',
                       "headers": {**JSON, "Authorization": "Bearer act.nope"}}),
    ("refresh token", {"token": "refresh", "query": "?fields=status", "request": "lena",
                       "body": b'{"request_id": %d}', "headers": JSON}),
    ("client token", {"token": "client", "query": "?fields=status", "request": "lena",
                      "body": b'{"request_id": %d}', "headers": JSON}),
    ("revoked token", {"token": "revoked", "query": "?fields=status", "request": "lena",
                       "body": b'{"request_id": %d}', "headers": JSON}),
    ("no portability scope", {"token": "basic", "query": "?fields=status", "request": "lena",
                              "body": b'{"request_id": %d}', "headers": JSON}),
    ("another user's request", {"token": "lena", "query": "?fields=status",
                                "request": "camille", "body": b'{"request_id": %d}',
                                "headers": JSON}),
    ("string id", {"token": "lena", "query": "?fields=status", "request": "lena",
                   "body": b'{"request_id": "%d"}', "headers": JSON}),
    ("float id", {"token": "lena", "query": "?fields=status", "request": "lena",
                  "body": b'{"request_id": %d.0}', "headers": JSON}),
    ("bool id", {"token": "lena", "query": "?fields=status", "body": b'{"request_id": true}',
                 "headers": JSON}),
    ("zero id", {"token": "lena", "query": "?fields=status", "body": b'{"request_id": 0}',
                 "headers": JSON}),
    ("huge id", {"token": "lena", "query": "?fields=status",
                 "body": b'{"request_id": 99999999999999999999}', "headers": JSON}),
    ("unknown id", {"token": "lena", "query": "?fields=status", "body": b'{"request_id": 7}',
                    "headers": JSON}),
    ("no id", {"token": "lena", "query": "?fields=status", "body": b"{}", "headers": JSON}),
    ("malformed JSON", {"token": "lena", "query": "?fields=status", "body": b"{nope",
                        "headers": JSON}),
    ("JSON array", {"token": "lena", "query": "?fields=status", "body": b"[1]", "headers": JSON}),
    ("text body", {"token": "lena", "query": "?fields=status", "request": "lena",
                   "body": b'{"request_id": %d}', "headers": {"Content-Type": "text/plain"}}),
    ("no body", {"token": "lena", "query": "?fields=status", "headers": JSON}),
    ("chunked", {"token": "lena", "query": "?fields=status", "request": "lena",
                 "body": b'{"request_id": %d}', "headers": JSON, "chunked": True}),
    ("fault header", {"token": "lena", "query": "?fields=status", "request": "lena",
                      "body": b'{"request_id": %d}',
                      "headers": {**JSON, "X-Mock-Fault": "status=503"}}),
    ("foreign host", {"token": "lena", "query": "?fields=status", "request": "lena",
                      "body": b'{"request_id": %d}', "headers": {**JSON, "Host": "evil.test"}}),
    ("GET", {"method": "GET", "token": "lena", "query": "?fields=status"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "case"), CASES, ids=[name for name, _ in CASES])
def test_the_lane_answers_as_flask_does(
    sides: tuple[Side, Side], name: str, case: dict[str, Any]
) -> None:
    fast, flask_only = sides
    assert fast.tokens == flask_only.tokens and fast.ids == flask_only.ids  # same setup
    assert fast.send(case) == flask_only.send(case)


def test_rules_limits_and_the_clock_are_honoured_alike(sides: tuple[Side, Side]) -> None:
    """State the fast path must consult: fault rules, the rate limit window, expiry by the clock."""
    plain = CASES[0][1]
    rule = {"match": {"endpoint": "check"}, "trigger": {"times": 1}, "effect": {"status": 503}}
    for side in sides:
        side.server.control.add_fault(rule)
    results = [[side.send(plain) for _ in range(3)] for side in sides]
    assert results[0] == results[1]
    assert [r["status"] for r in results[0]] == [503, 200, 200]
    for side in sides:
        side.server.control.clear_faults()
    # 1,000 checks a minute per app: the 1,001st is refused, by both, counted alike.
    runs = []
    for side in sides:
        for _ in range(990):
            requests.post(
                f"{side.server.url}/v2/user/data/check/?fields=status",
                headers={"Authorization": f"Bearer {side.tokens['lena']}"},
                json={"request_id": side.ids["lena"]},
                timeout=10,
            )
        runs.append([side.send(plain)["status"] for _ in range(3)])
    assert runs[0] == runs[1] and 429 in runs[0]
    for side in sides:
        side.server.control.advance(7201)  # past the token's 2 hours
    assert sides[0].send(plain) == sides[1].send(plain)


def test_plain_checks_are_served_by_the_lane(tmp_path: Any) -> None:
    """Without this, the comparisons above would pass with a fast path that never answers."""
    settings = {"db_path": str(tmp_path / "mock.db"), "rate_limits": "off"}
    with MockServer(settings) as server:
        token = get_token(server.url, "lena.schmidt", "portability.all.ongoing")["access_token"]
        request_id = requests.post(
            f"{server.url}/v2/user/data/add/?fields=request_id",
            headers={"Authorization": f"Bearer {token}"},
            json={"data_format": "json", "category_selection_list": ["profile"]},
            timeout=10,
        ).json()["data"]["request_id"]
    app: Flask = create_app(settings)
    handed_over = []
    fast = app.wsgi_app
    flask_app = fast.flask_app  # type: ignore[attr-defined]

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        handed_over.append(environ["QUERY_STRING"])
        return flask_app(environ, start_response)

    fast.flask_app = counting  # type: ignore[attr-defined]
    client = app.test_client()
    for fields in ("status", "colour"):
        client.post(
            f"/v2/user/data/check/?fields={fields}",
            headers={"Authorization": f"Bearer {token}"},
            json={"request_id": request_id},
        )
    assert handed_over == ["fields=colour"]
    app.extensions["tiktok_mock"].close()
