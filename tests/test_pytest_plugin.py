"""The `pytest11` plugin, run as an integration's test suite would use it (with `pytester`)."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]
# The inner runs see only this project's plugin: pytest-playwright (installed for the browser
# tests) cannot be loaded twice in one process.
ISOLATED = ("-p", "no:playwright", "-p", "no:base_url")

EXPORT_FLOW = """
import io
import json
import urllib.request
import zipfile

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url, token, body):
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with NO_PROXY.open(req, timeout=30) as resp:
        return resp.headers.get("Content-Type"), resp.read()


def test_export_flow(tiktok_mock):
    token = tiktok_mock.token("lena.schmidt")
    base = f"{tiktok_mock.url}/v2/user/data"
    _, body = post(
        f"{base}/add/?fields=request_id",
        token,
        {"data_format": "json", "category_selection_list": ["profile"]},
    )
    request_id = json.loads(body)["data"]["request_id"]
    _, body = post(f"{base}/check/?fields=status", token, {"request_id": request_id})
    assert json.loads(body)["data"]["status"] == "pending"

    tiktok_mock.advance(30)

    _, body = post(f"{base}/check/?fields=status", token, {"request_id": request_id})
    assert json.loads(body)["data"]["status"] == "downloading"
    content_type, archive = post(f"{base}/download/", token, {"request_id": request_id})
    assert content_type.startswith("application/zip")
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert zf.testzip() is None
        data = json.loads(zf.read("user_data_tiktok.json"))
    profile = data["Profile And Settings"]["Profile Info"]["ProfileMap"]
    assert profile["userName"] == "lena.schmidt"
"""


def test_registered_as_a_pytest11_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("tiktok_mock") == "mockserver.pytest_plugin"


def test_export_flow_with_only_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_export=EXPORT_FLOW)
    result = pytester.runpytest(*ISOLATED, "-W", "error", "--durations=0", "-vv")
    result.assert_outcomes(passed=1)
    durations = re.findall(
        r"([\d.]+)s (setup|call)\s+test_export.py::test_export_flow", result.stdout.str()
    )
    # Setup starts the session server once; the test itself (reset, token, add, advance,
    # check, download) is the target: well under a second.
    calls = [float(seconds) for seconds, phase in durations if phase == "call"]
    assert len(calls) == 1 and calls[0] < 1.0, result.stdout.str()


def test_each_test_starts_from_the_seeded_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_reset="""
        import pytest
        from mockserver.testing import MockControlError

        def test_one(tiktok_mock):
            made = tiktok_mock.create_user("NL", "empty", username="only.in.one")
            assert made["region"] == "NL"
            assert tiktok_mock.token("only.in.one", "user.info.basic").startswith("act.")
            tiktok_mock.advance(86400)
            rule = tiktok_mock.add_fault({"match": {"endpoint": "add"}, "effect": {"status": 503}})
            assert isinstance(rule["id"], int)

        def test_two(tiktok_mock):
            with pytest.raises(MockControlError) as err:
                tiktok_mock.control.user("only.in.one")
            assert err.value.status == 404
            assert len(tiktok_mock.control.users()) == 9
            assert tiktok_mock.control.clock()["offset"] == 0
            assert tiktok_mock.control.faults() == []
            assert tiktok_mock.control.requests() == []

        def test_same_server(tiktok_mock, tiktok_mock_server):
            assert tiktok_mock.url == tiktok_mock_server.url
        """
    )
    pytester.runpytest(*ISOLATED, "-W", "error", "-p", "no:randomly").assert_outcomes(passed=3)


def test_settings_fixture_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def tiktok_mock_settings():
            return {"token_profile": "legacy", "seed": 99}
        """
    )
    pytester.makepyfile(
        test_legacy="""
        def test_legacy_lifetimes(tiktok_mock):
            answer = tiktok_mock.token_response("camille.martin", "user.info.basic")
            assert answer["expires_in"] == 86400
            assert answer["refresh_expires_in"] == 31536000
            assert tiktok_mock.control.health()["seed"] == 99
        """
    )
    pytester.runpytest(*ISOLATED, "-W", "error").assert_outcomes(passed=1)


def test_default_settings_without_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_default="""
        def test_current_profile(tiktok_mock_settings, tiktok_mock):
            assert tiktok_mock_settings == {}
            assert tiktok_mock.token_response()["expires_in"] == 7200
        """
    )
    pytester.runpytest(*ISOLATED, "-W", "error").assert_outcomes(passed=1)
