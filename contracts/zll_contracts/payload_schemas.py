"""The JSON Schema of one event type's `data`, in the mode its direction calls for."""

from __future__ import annotations

from typing import Any, Literal

from zll_contracts.payloads.registry import EVENT_MODELS
from zll_contracts.topics import TOPICS, Topic

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
Mode = Literal["validation", "serialization"]


def _topic_of(event_type: str) -> Topic:
    return next(t for t in TOPICS.values() if event_type in t.event_types)


def schema_mode(event_type: str) -> Mode:
    """What partners send is validated; what services send is serialized."""
    return "validation" if _topic_of(event_type).is_partner_inbound else "serialization"


def payload_schema(event_type: str) -> dict[str, Any]:
    """The standalone JSON Schema of one event type's `data` object."""
    model = EVENT_MODELS[event_type]
    schema = model.model_json_schema(mode=schema_mode(event_type))
    return {"$schema": SCHEMA_DIALECT, **schema}
