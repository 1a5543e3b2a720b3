"""What wraps every call to the emulated API: fault rules before, journal and log id after."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

from .errors import ControlError
from .faults import effects, engine
from .faults.rules import FaultRuleError, parse_header
from .journal import recorder
from .settings import Settings
from .state import begin_call, current_call, current_request, end_call, log_id, state


def _facts(name: str) -> Any:
    """What fault rules may match on, computed only when a rule asks."""
    if name == "endpoint":
        return recorder.endpoint_name()
    if name == "path":
        return request.path
    if name == "method":
        return request.method
    if name in ("client_key", "open_id"):
        header = request.headers.get("Authorization", "")
        row = None
        if header.lower().startswith("bearer "):
            row = (
                state()
                .db.connect()
                .execute(
                    "SELECT client_key, open_id FROM access_tokens WHERE token = ?",
                    (header[7:].strip(),),
                )
                .fetchone()
            )
        if name == "open_id":
            return None if row is None else row["open_id"]
        return row["client_key"] if row is not None else request.values.get("client_key")
    if name == "request_id":
        body = request.get_json(silent=True) if request.is_json else None
        raw = body.get("request_id") if isinstance(body, dict) else None
        raw = raw if raw is not None else request.args.get("request_id")
        try:
            return int(raw) if raw is not None and not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            return None
    return None


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@lru_cache(maxsize=8)
def _allowed_hosts(setting: str, bind_host: str) -> frozenset[str] | None:
    """Host names to accept, or None for any; worked out once, not per request."""
    if setting:
        names = frozenset(h.strip().lower() for h in setting.split(",") if h.strip())
        return None if "*" in names else names
    if bind_host in LOOPBACK_NAMES or bind_host.startswith("127."):
        return LOOPBACK_NAMES
    return None


def host_allowed(settings: Settings, host: str) -> bool:
    """Whether a request's Host (`name` or `name:port`) is one this server answers."""
    allowed = _allowed_hosts(settings.allowed_hosts, settings.host)
    if allowed is None:
        return True
    host = host.lower()
    name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    return name in allowed


def before() -> Response | None:
    req = current_request()
    if not host_allowed(state().settings, req.host):
        message = (
            f"Host {req.host!r} is not allowed; set allowed_hosts "
            "(TIKTOK_MOCK_ALLOWED_HOSTS) to accept it."
        )
        if req.path.startswith("/v2/"):
            raise effects.family_error("invalid_request", message, 0)
        raise ControlError(message)
    if not req.path.startswith("/v2/"):
        return None
    recorder.start()
    header = req.headers.get("X-Mock-Fault")
    extra = None
    if header:
        try:
            extra = parse_header(header)["effect"]
        except FaultRuleError as exc:
            raise effects.family_error("invalid_request", f"X-Mock-Fault: {exc}", 0) from None
    facts = engine.memo(_facts)
    fired = engine.evaluate(state(), facts, extra)
    if fired is None:
        return None
    call = current_call()
    if call is not None:
        call.fault = fired
    # The view may never run, so the journal learns who called from the facts.
    recorder.annotate(
        fault=fired.describe(),
        client_key=facts("client_key"),
        open_id=facts("open_id"),
        request_id=facts("request_id"),
    )
    return effects.before_view(fired)


def after(response: Response) -> Response:
    call = current_call()
    fired = None if call is None else call.fault
    if fired is not None:
        response = effects.after_view(fired, response)
    recorder.record(response)
    response.headers["x-tt-logid"] = log_id()
    return response


def register(app: Flask) -> None:
    # begin_call first: every later hook, view and error handler reads the call's scratch.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(_end)


def _begin() -> None:
    begin_call().st.db.pin_reads()


def _end(exc: BaseException | None = None) -> None:
    call = current_call()
    if call is not None:
        call.st.db.unpin_reads()
    end_call(exc)
