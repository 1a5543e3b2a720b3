"""The two error families of TikTok's v2 API, plus the mock's own, as exception classes.

- OAuth (`/v2/oauth/*`): a flat `{error, error_description, log_id}` body, HTTP status from the
  `oauth_error_status` setting (TikTok was seen answering 200).
- Open API (`/v2/user/*`): the envelope `{data: {}, error: {code, message, log_id}}`.
- Authorize page: an HTML page, status 400, no redirect.
- Control API (`/_mock/*`): plain JSON `{"error": message}`.

Views raise these; nobody builds an error response by hand.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException

from .journal.recorder import annotate
from .state import log_id, state


class OAuthError(HTTPException):
    """An RFC 6749 error as TikTok's token and revoke endpoints send it."""

    error = "invalid_request"
    description = "The request parameters are malformed."

    def __init__(self, description: str | None = None, *, status: int | None = None) -> None:
        super().__init__(description)
        # Raised only while handling a request, so the setting is at hand.
        self.code = status if status is not None else state().settings.oauth_error_status

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        annotate(error_code=self.error)
        return json.dumps(
            {"error": self.error, "error_description": self.description, "log_id": log_id()}
        )

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
        ]


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"
    description = "Client key or secret is invalid."


class InvalidGrant(OAuthError):
    error = "invalid_grant"
    description = "Authorization code is expired."


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    description = "Grant type is not supported."


class OAuthServerError(OAuthError):
    error = "server_error"
    description = "Internal server error."


class ApiError(HTTPException):
    """An Open API error in TikTok's envelope; `code` is the HTTP status."""

    code = 400
    api_code = "invalid_params"
    description = "Request parameters are invalid."

    def __init__(
        self,
        description: str | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        if status is not None:
            self.code = status
        self._extra_headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        annotate(error_code=self.api_code)
        error: dict[str, Any] = {"code": self.api_code}
        # The portability endpoints repeat the status inside `error` (reference §3).
        if request.path.startswith("/v2/user/data/"):
            error["http_status_code"] = self.code
        error["message"] = self.description
        error["log_id"] = log_id()
        return {"data": {}, "error": error}

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return json.dumps(self.envelope())

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json"), *self._extra_headers.items()]


class AccessTokenInvalid(ApiError):
    code = 401
    api_code = "access_token_invalid"
    description = "The access token is invalid or not found in the request."


class ScopeNotAuthorized(ApiError):
    code = 401
    api_code = "scope_not_authorized"
    description = "The user did not authorize the scope required for completing this request."


class ScopePermissionMissed(ApiError):
    code = 400
    api_code = "scope_permission_missed"
    description = "Some requested fields need scopes the user did not grant."


class InvalidParams(ApiError):
    code = 400
    api_code = "invalid_params"


class RateLimitExceeded(ApiError):
    code = 429
    api_code = "rate_limit_exceeded"
    description = "API rate limit exceeded, please retry later."


class InternalError(ApiError):
    code = 500
    api_code = "internal_error"
    description = "Something went wrong in the mock; see its log for the traceback."


# Open API error classes by TikTok code (fault injection answers any of them by name).
API_ERRORS: dict[str, type[ApiError]] = {
    cls.api_code: cls
    for cls in (
        AccessTokenInvalid,
        ScopeNotAuthorized,
        ScopePermissionMissed,
        InvalidParams,
        RateLimitExceeded,
        InternalError,
    )
}


class AuthorizePageError(HTTPException):
    """The consent host's error page: status 400, no redirect, names the bad parameter."""

    code = 400

    def __init__(
        self,
        parameter: str,
        description: str,
        *,
        error: str = "invalid_request",
        error_type: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(description)
        self.code = status
        self.parameter = parameter
        self.error = error
        self.error_type = error_type

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        annotate(error_code=self.error)
        if current_app:
            return render_template("authorize_error.html", error=self)
        return f"{self.parameter}: {self.description}"  # pragma: no cover - outside a request

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "text/html; charset=utf-8")]


class ControlError(HTTPException):
    """An error of the mock's own `/_mock/` API, as plain JSON."""

    code = 400

    def __init__(self, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.code = status

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return json.dumps({"error": self.description, "status": self.code})

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json")]
