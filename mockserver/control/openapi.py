"""`GET /_mock/openapi.json`: the hand-curated OpenAPI 3.1 description of the mock.

The document (`mockserver/openapi.json`) covers the emulated TikTok endpoints and this control
API; Schemathesis and `tests/test_openapi.py` check the server against it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from werkzeug.wrappers import Response

from .base import bp


@cache
def _document() -> bytes:
    """The document's bytes, read once per process from the installed package."""
    return resources.files("mockserver").joinpath("openapi.json").read_bytes()


@bp.get("/openapi.json")
def openapi() -> Response:
    return Response(_document(), mimetype="application/json")
