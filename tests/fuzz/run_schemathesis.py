"""Fuzz the real server against its own OpenAPI document with Schemathesis v4.

    .venv/bin/python tests/fuzz/run_schemathesis.py [--max-examples N] [--seed S]
        [--continue-on-failure] [--keep]

Starts `tiktok-mock serve` (real gunicorn, 2 workers, a temporary SQLite file,
`TIKTOK_MOCK_RATE_LIMITS=off`, no other TIKTOK_MOCK_* variable) on a free loopback port, gets
REAL credentials through the real authorize + token flow (`mockserver.testing.get_token`: a user
access token for lena.schmidt with every scope the bundled web client has), prepares live data
(below), then runs `st run <url>/_mock/openapi.json` with that bearer token, a fixed seed, one
Schemathesis worker (deterministic) and the checks not_a_server_error, status_code_conformance,
content_type_conformance, response_schema_conformance and response_headers_conformance.
Prints every failure, the statuses each operation answered, the server's logged errors, and the
number of generated cases (about 7,400 in about 50 s here); exits non-zero on any failure, any
Schemathesis error, any error in the server log, or fewer than 5,000 cases. Settings and the
static dictionaries are in `schemathesis.toml` beside this file (pinned: schemathesis==4.32.5).

Live data, so generated calls reach the logic instead of stopping at "unknown id": data
requests of the token's user in every state (three ready to download, JSON and TEXT; one
pending for the whole run; one cancelled; one expired; a ready one only the control routes
get, so that their transitions do not expire the downloadable ones), one of another user (it
must stay invisible), and a spare grant (camille.martin) whose unredeemed code, refresh token
and access token are offered to the token and revoke endpoints. They are appended to the config
as `live_*` dictionaries. The fuzzed token's own code, refresh token and access token are never
offered: redeeming its code again or revoking it would revoke the token mid-run.

Runs, in order (the excluded operations are fuzzed alone, later, where they break nothing):

1. `api`: every operation but the four below.
2. `state`: `POST /_mock/reset` (invalidates every token, so it cannot share a run with the
   /v2/ operations), `POST /_mock/faults` and `POST /_mock/scenarios/{name}` (their rules
   would inject resets, hangs, 5xx and broken JSON into later /v2/ calls on purpose; rules
   only act on /v2/ paths, and no /v2/ call follows). The server is reset afterwards.
3. `clock`: `POST /_mock/clock` alone (moving the clock years ahead expires the token and
   every data request). It runs last because it can leave the clock anywhere.

`GET /_mock/openapi.json` (the document itself) is skipped by Schemathesis. `X-Mock-Fault` is
not declared in the document, so Schemathesis never sends it. Redirects are never followed
(the authorize redirect points at the app's callback host). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from mockserver.testing import (
    WEB_CLIENT_KEY,
    WEB_REDIRECT_URI,
    MockControl,
    get_token,
)

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
SEED = 20261122
MAX_EXAMPLES = 300  # per operation and phase: ~7,000 cases with the coverage phase
STATE_MAX_EXAMPLES = 150
MIN_CASES = 5000
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
FUZZ_USER = "lena.schmidt"
SPARE_USER = "camille.martin"
# operationId → why it is not fuzzed together with the /v2/ operations.
ISOLATED = {
    "mockReset": "invalidates the fuzzed token mid-run",
    "mockAddFault": "its rules would inject faults into later /v2/ calls on purpose",
    "mockLoadScenario": "installs a preset's fault rules (resets, hangs, 5xx)",
    "mockMoveClock": "moving the clock far ahead expires the token and every data request",
}


# The Schemathesis runs, in order: name, operations included (all if empty), excluded, and
# whether the user token is sent.
RUNS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("api", (), tuple(ISOLATED), True),
    ("state", ("mockReset", "mockAddFault", "mockLoadScenario"), (), False),
    ("clock", ("mockMoveClock",), (), False),
)


@dataclass
class RunResult:
    name: str
    exit_code: int
    cases: int = 0
    failures: int = 0
    errors: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """One JSON call to the live server; raises on an HTTP error status."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=30) as resp:
        return json.loads(resp.read())


class Server:
    """`tiktok-mock serve` in a subprocess, as a user would start it."""

    def __init__(self, workdir: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.db_path = workdir / "mock.db"
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        # Only the settings chosen here: no admin token, config file or scenario from outside.
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_MOCK_")}
        env["TIKTOK_MOCK_RATE_LIMITS"] = "off"
        command = [
            sys.executable, "-m", "mockserver.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--db", str(self.db_path), "--workers", str(self.workers),
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        control = MockControl(self.url, timeout=2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                control.health()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server not healthy after {timeout} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def unredeemed_code(base: str, user: str, scopes: str) -> str:
    """A fresh authorization code of the web client, not redeemed."""
    query = urlencode(
        {
            "client_key": WEB_CLIENT_KEY,
            "response_type": "code",
            "scope": scopes,
            "redirect_uri": WEB_REDIRECT_URI,
            "state": "fuzz",
            "mock_user": user,
        }
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    try:
        opener.open(f"{base}/v2/auth/authorize/?{query}", timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code == 302:
            return parse_qs(urlsplit(exc.headers["Location"]).query)["code"][0]
        raise
    raise RuntimeError("authorize did not redirect")


def prepare(base: str) -> tuple[str, dict[str, list[Any]]]:
    """The fuzzed user token, and the live dictionaries (see the module docstring)."""
    web = next(c for c in MockControl(base).clients() if c["client_key"] == WEB_CLIENT_KEY)
    scopes = ",".join(web["scopes"])
    token = get_token(base, FUZZ_USER, scopes)["access_token"]
    spare = get_token(base, SPARE_USER, scopes)
    code = unredeemed_code(base, SPARE_USER, scopes)

    def add(data_format: str, categories: list[str], who: str = token) -> int:
        body = {"data_format": data_format, "category_selection_list": categories}
        answer = call(base, "POST", "/v2/user/data/add/?fields=request_id", body, who)
        request_id: int = answer["data"]["request_id"]
        return request_id

    def transition(request_id: int, to: str) -> None:
        call(base, "POST", f"/_mock/requests/{request_id}/transition", {"to": to})

    ready = [add("json", ["profile"]), add("text", ["video"]), add("json", ["direct_message"])]
    ready_for_control, pending, cancelled, expired = (add("json", ["profile"]) for _ in range(4))
    for request_id in (*ready, ready_for_control):
        transition(request_id, "downloading")
    call(base, "POST", f"/_mock/requests/{pending}/delay", {"seconds": 10**8})
    call(base, "POST", "/v2/user/data/cancel/", {"request_id": cancelled}, token)
    transition(expired, "expired")
    others = add("json", ["profile"], spare["access_token"])
    not_ready = [pending, cancelled, expired, others]
    return token, {
        # The portability endpoints get every state; the control routes that move requests
        # along get their own ready request, so the downloadable ones stay ready.
        "live_request_ids": [*ready, *not_ready],
        "live_control_request_ids": [ready_for_control, *not_ready],
        "live_codes": [code],
        "live_refresh_tokens": [spare["refresh_token"]],
        "live_access_tokens": [spare["access_token"]],
    }


# (operationIds, parameter, dictionary): where the live dictionaries are offered.
LIVE_BINDINGS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("dataCheck", "dataCancel", "dataDownload"), "body.request_id", "live_request_ids"),
    (("dataCancel",), "query.request_id", "live_request_ids"),
    (
        ("mockGetRequest", "mockTransitionRequest", "mockDelayRequest"),
        "path.request_id",
        "live_control_request_ids",
    ),
    (("token",), "body.code", "live_codes"),
    (("token",), "body.refresh_token", "live_refresh_tokens"),
    (("revoke",), "body.token", "live_access_tokens"),
)


def write_config(workdir: Path, live: dict[str, list[Any]]) -> Path:
    """schemathesis.toml plus the live dictionaries and their per-operation bindings."""
    lines = [CONFIG.read_text(), "", "# --- appended by run_schemathesis.py: live data"]
    for name, values in live.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    by_operations: dict[tuple[str, ...], list[str]] = {}
    for op_ids, key, name in LIVE_BINDINGS:
        binding = f'"{key}" = {{ dictionary = "{name}", probability = 0.7 }}'
        by_operations.setdefault(op_ids, []).append(binding)
    for op_ids, bindings in by_operations.items():
        lines += [
            "[[operations]]",
            f"include-operation-id = {json.dumps(list(op_ids))}",
            f"parameters = {{ {', '.join(bindings)} }}",
            "",
        ]
    path = workdir / "schemathesis.toml"
    path.write_text("\n".join(lines))
    return path


def st_command() -> list[str]:
    beside = Path(sys.executable).parent / "st"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("st")
    if found:
        return [found]
    return [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()"]


def run_st(
    name: str,
    base: str,
    config: Path,
    workdir: Path,
    *,
    max_examples: int,
    seed: int,
    token: str | None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    extra: list[str] | None = None,
) -> RunResult:
    report_dir = workdir / f"report-{name}"
    command = [
        *st_command(), "--config-file", str(config), "--no-color",
        "run", f"{base}/_mock/openapi.json", "--url", base,
        "--checks", ",".join(CHECKS),
        "--max-examples", str(max_examples), "--seed", str(seed),
        "--workers", "1", "--max-redirects", "0",
        "--report", "json,ndjson", "--report-dir", str(report_dir),
    ]  # fmt: skip
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    for op_id in include or ():
        command += ["--include-operation-id", op_id]
    for op_id in exclude or ():
        command += ["--exclude-operation-id", op_id]
    command += extra or []
    shown = " ".join(c if not c.startswith("Authorization:") else "'Authorization: Bearer …'"
                     for c in command)  # fmt: skip
    print(f"\n=== schemathesis run `{name}`\n$ {shown}", flush=True)
    started = time.monotonic()
    exit_code = subprocess.call(command, cwd=workdir)
    result = RunResult(name, exit_code, seconds=time.monotonic() - started)
    reports = sorted(report_dir.glob("*.json"))
    if not reports:
        result.notes.append("no JSON report was written")
        return result
    report = json.loads(reports[-1].read_text())
    result.cases = int(report["test_cases"]["generated"])
    result.failures = int(report["test_cases"]["unique_failures"])
    result.errors = len(report.get("errors") or [])
    for events in report_dir.glob("*.ndjson"):
        result.statuses = statuses_by_operation(events)
    return result


def statuses_by_operation(events: Path) -> dict[str, Counter[int]]:
    """How often each operation answered each status: what the generated cases reached."""
    found: dict[str, Counter[int]] = {}
    with events.open() as lines:
        for line in lines:
            if not line.startswith('{"ScenarioFinished"'):
                continue
            recorder = json.loads(line)["ScenarioFinished"]["recorder"]
            for interaction in (recorder.get("interactions") or {}).values():
                response = interaction.get("response")
                if response is not None:
                    found.setdefault(recorder["label"], Counter())[response["status_code"]] += 1
    return found


def server_errors(log_path: Path) -> list[str]:
    """The app's 'unhandled error on …' lines (and any other logged error) in the server log."""
    if not log_path.exists():
        return []
    lines = log_path.read_text(errors="replace").splitlines()
    return [line.strip() for line in lines if "unhandled error" in line or " ERROR " in line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--min-cases", type=int, default=MIN_CASES)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--continue-on-failure",
        action="store_true",
        help="keep generating cases for an operation after its first failure (to see them all)",
    )
    args = parser.parse_args(argv)
    extra = ["--continue-on-failure"] if args.continue_on_failure else []

    workdir = Path(tempfile.mkdtemp(prefix="tiktok-mock-fuzz-"))
    server = Server(workdir)
    results: list[RunResult] = []
    started = time.monotonic()
    try:
        server.start()
        token, live = prepare(server.url)
        config = write_config(workdir, live)
        print("excluded from the `api` run, fuzzed alone afterwards:")
        for op_id, why in ISOLATED.items():
            print(f"  {op_id}: {why}")
        for name, include, exclude, with_token in RUNS:
            if name == "clock":
                MockControl(server.url).reset()  # drop the fault rules the `state` run added
            results.append(
                run_st(
                    name,
                    server.url,
                    config,
                    workdir,
                    max_examples=args.max_examples if name == "api" else STATE_MAX_EXAMPLES,
                    seed=args.seed,
                    token=token if with_token else None,
                    include=list(include),
                    exclude=list(exclude),
                    extra=extra,
                )
            )
    finally:
        server.stop()
    logged = server_errors(server.log_path)
    if args.keep or logged:
        print(f"\nwork directory kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)

    print("\n=== statuses answered, per operation")
    for r in results:
        for label, counts in sorted(r.statuses.items(), key=lambda kv: kv[0].split()[::-1]):
            shown = "  ".join(f"{status}×{n}" for status, n in sorted(counts.items()))
            print(f"  {label:46} {shown}")
    if logged:
        print(f"\n=== the server logged {len(logged)} error(s) ({server.log_path}); distinct:")
        for line in sorted(set(logged))[:40]:
            print(f"  {line}")
    total = sum(r.cases for r in results)
    print("\n=== summary")
    for r in results:
        print(
            f"  {r.name:6} exit {r.exit_code}  {r.cases:6} cases  {r.failures:3} failures  "
            f"{r.errors:3} errors  {r.seconds:6.1f} s  {' '.join(r.notes)}"
        )
    print(
        f"  total  {total} cases in {time.monotonic() - started:.1f} s (minimum {args.min_cases})"
    )
    problems = [
        f"run `{r.name}`" for r in results if r.exit_code or r.failures or r.errors or r.notes
    ]
    if total < args.min_cases:
        problems.append(f"only {total} cases")
    if logged:
        problems.append(f"{len(logged)} server log error(s)")
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    print(f"OK: {total} cases, 0 failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
