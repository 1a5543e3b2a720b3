"""marshmallow schemas of the control API's request bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..oauth.clients import APP_TYPES
from ..users.personas import PERSONAS


class ClientSchema(Schema):
    client_key = fields.String(load_default=None, validate=validate.Length(min=4, max=64))
    client_secret = fields.String(load_default=None, validate=validate.Length(min=8, max=128))
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    app_type = fields.String(load_default="web", validate=validate.OneOf(APP_TYPES))
    redirect_uris = fields.List(fields.String(), required=True)
    scopes = fields.List(fields.String(), load_default=None)
    webhook_url = fields.Url(load_default=None, allow_none=True, require_tld=False)


class UserSchema(Schema):
    region = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z]{2}$", error="must be an upper-case ISO 3166 country code such as DE or US"
        ),
    )
    persona = fields.String(load_default="light", validate=validate.OneOf(PERSONAS))
    username = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[A-Za-z0-9._]{2,24}$", error="2-24 letters, digits, dots or underscores"
        ),
    )
    display_name = fields.String(load_default=None, validate=validate.Length(min=1, max=60))
    export_delay = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0))


class UserUpdateSchema(Schema):
    export_delay = fields.Integer(
        required=True, allow_none=True, strict=True, validate=validate.Range(min=0)
    )


class TransitionSchema(Schema):
    to = fields.String(required=True)


# Mock time stays within what Unix timestamps and log ids can express (years 1970-9999).
MAX_TIME = 253_402_300_799


class DelaySchema(Schema):
    seconds = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=100 * 365 * 86_400)
    )


class ClockSchema(Schema):
    advance = fields.Float(
        load_default=None, allow_nan=False, validate=validate.Range(min=-MAX_TIME, max=MAX_TIME)
    )
    set = fields.Float(
        load_default=None, allow_nan=False, validate=validate.Range(min=0, max=MAX_TIME)
    )
    freeze = fields.Boolean(load_default=None, truthy={True}, falsy={False})

    @validates_schema
    def exactly_one(self, data: dict[str, object], **_: object) -> None:
        given = [k for k in ("advance", "set", "freeze") if data.get(k) is not None]
        if len(given) != 1:
            raise ValidationError(
                "send exactly one of advance (seconds), set (unix time), freeze (true|false)"
            )
