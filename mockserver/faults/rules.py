"""The shape of a fault rule, validated once when it is added (control API, config, preset).

    {"match":   {"endpoint": "check", "method": "POST", "client_key": "…", "open_id": "…",
                 "request_id": 123},
     "trigger": {} | {"times": 2} | {"every": 3} | {"after": 5} | {"probability": 0.3},
     "effect":  {"error": "rate_limit_exceeded", "message": "…", "retry_after": 60}
                | {"status": 503}
                | {"latency_ms": 200 | [100, 300]} | {"hang": true} | {"reset": true}
                | {"empty": true} | {"malformed": true} | {"truncate": 1000}
                | {"corrupt": true} | {"drip_bytes_per_s": 10000}
                | {"webhook": "duplicate" | "delay" | "bad_signature" | "stale"}}

Effects combine (latency plus an error; truncate plus reset = a reset mid-stream).
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..errors import API_ERRORS
from ..journal.recorder import ENDPOINTS

ENDPOINT_NAMES = (*dict.fromkeys(ENDPOINTS.values()), "webhook")
OPEN_API_ERRORS = {name: cls.code for name, cls in API_ERRORS.items()}
OAUTH_ERRORS = (
    "access_denied",
    "invalid_client",
    "invalid_grant",
    "invalid_request",
    "invalid_scope",
    "unauthorized_client",
    "unsupported_grant_type",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
)
WEBHOOK_EFFECTS = ("duplicate", "delay", "bad_signature", "stale")


class FaultRuleError(ValueError):
    """A rule is malformed; the message names the field."""


class _Latency(fields.Field):  # type: ignore[type-arg]
    """`200` or `[100, 300]` milliseconds."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 600_000:
            return [value, value]
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            and 0 <= value[0] <= value[1] <= 600_000
        ):
            return value
        raise ValidationError("must be milliseconds (0-600000) or [min, max]")


def _endpoint(value: str) -> None:
    if value not in ENDPOINT_NAMES and not value.startswith("/"):
        raise ValidationError(f"must be a path or one of {', '.join(ENDPOINT_NAMES)}")


class MatchSchema(Schema):
    class Meta:
        unknown = RAISE

    endpoint = fields.String(validate=_endpoint)
    method = fields.String(validate=validate.OneOf(("GET", "POST", "PUT", "DELETE", "PATCH")))
    client_key = fields.String()
    open_id = fields.String()
    request_id = fields.Integer(strict=True)


class TriggerSchema(Schema):
    class Meta:
        unknown = RAISE

    times = fields.Integer(strict=True, validate=validate.Range(min=1))
    every = fields.Integer(strict=True, validate=validate.Range(min=1))
    after = fields.Integer(strict=True, validate=validate.Range(min=0))
    probability = fields.Float(validate=validate.Range(min=0, max=1))

    @validates_schema
    def one_kind(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) > 1:
            raise ValidationError("use one of times, every, after, probability (or {} = always)")


class EffectSchema(Schema):
    class Meta:
        unknown = RAISE

    error = fields.String(
        validate=validate.OneOf(
            (*OPEN_API_ERRORS, *OAUTH_ERRORS),
            error="must be a TikTok error code: " + ", ".join((*OPEN_API_ERRORS, *OAUTH_ERRORS)),
        )
    )
    message = fields.String()
    retry_after = fields.Integer(strict=True, validate=validate.Range(min=0, max=86_400))
    # 1xx is not a final answer: the client would wait for one until it times out.
    status = fields.Integer(strict=True, validate=validate.Range(min=200, max=599))
    latency_ms = _Latency()
    hang = fields.Boolean(validate=validate.Equal(True))
    reset = fields.Boolean(validate=validate.Equal(True))
    empty = fields.Boolean(validate=validate.Equal(True))
    malformed = fields.Boolean(validate=validate.Equal(True))
    truncate = fields.Integer(strict=True, validate=validate.Range(min=0))
    corrupt = fields.Boolean(validate=validate.Equal(True))
    drip_bytes_per_s = fields.Integer(strict=True, validate=validate.Range(min=1))
    webhook = fields.String(validate=validate.OneOf(WEBHOOK_EFFECTS))

    @validates_schema
    def not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("name at least one effect")
        for extra in ("message", "retry_after"):
            if extra in data and "error" not in data:
                raise ValidationError(f"{extra} goes with error")


class RuleSchema(Schema):
    class Meta:
        unknown = RAISE

    match = fields.Nested(MatchSchema, load_default=dict)
    trigger = fields.Nested(TriggerSchema, load_default=dict)
    effect = fields.Nested(EffectSchema, required=True)


def parse_rule(data: Any) -> dict[str, Any]:
    """A validated rule, or FaultRuleError naming what is wrong."""
    if not isinstance(data, dict):
        raise FaultRuleError("a fault rule must be a JSON object with match, trigger, effect")
    try:
        rule: dict[str, Any] = RuleSchema().load(data)
    except ValidationError as exc:
        raise FaultRuleError(f"invalid fault rule: {exc.messages}") from None
    return rule


def parse_header(value: str) -> dict[str, Any]:
    """`X-Mock-Fault: latency_ms=500; status=503` → an always-on rule for this request."""
    effect: dict[str, Any] = {}
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, raw = part.partition("=")
        name, raw = name.strip(), raw.strip()
        if not raw:
            effect[name] = True
        elif "-" in raw and name == "latency_ms":
            low, _, high = raw.partition("-")
            effect[name] = [_int(name, low), _int(name, high)]
        elif raw.lstrip("-").isdigit():
            effect[name] = int(raw)
        elif raw in ("true", "false"):
            effect[name] = raw == "true"
        else:
            effect[name] = raw
    return parse_rule({"effect": effect})


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise FaultRuleError(f"X-Mock-Fault {name}: {raw!r} is not a number") from None
