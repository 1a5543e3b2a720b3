"""`create_app()`: settings → database → fixtures → blueprints → error handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import RequestRedirect

from . import errors, pipeline
from .clock import Clock
from .db import Database
from .fastpath import FastPath
from .fixtures_loader import prepare_state
from .ids import Ids
from .journal.store import JournalStore
from .ratelimit import RateCounter
from .settings import Settings, load_settings
from .state import EXTENSION, MockState, state

log = logging.getLogger("tiktok_mock")


class _TikTokJSON(DefaultJSONProvider):
    sort_keys = False  # TikTok's key order, not alphabetical


class MockFlask(Flask):
    """Flask without the trailing-slash redirect: TikTok answers 404 to `/v2/user/info`."""

    json_provider_class = _TikTokJSON

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks this of every hook and view on every request, and each answer costs an
        # `inspect` call; the answer for a function never changes.
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync

    def raise_routing_exception(self, request: Any) -> NoReturn:
        exc = request.routing_exception
        if isinstance(exc, RequestRedirect):
            path = request.path
            raise NotFound(
                f"No endpoint at {path}. TikTok's v2 paths end with a slash: {path.rstrip('/')}/"
            )
        raise exc


def create_app(
    overrides: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
) -> Flask:
    """Build the mock: the one place an app is made."""
    settings = settings or load_settings(overrides)
    app = MockFlask(__name__, static_folder=None)  # no /static route: nothing to serve
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    init_state(app, settings)
    register_blueprints(app)
    register_error_handlers(app)
    pipeline.register(app)
    if settings.fast_path:
        # Flask's documented place for WSGI middleware; see fastpath.py for what it answers.
        app.wsgi_app = FastPath(app.extensions[EXTENSION], app.wsgi_app)  # type: ignore[method-assign]
    return app


def init_state(app: Flask, settings: Settings) -> MockState:
    """Open the database, load the fixtures if it is new, install configured fault rules."""
    db = Database(settings.db_path)
    st = MockState(
        settings=settings,
        db=db,
        clock=Clock(db),
        ids=Ids(settings.seed, db),
        journal=JournalStore(settings.db_path),
        rates=RateCounter(settings.db_path),
    )
    app.extensions[EXTENSION] = st
    db.create_schema()
    with app.app_context():
        prepare_state(st)
    return st


def register_blueprints(app: Flask) -> None:
    from .control import faults as _control_faults  # noqa: F401 - registers routes
    from .control import observe as _control_observe  # noqa: F401 - registers routes
    from .control import openapi as _control_openapi  # noqa: F401 - registers routes
    from .control import requests as _control_requests  # noqa: F401 - registers routes
    from .control import views as _control_views  # noqa: F401 - registers routes
    from .control.base import bp as control_bp
    from .oauth.views import bp as oauth_bp
    from .portability.views import bp as portability_bp
    from .users.views import bp as user_bp

    app.register_blueprint(oauth_bp)
    app.register_blueprint(user_bp)
    app.register_blueprint(portability_bp)
    app.register_blueprint(control_bp)


def _family_error(exc: HTTPException) -> HTTPException:
    """Re-express Flask's own 400/404/405/413 in the error family of the requested path."""
    path = request.path
    status = exc.code or 500
    if status == 404:
        message = (
            exc.description
            if exc.description and exc.description.startswith("No ")
            else f"No endpoint at {request.method} {path}."
        )
    elif status == 405:
        allowed = ", ".join(
            m for m in getattr(exc, "valid_methods", None) or [] if m not in ("HEAD", "OPTIONS")
        )
        message = f"Method {request.method} is not allowed at {path}; use {allowed}."
    elif status == 413:
        message = (
            "The request body is too large (limit "
            f"{state().settings.max_body_bytes} bytes, setting max_body_bytes)."
        )
    else:
        message = exc.description or "Bad request."
    if path.startswith("/v2/oauth/"):
        return errors.InvalidRequest(
            f"The request parameters are malformed. {message}", status=status
        )
    if path.startswith("/v2/auth/"):
        return errors.AuthorizePageError("request", message, error="invalid_request", status=status)
    if path.startswith("/v2/"):
        return errors.InvalidParams(message, status=status)
    return errors.ControlError(message, status=status)


def register_error_handlers(app: Flask) -> None:
    """Every error answers in its family: never an HTML traceback."""
    mine = (errors.OAuthError, errors.ApiError, errors.AuthorizePageError, errors.ControlError)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if isinstance(exc, mine):
            return exc
        return _family_error(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        path = request.path
        if path.startswith("/v2/oauth/"):
            return errors.OAuthServerError(status=500)
        if path.startswith("/v2/"):
            return errors.InternalError()
        return errors.ControlError("internal error in the mock; see its log", status=500)
