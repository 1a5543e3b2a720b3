"""Login Kit's HTTP surface: the consent page, `/v2/oauth/token/` and `/v2/oauth/revoke/`.

Views parse and serialise; the rules live in `consent` and `grants`.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..errors import AuthorizePageError, InvalidClient, InvalidRequest, UnsupportedGrantType
from ..journal.recorder import annotate, observe
from ..state import now, state
from ..users.regions import is_portability_region
from ..users.store import list_users
from . import consent, grants
from .clients import Client, get_client
from .scopes import SCOPES

bp = Blueprint("oauth", __name__)

MALFORMED = "The request parameters are malformed."
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


@bp.get("/v2/auth/authorize/")
def authorize() -> Any:
    """Show the consent page, or decide at once for `mock_user` / the auto-approve user."""
    st = state()
    args = request.args
    annotate(client_key=args.get("client_key"))
    req = consent.validate(st, args)
    decision = args.get("mock_decision", "approve")
    if decision not in ("approve", "deny"):
        raise AuthorizePageError("mock_decision", "mock_decision must be `approve` or `deny`.")
    mock_user = args.get("mock_user")
    if mock_user:
        if decision == "deny":
            return redirect(consent.deny(req), 302)
        chosen = args["mock_scopes"].split(",") if "mock_scopes" in args else None
        return redirect(consent.approve(st, req, mock_user, chosen, now(), "mock_user"), 302)
    auto_user = st.settings.auto_approve_user
    if auto_user and not req.disable_auto_auth:
        return redirect(consent.approve(st, req, auto_user, None, now(), "auto_approve_user"), 302)
    users = list_users(st.db.connect())
    return render_template(
        "consent.html",
        req=req,
        scopes=[SCOPES[s] for s in req.scopes],
        users=[{**u, "eligible": is_portability_region(u["region"])} for u in users],
        any_portability=any(s.startswith("portability.") for s in req.scopes),
    )


@bp.post("/v2/auth/authorize/")
def authorize_decision() -> Any:
    """The consent form's answer: `user`, `decision` (approve|deny) and ticked `grant` boxes."""
    st = state()
    form = request.form
    annotate(client_key=form.get("client_key"))
    req = consent.validate(st, form)
    decision = form.get("decision", "")
    if decision == "deny":
        return redirect(consent.deny(req), 302)
    if decision != "approve":
        raise AuthorizePageError("decision", "decision must be `approve` or `deny`.")
    user = form.get("user", "")
    if not user:
        raise AuthorizePageError("user", "pick the user who approves (field `user`).")
    return redirect(consent.approve(st, req, user, form.getlist("grant"), now()), 302)


def _form() -> MultiDict[str, str]:
    """The form body; TikTok's OAuth endpoints take application/x-www-form-urlencoded only."""
    if request.mimetype != "application/x-www-form-urlencoded":
        sent = request.mimetype or "no Content-Type"
        if request.is_json:
            observe("json_body_at_token_endpoint", f"{request.path} got a JSON body")
        raise InvalidRequest(
            f"{MALFORMED} Send the body form-encoded "
            f"(Content-Type: application/x-www-form-urlencoded), not {sent}."
        )
    return request.form


def _client(form: MultiDict[str, str]) -> Client:
    """The app named by client_key, if its client_secret matches."""
    key = form.get("client_key", "")
    annotate(client_key=key or None)
    if not key:
        if form.get("client_id"):
            observe(
                "client_id_instead_of_client_key", f"{request.path} got client_id, no client_key"
            )
        hint = " TikTok names it `client_key`, not `client_id`." if form.get("client_id") else ""
        raise InvalidRequest(f"Client key is missed in request.{hint}")
    client = get_client(state().db.connect(), key)
    if client is None:
        raise InvalidClient(
            f"Client key or secret is invalid. client_key {key!r} is not a registered app."
        )
    secret = form.get("client_secret", "")
    if not secret:
        raise InvalidRequest("Client secret is missed in request.")
    if not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
        raise InvalidClient(
            f"Client key or secret is invalid. client_secret does not match client_key {key!r}."
        )
    return client


def _no_store(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.post("/v2/oauth/token/")
def token() -> Response:
    """Exchange a code, refresh a token, or issue a client token."""
    st = state()
    form = _form()
    client = _client(form)
    grant_type = form.get("grant_type", "")
    if grant_type not in GRANT_TYPES:
        raise UnsupportedGrantType(
            f"Grant type {grant_type!r} is not supported; use one of {', '.join(GRANT_TYPES)}."
            if grant_type
            else "Grant type is missed in request."
        )
    if grant_type == "authorization_code":
        code = form.get("code", "")
        if not code:
            raise InvalidRequest("Code is missed in request.")
        body = grants.redeem_code(
            st, client, code, form.get("redirect_uri"), form.get("code_verifier"), now()
        )
    elif grant_type == "refresh_token":
        refresh = form.get("refresh_token", "")
        if not refresh:
            raise InvalidRequest("Refresh token is missed in request.")
        body = grants.refresh_tokens(st, client, refresh, now())
    else:
        body = grants.client_credentials(st, client, now())
    annotate(open_id=body.get("open_id"))
    return _no_store(body)


@bp.post("/v2/oauth/revoke/")
def revoke() -> Response:
    """Revoke the grant behind an access token: its access and refresh tokens stop working."""
    st = state()
    form = _form()
    client = _client(form)
    token = form.get("token", "")
    if not token:
        raise InvalidRequest("Token is missed in request.")
    grants.revoke(st, client, token, now())
    return _no_store({})
