"""The Data Portability lifecycle through real HTTP against `tiktok-mock serve` (4 workers):
add → check → (clock) → download a real zip → expire, the scope rules, and bad input."""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import LiveServer, Portability, user_token

ALL_S = "user.info.basic,portability.all.single"
CHECK_ALL = "request_id,apply_time,collect_time,status,data_format,category_selection_list"
SECTIONS = {
    "profile": ["Profile And Settings"],
    "video": ["Post"],
    "direct_message": ["Direct Message"],
    "activity": ["Comment", "Likes and Favorites", "Your Activity"],
}


def error(answer: requests.Response) -> tuple[int, str, str]:
    body = answer.json()
    assert body["data"] == {}
    assert body["error"]["http_status_code"] == answer.status_code
    assert len(body["error"]["log_id"]) == 34
    return answer.status_code, body["error"]["code"], body["error"]["message"]


def test_full_lifecycle_json(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    added = api.add(["activity", "video"])
    body = added.json()
    assert list(body) == ["data", "error"] and body["error"]["code"] == "ok"
    request_id = body["data"]["request_id"]
    assert isinstance(request_id, int) and 10**14 < request_id < 2**53

    pending = api.check(request_id, CHECK_ALL)["data"]
    assert list(pending) == CHECK_ALL.split(",")
    assert pending["status"] == "pending" and pending["data_format"] == "json"
    assert pending["category_selection_list"] == ["activity", "video"]
    status, code, message = error(api.download(request_id))
    assert (status, code) == (400, "invalid_params") and "pending" in message

    server.advance(31)
    ready = api.check(request_id, "status,collect_time,apply_time")["data"]
    assert ready["status"] == "downloading"
    assert ready["collect_time"] >= ready["apply_time"] > 0
    archive = api.download(request_id)
    assert archive.status_code == 200
    assert archive.headers["Content-Type"] == "application/zip"
    assert f"{request_id}" in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["user_data_tiktok.json"]
        data = json.loads(zf.read("user_data_tiktok.json"))
    assert sorted(data) == sorted(SECTIONS["activity"] + SECTIONS["video"])
    assert {"Watch History", "Login History", "Searches"} <= set(data["Your Activity"])
    likes = data["Likes and Favorites"]["Like List"]["ItemFavoriteList"]
    assert likes and set(likes[0]) == {"date", "link"}
    assert re.match(r"^https://www\.tiktokv\.com/share/video/\d{19}/$", likes[0]["link"])

    server.advance(4 * 24 * 3600)
    # The 2-hour access token died long ago; a new grant of the same user and app still
    # sees the request.
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    assert api.status(request_id) == "expired"
    status, code, message = error(api.download(request_id))
    assert (status, code) == (400, "invalid_params") and "expired" in message


def test_text_format_layout(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, user="oliver.bennett", scope=ALL_S))
    request_id = api.add_id(["profile"], "text")
    server.advance(30)
    with zipfile.ZipFile(io.BytesIO(api.download(request_id).content)) as zf:
        names = zf.namelist()
        files = {n: zf.read(n).decode() for n in names}
    root = names[0].split("/")[0]
    assert re.match(r"^TikTok_Data_\d+$", root)
    assert {n.split("/")[1] for n in names} == {"Profile And Settings"}
    info = files[f"{root}/Profile And Settings/Profile Info.txt"]
    assert "UserName: oliver.bennett" in info
    followers = files[f"{root}/Profile And Settings/Follower.txt"]
    first = followers.split("\n\n")[0].splitlines()
    assert first[0].startswith("Date: ") and first[0].endswith(" UTC")
    assert first[1].startswith("UserName: ")

    empty = Portability(server.url, user_token(server.url, user="aoife.empty", scope=ALL_S))
    request_id = empty.add_id(["activity"], "text")
    server.advance(30)
    with zipfile.ZipFile(io.BytesIO(empty.download(request_id).content)) as zf:
        watch = [n for n in zf.namelist() if n.endswith("/Your Activity/Watch History.txt")]
        assert zf.read(watch[0]).decode() == "You have no data in this section"


@pytest.mark.parametrize(("category", "sections"), list(SECTIONS.items()))
def test_each_category_gives_exactly_its_sections(
    server: LiveServer, category: str, sections: list[str]
) -> None:
    api = Portability(
        server.url, user_token(server.url, user="camille.martin", scope="portability.all.ongoing")
    )
    request_id = api.add_id([category])
    server.advance(30)
    with zipfile.ZipFile(io.BytesIO(api.download(request_id).content)) as zf:
        assert sorted(json.loads(zf.read("user_data_tiktok.json"))) == sections


def test_all_data_gives_all_ten_sections(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, user="camille.martin", scope=ALL_S))
    request_id = api.add_id(["video", "all_data"])
    server.advance(30)
    with zipfile.ZipFile(io.BytesIO(api.download(request_id).content)) as zf:
        assert len(json.loads(zf.read("user_data_tiktok.json"))) == 10


def test_single_scope_is_consumed_by_one_add(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    api.add_id(["profile"])
    server.advance(30)
    status, code, message = error(api.add(["profile"]))
    assert (status, code) == (401, "scope_not_authorized")
    assert "portability.all.single" in message and "already used" in message


def test_documented_multi_scope_example(server: LiveServer) -> None:
    api = Portability(
        server.url,
        user_token(server.url, scope="portability.all.single,portability.activity.single"),
    )
    first = api.add_id(["activity", "video"])
    detail = requests.get(f"{server.url}/_mock/requests/{first}", timeout=10).json()
    assert detail["consumed_scopes"] == ["portability.all.single"]
    # "A subsequent request for activity data is allowed after the current request is
    # fulfilled": refused while pending, allowed once ready, with activity.single.
    status, code, message = error(api.add(["activity"]))
    assert (status, code) == (400, "invalid_params") and "still pending" in message
    server.advance(30)
    second = api.add_id(["activity"])
    detail = requests.get(f"{server.url}/_mock/requests/{second}", timeout=10).json()
    assert detail["consumed_scopes"] == ["portability.activity.single"]
    server.advance(30)
    status, code, _ = error(api.add(["video"]))
    assert (status, code) == (401, "scope_not_authorized")


def test_ongoing_scope_allows_repeats_with_full_data(server: LiveServer) -> None:
    api = Portability(
        server.url,
        user_token(server.url, user="camille.martin", scope="portability.activity.ongoing"),
    )
    first, second = api.add_id(["activity"]), api.add_id(["activity"])
    assert first != second
    server.advance(30)
    one, two = api.download(first).content, api.download(second).content
    assert one == two  # each is the full data, not a delta


def test_category_not_granted(server: LiveServer) -> None:
    api = Portability(
        server.url, user_token(server.url, scope="portability.postsandprofile.single")
    )
    status, code, message = error(api.add(["direct_message"]))
    assert (status, code) == (401, "scope_not_authorized")
    assert "direct_message" in message and "did not grant" in message


def test_tokens_without_portability_scopes_or_client_tokens(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope="user.info.basic"))
    assert error(api.add(["profile"]))[:2] == (401, "scope_not_authorized")
    client_token = requests.post(
        f"{server.url}/v2/oauth/token/",
        timeout=10,
        data={
            "client_key": "sbawmockweb0000001",
            "client_secret": "MockWebSecret0000000000000000001",
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    status, code, message = error(Portability(server.url, client_token).add(["profile"]))
    assert (status, code) == (401, "access_token_invalid") and "clt." in message


def test_two_concurrent_adds_on_one_single_scope_exactly_one_wins(server: LiveServer) -> None:
    for attempt in range(5):
        token = user_token(server.url, scope=ALL_S)
        start = threading.Barrier(2)

        def add(_: int, token: str = token, start: threading.Barrier = start) -> int:
            api = Portability(server.url, token)
            start.wait()
            return api.add(["activity"]).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            codes = sorted(pool.map(add, range(2)))
        assert codes == [200, 401], f"attempt {attempt}: {codes}"


def test_cancel_in_body_or_query_and_its_errors(server: LiveServer) -> None:
    api = Portability(
        server.url, user_token(server.url, user="camille.martin", scope="portability.all.ongoing")
    )
    first, second = api.add_id(["profile"]), api.add_id(["profile"])
    done = api.post("cancel", {"request_id": first})
    assert done.status_code == 200 and list(done.json()) == ["error"]
    assert done.json()["error"]["code"] == "ok"
    assert api.status(first) == "cancelled"
    by_query = api.http.post(f"{server.url}/v2/user/data/cancel/?request_id={second}", timeout=10)
    assert by_query.json()["error"]["code"] == "ok"
    status, code, message = error(api.post("cancel", {"request_id": first}))
    assert (status, code) == (400, "invalid_params") and "cancelled" in message
    assert "cancelled" in error(api.download(first))[2]
    other = Portability(server.url, user_token(server.url, scope="portability.all.ongoing"))
    third = other.add_id(["profile"])
    # Another user's request is simply unknown to this token: no leak.
    status, code, message = error(api.post("cancel", {"request_id": third}))
    assert message == "Incorrect `request_id`. Please validate the request."
    assert error(api.download(third))[2] == message
    assert error(api.post("check", {"request_id": third}, fields="status"))[2] == message


def test_unknown_download_id_is_the_documented_body(server: LiveServer) -> None:
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    answer = api.download(123456789012345678)
    body = answer.json()
    assert answer.status_code == 400
    assert body["data"] == {}
    assert list(body["error"]) == ["code", "http_status_code", "message", "log_id"]
    assert body["error"]["code"] == "invalid_params"
    assert body["error"]["message"] == "Incorrect `request_id`. Please validate the request."


@pytest.mark.parametrize(
    ("endpoint", "fields", "body", "words"),
    [
        ("add", None, {"data_format": "json", "category_selection_list": ["video"]}, "`fields`"),
        (
            "add",
            "request_id,status",
            {"data_format": "json", "category_selection_list": ["video"]},
            "status",
        ),
        (
            "add",
            "request_id",
            {"data_format": "csv", "category_selection_list": ["video"]},
            "`data_format` must be `json` or `text`",
        ),
        (
            "add",
            "request_id",
            {"data_format": "json", "category_selection_list": ["music"]},
            "`category_selection_list[0]` must be one of",
        ),
        (
            "add",
            "request_id",
            {"data_format": "json", "category_selection_list": []},
            "at least one category",
        ),
        (
            "add",
            "request_id",
            {"data_format": "json", "category_selection_list": "video"},
            "`category_selection_list` not a valid list",
        ),
        (
            "add",
            "request_id",
            {"data_format": 1, "category_selection_list": ["video"]},
            "`data_format`",
        ),
        ("add", "request_id", {"category_selection_list": ["video"]}, "`data_format`"),
        ("add", "request_id", ["not", "an", "object"], "JSON object"),
        ("check", "status,colour", {"request_id": 1}, "colour"),
        ("check", "status", {}, "`request_id` is required"),
        ("check", "status", {"request_id": 1.5}, "must be an integer"),
        ("check", "status", {"request_id": True}, "must be an integer"),
        ("check", "status", {"request_id": "123456789012345"}, "not a string"),
        ("check", "status", {"request_id": -5}, "Incorrect `request_id`"),
        ("check", "status", {"request_id": 2**70}, "Incorrect `request_id`"),
        ("download", None, {"request_id": None}, "`request_id` is required"),
        ("cancel", None, {}, "`request_id` is required"),
    ],
)
def test_bad_input_names_the_field(
    server: LiveServer, endpoint: str, fields: str | None, body: Any, words: str
) -> None:
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    status, code, message = error(api.post(endpoint, body, fields=fields))
    assert (status, code) == (400, "invalid_params")
    assert words in message


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        (b"{not json", {"Content-Type": "application/json"}),
        (b"data_format=json", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"x" * 2_000_000, {"Content-Type": "application/json"}),
        (b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"}),  # too deep
        (b'\xff\xfe{"request_id": 1}', {"Content-Type": "application/json"}),  # not UTF-8
    ],
)
@pytest.mark.parametrize("endpoint", ["add/?fields=request_id", "check/?fields=status"])
def test_malformed_bodies_never_500(
    server: LiveServer, payload: bytes, headers: dict[str, str], endpoint: str
) -> None:
    api = Portability(server.url, user_token(server.url, scope=ALL_S))
    answer = api.http.post(
        f"{server.url}/v2/user/data/{endpoint}",
        data=payload,
        headers=headers,
        timeout=10,
    )
    assert answer.status_code in (400, 413)
    assert answer.json()["error"]["code"] == "invalid_params"


def test_control_api_requests_transition_and_delay(server: LiveServer) -> None:
    api = Portability(
        server.url, user_token(server.url, user="camille.martin", scope="portability.all.ongoing")
    )
    first, second, third = (api.add_id(["profile"]) for _ in range(3))
    base = f"{server.url}/_mock/requests"
    moved = requests.post(f"{base}/{first}/transition", json={"to": "downloading"}, timeout=10)
    assert moved.json()["status"] == "downloading" and api.status(first) == "downloading"
    requests.post(f"{base}/{second}/transition", json={"to": "expired"}, timeout=10)
    assert api.status(second) == "expired"
    again = requests.post(f"{base}/{second}/transition", json={"to": "downloading"}, timeout=10)
    assert again.status_code == 409 and "expired" in again.json()["error"]
    bad = requests.post(f"{base}/{third}/transition", json={"to": "done"}, timeout=10)
    assert bad.status_code == 400
    requests.post(f"{base}/{third}/delay", json={"seconds": 3600}, timeout=10)
    server.advance(60)
    assert api.status(third) == "pending"
    listed = requests.get(base, params={"status": "pending"}, timeout=10).json()
    assert [r["request_id"] for r in listed] == [third]
    assert requests.get(f"{base}/999", timeout=10).status_code == 404


def test_per_user_export_delay(server: LiveServer) -> None:
    requests.post(f"{server.url}/_mock/users/camille.martin", json={"export_delay": 0}, timeout=10)
    api = Portability(server.url, user_token(server.url, user="camille.martin", scope=ALL_S))
    request_id = api.add_id(["profile"])
    assert api.status(request_id) == "downloading"


def test_byte_identical_archives_across_two_runs(tmp_path: Path) -> None:
    archives = []
    for run in range(2):
        server = LiveServer(tmp_path / f"run{run}.db", workers=2).start()
        try:
            api = Portability(server.url, user_token(server.url, scope=ALL_S))
            request_id = api.add_id(["all_data"], "text" if run == 2 else "json")
            server.advance(30)
            archives.append(api.download(request_id).content)
        finally:
            server.stop()
    assert len(archives[0]) > 100_000
    assert archives[0] == archives[1]
