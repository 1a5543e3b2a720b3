"""`mockserver/openapi.json` is valid OpenAPI 3.1, documents exactly the routes the app serves,
and the app's real answers match it: status, content type, body schema and headers.

tests/fuzz/run_schemathesis.py fuzzes a real server against the same document; this module is
the fast, deterministic half: a table of representative calls (a success and an error for every
operation, plus the errors only settings or faults reach) checked with `jsonschema`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from tests.support import WEB_KEY, WEB_SECRET, authorize_url, query, token_form

DOC_URI = "urn:tiktok-mock:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FULL_SCOPES = (
    "user.info.basic,user.info.profile,user.info.stats,portability.all.single,"
    "portability.all.ongoing"
)


@cache
def document() -> dict[str, Any]:
    """The document as the package ships it."""
    doc: dict[str, Any] = json.loads(
        resources.files("mockserver").joinpath("openapi.json").read_text()
    )
    return doc


@cache
def registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(document(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    return registry


def body_of(response: TestResponse) -> Any:
    return json.loads(response.get_data())


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def follow(node: Any, pointer: str) -> tuple[Any, str]:
    """`node` with local `$ref`s followed, and the JSON pointer where it really lives."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = document()
        for part in pointer.split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, pointer


def schema_errors(instance: Any, pointer: str) -> list[str]:
    """Validation errors of `instance` against the schema at `pointer` in the document."""
    validator = Draft202012Validator(
        {"$ref": f"{DOC_URI}#{pointer}"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def header_value(raw: str, schema: dict[str, Any]) -> Any:
    """A header's text as its schema's type (OpenAPI's `simple` style)."""
    if schema.get("type") == "integer" and raw.isdigit():
        return int(raw)
    return raw


def conformance_errors(method: str, template: str, response: TestResponse) -> list[str]:
    """Everything about `response` that the document does not allow for the operation."""
    operation_pointer = f"/paths/{escape(template)}/{method.lower()}"
    operation = document()["paths"][template][method.lower()]
    status = str(response.status_code)
    if status not in operation["responses"]:
        return [f"status {status} is not documented (documented: {list(operation['responses'])})"]
    spec, pointer = follow(
        operation["responses"][status], f"{operation_pointer}/responses/{status}"
    )
    errors = []
    content = spec.get("content", {})
    mimetype = response.mimetype
    if content and mimetype not in content:
        errors.append(f"content type {mimetype!r} is not documented for {status}")
    elif mimetype == "application/json":
        try:
            body = json.loads(response.get_data())
        except ValueError as exc:
            errors.append(f"body is not JSON: {exc}")
        else:
            schema_pointer = f"{pointer}/content/{escape(mimetype)}/schema"
            errors += [f"body {e}" for e in schema_errors(body, schema_pointer)]
    for name, header_ref in spec.get("headers", {}).items():
        header, header_pointer = follow(header_ref, f"{pointer}/headers/{escape(name)}")
        raw = response.headers.get(name)
        if raw is None:
            if header.get("required"):
                errors.append(f"required header {name} is missing")
            continue
        value = header_value(raw, header["schema"])
        errors += [f"header {name} {e}" for e in schema_errors(value, f"{header_pointer}/schema")]
    return errors


# ---------------------------------------------------------------- the document itself


def test_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    validate_spec(doc)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_every_response_documents_the_log_id_header() -> None:
    missing = [
        f"{method} {path} {status}"
        for method, path, operation in operations()
        for status, response in operation["responses"].items()
        if "x-tt-logid" not in follow(response, "")[0].get("headers", {})
    ]
    assert missing == []


def test_operation_ids_are_unique() -> None:
    ids = [operation["operationId"] for _, _, operation in operations()]
    assert len(ids) == len(set(ids))


def openapi_path(rule: str) -> str:
    """Werkzeug's `/x/<int:id>` as OpenAPI's `/x/{id}`."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_route_is_documented_and_every_operation_is_served(app: Flask) -> None:
    served = {
        (method, openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        # Flask's own static route (there is no static folder): not part of the API.
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {(method, path) for method, path, _ in operations()}
    assert sorted(served - documented) == [], "served but not documented"
    assert sorted(documented - served) == [], "documented but not served"


def test_path_parameters_match_the_templates() -> None:
    for method, path, operation in operations():
        in_path = {
            follow(p, "")[0]["name"]
            for p in operation.get("parameters", [])
            if follow(p, "")[0]["in"] == "path"
        }
        assert in_path == set(re.findall(r"{([^}]+)}", path)), f"{method} {path}"


def test_the_control_api_serves_the_file(client: FlaskClient) -> None:
    answer = client.get("/_mock/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert body_of(answer) == document()
    assert conformance_errors("GET", "/_mock/openapi.json", answer) == []


# ---------------------------------------------------------------- real answers


class Api:
    """Shortcuts for setting up a call against the in-process app."""

    def __init__(self, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
        self.client = client
        self.monkeypatch = monkeypatch

    def code(self, scope: str = FULL_SCOPES, user: str = "lena.schmidt") -> str:
        answer = self.client.get(authorize_url("", mock_user=user, scope=scope))
        assert answer.status_code == 302, answer.text
        return query(answer.headers["Location"])["code"]

    def tokens(self, scope: str = FULL_SCOPES, user: str = "lena.schmidt") -> dict[str, Any]:
        body: dict[str, Any] = body_of(
            self.client.post("/v2/oauth/token/", data=token_form(self.code(scope, user)))
        )
        assert "access_token" in body, body
        return body

    def bearer(self, scope: str = FULL_SCOPES) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens(scope)['access_token']}"}

    def client_token(self) -> dict[str, str]:
        body = body_of(self.client.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS))
        return {"Authorization": f"Bearer {body['access_token']}"}

    def add(self, headers: dict[str, str], categories: tuple[str, ...] = ("profile",)) -> int:
        answer = self.client.post(
            "/v2/user/data/add/?fields=request_id",
            json={"data_format": "json", "category_selection_list": list(categories)},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        request_id: int = body_of(answer)["data"]["request_id"]
        return request_id

    def ready(self, headers: dict[str, str]) -> int:
        request_id = self.add(headers)
        self.client.post(f"/_mock/requests/{request_id}/transition", json={"to": "downloading"})
        return request_id

    def data(
        self, endpoint: str, body: Any, headers: dict[str, str], fields: str = ""
    ) -> TestResponse:
        url = f"/v2/user/data/{endpoint}/" + (f"?fields={fields}" if fields else "")
        return self.client.post(url, json=body, headers=headers)

    def form_from_consent_page(self) -> dict[str, Any]:
        page = self.client.get(authorize_url("", scope=FULL_SCOPES)).text
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
        assert hidden["client_key"] == WEB_KEY, page
        return hidden


Send = Callable[[Api], TestResponse]
# A plain request: method, URL and keyword arguments of FlaskClient.open.
Plain = tuple[str, str] | tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One representative call: the operation it exercises and the status it must get."""

    name: str
    operation: str  # "METHOD /template", as in the document
    status: int
    send: Send | Plain
    settings: dict[str, Any] = field(default_factory=dict)

    def run(self, api: Api) -> TestResponse:
        if callable(self.send):
            return self.send(api)
        method, url, *options = self.send
        return api.client.open(url, method=method, **(options[0] if options else {}))


SMALL_BODY = {"max_body_bytes": 512}
ADMIN = {"admin_token": "s3cret"}
BIG = "x" * 1000
AUTHORIZE = "/v2/auth/authorize/"
TOKEN = "/v2/oauth/token/"
REVOKE = "/v2/oauth/revoke/"
INFO = "/v2/user/info/"
ALL_USER_FIELDS = (
    "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,display_name,bio_description,"
    "profile_deep_link,is_verified,username,follower_count,following_count,likes_count,video_count"
)
ALL_CHECK_FIELDS = "request_id,apply_time,collect_time,status,data_format,category_selection_list"
CLIENT_CREDENTIALS = {
    "client_key": WEB_KEY,
    "client_secret": WEB_SECRET,
    "grant_type": "client_credentials",
}
ADD_BODY = {"data_format": "json", "category_selection_list": ["profile"]}


def get(url: str, scope: str | None = FULL_SCOPES) -> Send:
    """GET with a user token of `scope` (None: no token)."""
    return lambda api: api.client.get(url, headers=api.bearer(scope) if scope else {})


def data(
    endpoint: str,
    body: Any = None,
    fields: str = "",
    *,
    request: str = "",
    in_query: bool = False,
    token: str | None = FULL_SCOPES,
    fault: str = "",
) -> Send:
    """A portability call. `request` ("pending" or "ready") sends a fresh request's id in the
    body (or the query); `token` is the bearer's scopes, "client" for a clt. token, or None."""

    def send(api: Api) -> TestResponse:
        if token is None:
            headers = {}
        else:
            headers = api.client_token() if token == "client" else api.bearer(token)
        query: dict[str, Any] = {"fields": fields} if fields else {}
        payload = body
        if request:
            request_id = api.ready(headers) if request == "ready" else api.add(headers)
            if in_query:
                query["request_id"] = request_id
            else:
                payload = {"request_id": request_id}
        if fault:
            headers["X-Mock-Fault"] = fault
        url = f"/v2/user/data/{endpoint}/"
        return api.client.post(url, query_string=query, json=payload, headers=headers)

    return send


def twice(send: Send) -> Send:
    def again(api: Api) -> TestResponse:
        send(api)
        return send(api)

    return again


def token_refresh(api: Api) -> TestResponse:
    form = {**CLIENT_CREDENTIALS, "grant_type": "refresh_token"}
    return api.client.post(TOKEN, data={**form, "refresh_token": api.tokens()["refresh_token"]})


def revoke(which: str) -> Send:
    form = {"client_key": WEB_KEY, "client_secret": WEB_SECRET}
    return lambda api: api.client.post(REVOKE, data={**form, "token": api.tokens()[which]})


def approve(api: Api) -> TestResponse:
    form: dict[str, Any] = {**api.form_from_consent_page(), "user": "camille.martin"}
    form |= {"decision": "approve", "grant": ["user.info.profile", "portability.all.ongoing"]}
    return api.client.post(AUTHORIZE, data=form)


def bad_decision(api: Api) -> TestResponse:
    return api.client.post(AUTHORIZE, data={**api.form_from_consent_page(), "decision": "?"})


def crashing(target: str, send: Send) -> Send:
    """`send`, with a domain function raising: the app's unexpected-error handler answers."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom (test)")

    def run(api: Api) -> TestResponse:
        api.monkeypatch.setattr(target, boom)
        return send(api)

    return run


def check_twice(api: Api) -> TestResponse:
    headers = api.bearer()
    body = {"request_id": api.add(headers)}
    api.data("check", body, headers, "status")
    return api.data("check", body, headers, "status")


def control_on_request(path: str, body: dict[str, Any], state: str = "pending") -> Send:
    """A control call on a fresh data request (`{id}` in `path`)."""

    def send(api: Api) -> TestResponse:
        headers = api.bearer()
        request_id = api.ready(headers) if state == "ready" else api.add(headers)
        return api.client.open(path.format(id=request_id), method="POST" if body else "GET",
                               json=body or None)  # fmt: skip

    return send


def requests_with_data(api: Api) -> TestResponse:
    api.ready(api.bearer())
    return api.client.get("/_mock/requests?status=downloading")


def faults_with_counters(api: Api) -> TestResponse:
    api.client.post(
        "/_mock/faults", json={"match": {"endpoint": "check"}, "effect": {"hang": True}}
    )
    rule = {"match": {"endpoint": "add"}, "trigger": {"every": 2}, "effect": {"latency_ms": 1}}
    api.client.post("/_mock/faults", json=rule)
    api.add(api.bearer())
    return api.client.get("/_mock/faults")


def delete_one_fault(api: Api) -> TestResponse:
    rule = body_of(api.client.post("/_mock/faults", json={"effect": {"empty": True}}))
    return api.client.delete(f"/_mock/faults/{rule['id']}")


def journal_with_entries(api: Api) -> TestResponse:
    data("check", None, "status", request="pending")(api)
    api.client.get(f"{INFO}?fields=nope", headers=api.bearer())
    return api.client.get("/_mock/journal?limit=50")


def diagnostics_with_mistakes(api: Api) -> TestResponse:
    api.client.post(TOKEN, json={"client_id": WEB_KEY})
    data("download", None, request="pending")(api)
    data("check", {"request_id": "123"}, "status")(api)
    return api.client.get("/_mock/diagnostics")


def revoke_event(api: Api) -> None:
    """A registered client with a (dead) webhook URL, and its authorization.removed event."""
    client = {"client_key": "sbawhooks", "client_secret": "hooks-secret"}
    redirect = "https://hooks.example/cb"
    registration = {"redirect_uris": [redirect], "webhook_url": "http://127.0.0.1:9/hook"}
    assert api.client.post("/_mock/clients", json={**client, **registration}).status_code == 201
    url = authorize_url("", client_key="sbawhooks", redirect_uri=redirect, scope="user.info.basic")
    code = query(api.client.get(url + "&mock_user=lena.schmidt").headers["Location"])["code"]
    form = {**client, "grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    token = body_of(api.client.post(TOKEN, data=form))["access_token"]
    assert body_of(api.client.post(REVOKE, data={**client, "token": token})) == {}


def webhooks_after_delivery(api: Api) -> TestResponse:
    revoke_event(api)
    api.client.post("/_mock/webhooks/dispatch")
    return api.client.get("/_mock/webhooks")


def dispatch(api: Api) -> TestResponse:
    revoke_event(api)
    return api.client.post("/_mock/webhooks/dispatch")


def user_by_open_id(api: Api) -> TestResponse:
    return api.client.get(f"/_mock/users/{body_of(api.client.get('/_mock/users'))[0]['open_id']}")


CALLS: list[Call] = [
    # Login Kit: the consent page
    Call("consent page", f"GET {AUTHORIZE}", 200, ("GET", authorize_url(""))),
    Call("mock_user", f"GET {AUTHORIZE}", 302, ("GET", authorize_url("", mock_user="aoife.empty"))),
    Call("mock_decision=deny", f"GET {AUTHORIZE}", 302,
         ("GET", authorize_url("", mock_user="lena.schmidt", mock_decision="deny"))),
    Call("non-EEA user refused", f"GET {AUTHORIZE}", 302,
         ("GET", authorize_url("", mock_user="jake.miller"))),
    Call("unknown client_key", f"GET {AUTHORIZE}", 400,
         ("GET", authorize_url("", client_key="sbawnobody"))),
    Call("consent form approves", f"POST {AUTHORIZE}", 302, approve),
    Call("consent form, bad decision", f"POST {AUTHORIZE}", 400, bad_decision),
    Call("consent form too large", f"POST {AUTHORIZE}", 413,
         ("POST", AUTHORIZE, {"data": {"state": BIG}}), SMALL_BODY),
    # Login Kit: token and revoke
    Call("authorization_code grant", f"POST {TOKEN}", 200,
         lambda a: a.client.post(TOKEN, data=token_form(a.code()))),
    Call("refresh_token grant", f"POST {TOKEN}", 200, token_refresh),
    Call("client_credentials grant", f"POST {TOKEN}", 200,
         ("POST", TOKEN, {"data": CLIENT_CREDENTIALS})),
    Call("wrong secret: error, HTTP 200", f"POST {TOKEN}", 200,
         lambda a: a.client.post(TOKEN, data=token_form(a.code(), client_secret="wrong"))),
    Call("JSON body: error, HTTP 200", f"POST {TOKEN}", 200,
         ("POST", TOKEN, {"json": {"client_key": WEB_KEY}})),
    Call("oauth_error_status=400", f"POST {TOKEN}", 400,
         ("POST", TOKEN, {"data": token_form("no-such-code")}), {"oauth_error_status": 400}),
    Call("oauth_error_status=401", f"POST {TOKEN}", 401,
         ("POST", TOKEN, {"data": {"client_key": WEB_KEY, "client_secret": "?"}}),
         {"oauth_error_status": 401}),
    Call("token body too large", f"POST {TOKEN}", 413,
         ("POST", TOKEN, {"data": {"client_key": BIG}}), SMALL_BODY),
    Call("token, unexpected error", f"POST {TOKEN}", 500,
         crashing("mockserver.oauth.grants.client_credentials",
                  lambda a: a.client.post(TOKEN, data=CLIENT_CREDENTIALS))),
    Call("revoke", f"POST {REVOKE}", 200, revoke("access_token")),
    Call("revoke a refresh token: error, HTTP 200", f"POST {REVOKE}", 200,
         revoke("refresh_token")),
    Call("revoke, oauth_error_status=400", f"POST {REVOKE}", 400,
         ("POST", REVOKE, {"data": {"client_key": WEB_KEY}}), {"oauth_error_status": 400}),
    Call("revoke body too large", f"POST {REVOKE}", 413,
         ("POST", REVOKE, {"data": {"token": BIG}}), SMALL_BODY),
    # User info
    Call("user info, every field", f"GET {INFO}", 200, get(f"{INFO}?fields={ALL_USER_FIELDS}")),
    Call("user info, unknown field", f"GET {INFO}", 400, get(f"{INFO}?fields=open_id,nope")),
    Call("user info, field of an ungranted scope", f"GET {INFO}", 400,
         get(f"{INFO}?fields=follower_count", "user.info.basic")),
    Call("user info, no token", f"GET {INFO}", 401, get(f"{INFO}?fields=open_id", None)),
    Call("user info, client token", f"GET {INFO}", 401,
         lambda a: a.client.get(f"{INFO}?fields=open_id", headers=a.client_token())),
    Call("user info, rate limited", f"GET {INFO}", 429, twice(get(f"{INFO}?fields=open_id")),
         {"rate_limits": "0.001"}),
    Call("user info, unexpected error", f"GET {INFO}", 500,
         crashing("mockserver.users.views.find_user", get(f"{INFO}?fields=open_id"))),
    # Data Portability
    Call("add", "POST /v2/user/data/add/", 200,
         data("add", {"data_format": "text", "category_selection_list": ["activity", "video"]},
              "request_id")),
    Call("add, invalid body", "POST /v2/user/data/add/", 400,
         data("add", {"data_format": "xml"}, "request_id")),
    Call("add without a portability scope", "POST /v2/user/data/add/", 401,
         data("add", ADD_BODY, "request_id", token="user.info.basic")),
    Call("add, body too large", "POST /v2/user/data/add/", 413,
         data("add", {"data_format": BIG}, "request_id"), SMALL_BODY),
    Call("add, injected rate limit", "POST /v2/user/data/add/", 429,
         data("add", ADD_BODY, "request_id", fault="error=rate_limit_exceeded; retry_after=7")),
    Call("add, injected internal error", "POST /v2/user/data/add/", 500,
         data("add", ADD_BODY, "request_id", fault="error=internal_error")),
    Call("check", "POST /v2/user/data/check/", 200,
         data("check", None, "status,request_id", request="pending")),
    Call("check, every field", "POST /v2/user/data/check/", 200,
         data("check", None, ALL_CHECK_FIELDS, request="ready")),
    Call("check, unknown request_id", "POST /v2/user/data/check/", 400,
         data("check", {"request_id": 10**15}, "status")),
    Call("check, no token", "POST /v2/user/data/check/", 401,
         data("check", {"request_id": 10**15}, "status", token=None)),
    Call("check, rate limited", "POST /v2/user/data/check/", 429, check_twice,
         {"rate_limits": "0.001"}),
    Call("check, injected temporarily_unavailable", "POST /v2/user/data/check/", 500,
         data("check", None, "status", request="pending",
              fault="error=temporarily_unavailable")),
    Call("cancel (body)", "POST /v2/user/data/cancel/", 200,
         data("cancel", None, request="pending")),
    Call("cancel (query)", "POST /v2/user/data/cancel/", 200,
         data("cancel", None, request="pending", in_query=True)),
    Call("cancel a ready request", "POST /v2/user/data/cancel/", 400,
         data("cancel", None, request="ready")),
    Call("cancel, client token", "POST /v2/user/data/cancel/", 401,
         data("cancel", {"request_id": 10**15}, token="client")),
    Call("download", "POST /v2/user/data/download/", 200,
         data("download", None, request="ready")),
    Call("download a pending request", "POST /v2/user/data/download/", 400,
         data("download", None, request="pending")),
    Call("download a string request_id", "POST /v2/user/data/download/", 400,
         data("download", {"request_id": "7875242754280846"})),
    Call("download, client token", "POST /v2/user/data/download/", 401,
         data("download", {"request_id": 10**15}, token="client")),
    # Control API
    Call("health", "GET /_mock/health", 200, ("GET", "/_mock/health")),
    Call("health needs no admin token", "GET /_mock/health", 200, ("GET", "/_mock/health"),
         ADMIN),
    Call("health, a Host that is not allowed", "GET /_mock/health", 400,
         ("GET", "/_mock/health", {"headers": {"Host": "rebind.example"}})),
    Call("user info, a Host that is not allowed", f"GET {INFO}", 400,
         ("GET", f"{INFO}?fields=open_id", {"headers": {"Host": "rebind.example:8080"}})),
    Call("reset", "POST /_mock/reset", 200, ("POST", "/_mock/reset")),
    Call("clients", "GET /_mock/clients", 200, ("GET", "/_mock/clients")),
    Call("clients with the admin token", "GET /_mock/clients", 200,
         ("GET", "/_mock/clients", {"headers": {"Authorization": "Bearer s3cret"}}), ADMIN),
    Call("register a client", "POST /_mock/clients", 201,
         ("POST", "/_mock/clients", {"json": {
             "name": "Desk", "app_type": "desktop", "redirect_uris": ["http://127.0.0.1:*/cb"],
             "scopes": ["portability.all.ongoing"], "webhook_url": "http://127.0.0.1:9/hook",
         }})),
    Call("register a web client with an http redirect", "POST /_mock/clients", 400,
         ("POST", "/_mock/clients", {"json": {"redirect_uris": ["http://x.example/cb"]}})),
    Call("register a taken client_key", "POST /_mock/clients", 409,
         ("POST", "/_mock/clients",
          {"json": {"client_key": WEB_KEY, "redirect_uris": ["https://x.example/cb"]}})),
    Call("register a client, body too large", "POST /_mock/clients", 413,
         ("POST", "/_mock/clients", {"json": {"name": BIG}}), SMALL_BODY),
    Call("users", "GET /_mock/users", 200, ("GET", "/_mock/users")),
    Call("create a user", "POST /_mock/users", 201,
         ("POST", "/_mock/users",
          {"json": {"region": "NL", "persona": "edge", "export_delay": 5}})),
    Call("create a user, bad region", "POST /_mock/users", 400,
         ("POST", "/_mock/users", {"json": {"region": "de"}})),
    Call("create a user, taken username", "POST /_mock/users", 409,
         ("POST", "/_mock/users", {"json": {"region": "DE", "username": "lena.schmidt"}})),
    Call("one user by open_id", "GET /_mock/users/{ref}", 200, user_by_open_id),
    Call("unknown user", "GET /_mock/users/{ref}", 404, ("GET", "/_mock/users/nobody")),
    Call("user ref with a slash", "GET /_mock/users/{ref}", 404, ("GET", "/_mock/users/a%2Fb")),
    Call("set a user's export delay", "POST /_mock/users/{ref}", 200,
         ("POST", "/_mock/users/lena.schmidt", {"json": {"export_delay": None}})),
    Call("set a user's export delay, bad body", "POST /_mock/users/{ref}", 400,
         ("POST", "/_mock/users/lena.schmidt", {"json": {"export_delay": -1}})),
    Call("set an unknown user's export delay", "POST /_mock/users/{ref}", 404,
         ("POST", "/_mock/users/nobody", {"json": {"export_delay": 1}})),
    Call("data requests", "GET /_mock/requests", 200, requests_with_data),
    Call("data requests, bad status filter", "GET /_mock/requests", 400,
         ("GET", "/_mock/requests?status=ready")),
    Call("one data request", "GET /_mock/requests/{request_id}", 200,
         control_on_request("/_mock/requests/{id}", {})),
    Call("unknown data request", "GET /_mock/requests/{request_id}", 404,
         ("GET", "/_mock/requests/abc")),
    Call("request id with a slash lands on the delay route", "GET /_mock/requests/{request_id}",
         405, ("GET", "/_mock/requests/1%2Fdelay")),
    Call("transition", "POST /_mock/requests/{request_id}/transition", 200,
         control_on_request("/_mock/requests/{id}/transition", {"to": "cancelled"})),
    Call("transition not allowed", "POST /_mock/requests/{request_id}/transition", 409,
         control_on_request("/_mock/requests/{id}/transition", {"to": "downloading"}, "ready")),
    Call("transition, bad body", "POST /_mock/requests/{request_id}/transition", 400,
         control_on_request("/_mock/requests/{id}/transition", {"to": "done"})),
    Call("delay", "POST /_mock/requests/{request_id}/delay", 200,
         control_on_request("/_mock/requests/{id}/delay", {"seconds": 3})),
    Call("delay of a ready request", "POST /_mock/requests/{request_id}/delay", 409,
         control_on_request("/_mock/requests/{id}/delay", {"seconds": 3}, "ready")),
    Call("delay of an unknown request", "POST /_mock/requests/{request_id}/delay", 404,
         ("POST", "/_mock/requests/1/delay", {"json": {"seconds": 3}})),
    Call("clock", "GET /_mock/clock", 200, ("GET", "/_mock/clock")),
    Call("advance the clock", "POST /_mock/clock", 200,
         ("POST", "/_mock/clock", {"json": {"advance": 30}})),
    Call("freeze the clock", "POST /_mock/clock", 200,
         ("POST", "/_mock/clock", {"json": {"freeze": True}})),
    Call("move the clock two ways at once", "POST /_mock/clock", 400,
         ("POST", "/_mock/clock", {"json": {"advance": 1, "set": 1}})),
    Call("fault rules", "GET /_mock/faults", 200, faults_with_counters),
    Call("add a fault rule", "POST /_mock/faults", 201,
         ("POST", "/_mock/faults", {"json": {
             "match": {"endpoint": "download", "request_id": 1},
             "trigger": {"probability": 0.5},
             "effect": {"truncate": 100, "reset": True, "latency_ms": [1, 2]},
         }})),
    Call("add a fault rule, bad effect", "POST /_mock/faults", 400,
         ("POST", "/_mock/faults", {"json": {"effect": {"explode": True}}})),
    Call("delete every fault rule", "DELETE /_mock/faults", 200, ("DELETE", "/_mock/faults")),
    Call("delete one fault rule", "DELETE /_mock/faults/{rule_id}", 200, delete_one_fault),
    Call("delete an unknown fault rule", "DELETE /_mock/faults/{rule_id}", 404,
         ("DELETE", "/_mock/faults/999")),
    Call("scenarios", "GET /_mock/scenarios", 200, ("GET", "/_mock/scenarios")),
    Call("load a scenario", "POST /_mock/scenarios/{name}", 200,
         ("POST", "/_mock/scenarios/rate-limited")),
    Call("load an unknown scenario", "POST /_mock/scenarios/{name}", 404,
         ("POST", "/_mock/scenarios/nope")),
    Call("journal", "GET /_mock/journal", 200, journal_with_entries),
    Call("journal, unknown filter", "GET /_mock/journal", 400,
         ("GET", "/_mock/journal?colour=red")),
    Call("clear the journal", "DELETE /_mock/journal", 200, ("DELETE", "/_mock/journal")),
    Call("diagnostics", "GET /_mock/diagnostics", 200, diagnostics_with_mistakes),
    Call("webhook events", "GET /_mock/webhooks", 200, webhooks_after_delivery),
    Call("dispatch webhooks", "POST /_mock/webhooks/dispatch", 200, dispatch),
]  # fmt: skip


def concrete(template: str) -> str:
    """A URL for a template, with a sample value per path parameter."""
    return re.sub(r"{[^}]+}", "1", template)


# Every control route but health refuses a call without the admin token, when one is set.
CALLS += [
    Call(f"{method} {path} without the admin token", f"{method} {path}", 401,
         (method, concrete(path)), ADMIN)
    for method, path, _ in operations()
    if path.startswith("/_mock/") and path != "/_mock/health"
]  # fmt: skip


@pytest.mark.parametrize(
    ("settings_overrides", "call"), [(c.settings, c) for c in CALLS], ids=[c.name for c in CALLS]
)
def test_real_answers_match_the_document(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, call: Call
) -> None:
    response = call.run(Api(client, monkeypatch))
    assert response.status_code == call.status, response.get_data(as_text=True)[:500]
    method, template = call.operation.split(" ", 1)
    assert conformance_errors(method, template, response) == []


def test_the_table_has_a_success_and_an_error_of_every_operation() -> None:
    statuses: dict[str, set[int]] = {}
    for call in CALLS:
        statuses.setdefault(call.operation, set()).add(call.status)
    for method, path, operation in operations():
        seen = statuses.get(f"{method} {path}", set())
        documented = {int(s) for s in operation["responses"]}
        assert seen <= documented, f"{method} {path}"
        if path != "/_mock/openapi.json":  # its success: test_the_control_api_serves_the_file
            assert any(s < 400 for s in seen), f"no success of {method} {path} in CALLS"
        if any(s >= 400 for s in documented):
            assert any(s >= 400 for s in seen), f"no error of {method} {path} in CALLS"


def test_the_checker_catches_a_wrong_answer(client: FlaskClient) -> None:
    """The conformance check is not vacuous: a doctored answer fails it."""
    answer = client.get("/_mock/health")
    assert conformance_errors("GET", "/_mock/health", answer) == []
    answer.set_data(json.dumps({"status": "ok", "seed": "1234", "now": 1}))
    del answer.headers["x-tt-logid"]
    errors = conformance_errors("GET", "/_mock/health", answer)
    assert any("seed" in e for e in errors) and any("x-tt-logid" in e for e in errors)
    answer.status_code = 418
    assert "not documented" in conformance_errors("GET", "/_mock/health", answer)[0]


def test_the_document_ships_with_the_package() -> None:
    """An installed wheel (and the Docker image) serves the document too."""
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "openapi.json" in pyproject["tool"]["setuptools"]["package-data"]["mockserver"]
