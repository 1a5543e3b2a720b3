"""How `tiktok-mock serve` runs: JSON access log, graceful SIGTERM, no control socket."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import requests

from tests.support import LiveServer


def test_json_access_log_and_graceful_sigterm(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "s.db", workers=2, env={"TIKTOK_MOCK_ACCESS_LOG": "json"}
    ).start()
    answer = requests.get(f"{server.url}/v2/user/info/?fields=open_id", timeout=10)
    assert answer.status_code == 401
    started = time.monotonic()
    assert server.proc is not None
    proc = server.proc
    server.stop(signal.SIGTERM)
    # Within graceful_timeout (10 s) plus margin: a starved CI machine can be slow to reap.
    assert proc.returncode == 0 and time.monotonic() - started < 15
    lines = [
        json.loads(line)
        for line in server.log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    entry = next(e for e in lines if e["path"] == "/v2/user/info/")
    assert entry["status"] == "401" and entry["method"] == "GET"
    assert entry["log_id"] == answer.headers["x-tt-logid"]
