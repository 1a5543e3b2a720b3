"""What a fired fault does to the call: delay it, answer an error, or break the connection.

Effects that replace the answer run before the view; effects on the body (truncate, corrupt,
drip, reset mid-stream) wrap the real response after it. Connection-level effects act on the
server's socket (gunicorn's or werkzeug's), so a plain HTTP client sees a real reset or an
empty reply, then raise ConnectionResetError, which both servers treat as a dropped client.
"""

from __future__ import annotations

import errno
import socket
import struct
import time
from collections.abc import Iterable, Iterator
from typing import NoReturn

from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from .. import errors
from ..state import state
from .engine import Fired
from .rules import OAUTH_ERRORS, OPEN_API_ERRORS

DEFAULT_RETRY_AFTER = 1  # injected 429s: a small default so test suites are not slowed
_MALFORMED = b'{"data": {"request_id": 7', b"4920", b'12, "error": {"code": "ok", "mes'


def _socket() -> socket.socket | None:
    env = request.environ
    sock = env.get("gunicorn.socket") or env.get("werkzeug.socket")
    return sock if isinstance(sock, socket.socket) else None


def _break(sock: socket.socket | None, how: str) -> NoReturn:
    """Reset (RST) or close (FIN) the connection, then stop the server writing to it."""
    if sock is not None:
        try:
            if how == "reset":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        except OSError:
            pass
    raise ConnectionResetError(errno.ECONNRESET, f"mock fault: {how}")


def _broken_body(sock: socket.socket | None, how: str, delay: float = 0.0) -> Iterator[bytes]:
    # The socket is looked up before the body runs: by then the request context is gone.
    if delay:
        time.sleep(delay)
    _break(sock, how)
    yield b""  # pragma: no cover - unreachable; makes this a generator


def family_error(name: str, message: str | None, retry_after: int) -> HTTPException:
    path = request.path
    if path.startswith("/v2/oauth/"):
        oauth_name = (
            name
            if name in OAUTH_ERRORS
            else {
                "rate_limit_exceeded": "temporarily_unavailable",
                "internal_error": "server_error",
            }.get(name, "invalid_request")
        )
        exc = errors.OAuthError(message or f"Injected fault: {oauth_name}.")
        exc.error = oauth_name
        return exc
    if path.startswith("/v2/auth/"):
        return errors.AuthorizePageError(
            "request", message or f"Injected fault: {name}.", error=name
        )
    api_name = (
        name
        if name in OPEN_API_ERRORS
        else (
            "internal_error"
            if name in ("server_error", "temporarily_unavailable")
            else "invalid_params"
        )
    )
    headers = {"Retry-After": str(retry_after)} if api_name == "rate_limit_exceeded" else None
    return errors.API_ERRORS[api_name](message, headers=headers)


def before_view(fired: Fired) -> Response | None:
    """Apply the effects that come before (or instead of) the real answer."""
    effect = fired.effect
    rng = fired.rng
    if "latency_ms" in effect and rng is not None:
        low, high = effect["latency_ms"]
        time.sleep(rng.randint(low, high) / 1000)
    if effect.get("hang"):
        hang = state().settings.fault_hang_seconds
        return Response(_broken_body(_socket(), "close", hang))
    if effect.get("empty"):
        return Response(_broken_body(_socket(), "close"))
    if effect.get("reset") and "truncate" not in effect:
        return Response(_broken_body(_socket(), "reset"))
    if "error" in effect:
        raise family_error(
            effect["error"], effect.get("message"), effect.get("retry_after", DEFAULT_RETRY_AFTER)
        )
    if "status" in effect:
        status = int(effect["status"])
        return Response(
            HTTP_STATUS_CODES.get(status, "Injected status"), status, mimetype="text/plain"
        )
    if effect.get("malformed"):
        return Response(iter(_MALFORMED), 200, mimetype="application/json")
    return None


def _truncated(
    body: Iterable[bytes], limit: int, reset: bool, sock: socket.socket | None
) -> Iterator[bytes]:
    sent = 0
    for chunk in body:
        if sent + len(chunk) >= limit:
            yield chunk[: limit - sent]
            sent = limit
            break
        sent += len(chunk)
        yield chunk
    if reset:
        _break(sock, "reset")


def _corrupted(body: Iterable[bytes]) -> Iterator[bytes]:
    """Flip one byte in every 4 KiB (past the first 64 bytes): CRCs and inflate both fail."""
    offset = 0
    for chunk in body:
        data = bytearray(chunk)
        for i in range(len(data)):
            position = offset + i
            if position >= 64 and position % 4096 == 64:
                data[i] ^= 0xFF
        offset += len(data)
        yield bytes(data)


def _dripped(body: Iterable[bytes], rate: int) -> Iterator[bytes]:
    piece = max(1, rate // 10)
    for chunk in body:
        for start in range(0, len(chunk), piece):
            yield chunk[start : start + piece]
            time.sleep(min(piece, len(chunk) - start) / rate)


def after_view(fired: Fired, response: Response) -> Response:
    """Wrap the real body with truncate / corrupt / drip / reset mid-stream."""
    effect = fired.effect
    if not any(k in effect for k in ("truncate", "corrupt", "drip_bytes_per_s")):
        return response
    body: Iterable[bytes] = response.iter_encoded()
    if effect.get("corrupt"):
        body = _corrupted(body)
    if "truncate" in effect:
        body = _truncated(body, int(effect["truncate"]), bool(effect.get("reset")), _socket())
    if "drip_bytes_per_s" in effect:
        body = _dripped(body, int(effect["drip_bytes_per_s"]))
    response.response = body
    response.headers.pop("Content-Length", None)
    return response
