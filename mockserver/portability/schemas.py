"""marshmallow schemas of the portability request bodies, with messages that name the field."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .rules import CATEGORIES


class AddSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # TikTok ignores parameters it does not know

    data_format = fields.String(
        required=True,
        validate=validate.OneOf(("json", "text"), error="must be `json` or `text`"),
    )
    category_selection_list = fields.List(
        fields.String(
            validate=validate.OneOf(CATEGORIES, error=f"must be one of {', '.join(CATEGORIES)}")
        ),
        required=True,
        validate=validate.Length(min=1, error="must list at least one category"),
    )


def flatten(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as `field[index]: message` lines."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}{key}"
            out += flatten(value, name)
        return out
    if isinstance(messages, list):
        return [f"`{prefix}` {m[:1].lower() + m[1:].rstrip('.')}" for m in messages]
    return [f"`{prefix}` {messages}"]


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate; raise ValueError whose text names every offending field."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise ValueError("; ".join(flatten(exc.messages))) from None
    return loaded
