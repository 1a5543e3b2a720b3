"""The polling fast path: plain successful `check` calls answered without Flask's machinery.

Clients poll `POST /v2/user/data/check/` in tight loops, and Flask's request, context and
response objects cost several times the mock's own work there. This WSGI wrapper answers the
ordinary case itself, through the same domain functions, serialiser and journal as the Flask
view, with byte-identical answers (tests/test_fastpath.py holds the two paths side by side).

It answers only when nothing unusual can happen: a POST with a JSON body of known length, an
allowed Host, no `X-Mock-Fault` header, no fault rules, a live user token with a portability
scope, known `fields`, an integer `request_id` the token's user owns, and the rate limit not
reached. It decides that without side effects, so anything else (every error, every
tolerated oddity the journal notes) goes to Flask exactly as if the fast path did not exist,
with the body it read handed back.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from .envelope import ok_body, parse_fields
from .errors import ApiError
from .faults.engine import has_rules
from .journal.recorder import annotate, record_call
from .oauth.grants import valid_bearer
from .pipeline import host_allowed
from .portability import requests as domain
from .ratelimit import enforce
from .state import MockState, call_outside_flask, log_id, now

PATH = "/v2/user/data/check/"
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class FastPath:
    """WSGI middleware in front of the Flask app (`app.wsgi_app`)."""

    def __init__(self, st: MockState, flask_app: WSGIApp) -> None:
        self.st = st
        self.flask_app = flask_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
            answer = self._check(environ, start_response)
            if answer is not None:
                return answer
        return self.flask_app(environ, start_response)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The body, when plainly sent: a JSON content type and a length within the cap."""
        if "HTTP_X_MOCK_FAULT" in environ or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        length = environ.get("CONTENT_LENGTH", "")
        if mimetype != "application/json" or not length.isdigit():
            return None
        if not 0 < int(length) <= self.st.settings.max_body_bytes:
            return None
        raw: bytes = environ["wsgi.input"].read(int(length))
        # Flask must find the same bytes if the fast path hands the call over.
        environ["wsgi.input"] = io.BytesIO(raw)
        return raw

    def _check(self, environ: dict[str, Any], start_response: Any) -> list[bytes] | None:
        st = self.st
        host = environ.get("HTTP_HOST")
        if not host or not host_allowed(st.settings, host):
            return None
        raw = self._body(environ)
        if raw is None:
            return None
        started = time.perf_counter()
        st.db.pin_reads()
        try:
            with call_outside_flask(st) as call:
                call.started = started
                body = self._answer(environ, raw)
                if body is None:
                    return None
                data = body.encode()
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/json"),
                        ("Content-Length", str(len(data))),
                        ("x-tt-logid", log_id()),
                    ],
                )
                record_call(call, "POST", PATH, "check", 200, None)
                return [data]
        finally:
            st.db.unpin_reads()

    def _answer(self, environ: dict[str, Any], raw: bytes) -> str | None:
        """The success body, or None for anything Flask should answer instead."""
        st = self.st
        if has_rules(st):
            return None
        token = valid_bearer(st, environ.get("HTTP_AUTHORIZATION"), now())
        if token is None:
            return None
        query = environ.get("QUERY_STRING", "")
        if not query.startswith("fields=") or "&" in query or "%" in query or "+" in query:
            return None
        try:
            domain.require_portability_scope(token)
            wanted = parse_fields(query[7:], domain.CHECK_FIELDS)
            request_id = _plain_request_id(raw)
            if request_id is None:
                return None
            found = domain.owned(st, token, request_id, now())
            # Last, as in the view: a call refused above is never counted, and a call over
            # the limit is not counted either, so Flask counting it again is exact.
            enforce(st, token.client_key, "check", now())
        except ApiError:
            return None
        annotate(client_key=token.client_key, open_id=token.open_id, request_id=request_id)
        fields = found.check_fields()
        return ok_body({f: fields[f] for f in wanted})


def _plain_request_id(raw: bytes) -> int | None:
    """`request_id` of a JSON object body when it is a plain in-range integer."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    value = body.get("request_id") if isinstance(body, dict) else None
    if type(value) is not int or not domain.possible_id(value):
        return None
    return value
