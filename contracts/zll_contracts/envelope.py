"""CloudEvents 1.0 over Kafka: write binary mode, read binary and structured mode."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka
from cloudevents.core.formats.json import JSONFormat
from pydantic import BaseModel

__all__ = [
    "STRUCTURED_CONTENT_TYPE",
    "Event",
    "KafkaRecord",
    "UnreadableRecord",
    "binary_record",
    "from_record",
    "new_event",
    "to_record",
]

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
JSON_CONTENT_TYPE = "application/json"
_FORMAT = JSONFormat()
# The SDK fills a missing id with a fresh UUID; an id we did not receive cannot serve as an
# idempotency key, so these must be present on the wire.
_REQUIRED = ("id", "source", "type", "specversion")


class UnreadableRecord(ValueError):
    """A record that is not a CloudEvent we can read: it belongs on the dead-letter topic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """One Kafka record as it travels: key, value and headers, all bytes."""

    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass(frozen=True, slots=True)
class Event:
    """A CloudEvent whose `data` is a JSON object, as the contract requires."""

    type: str
    source: str
    id: str
    time: datetime
    data: dict[str, Any]
    subject: str | None = None
    extensions: Mapping[str, str] = field(default_factory=dict)


def new_event(
    type: str,
    source: str,
    data: BaseModel | Mapping[str, Any],
    *,
    subject: str | None = None,
    id: str | None = None,
    time: datetime | None = None,
) -> Event:
    """Build an event with a fresh id and the current time unless given."""
    payload = (
        data.model_dump(mode="json", exclude_none=True)
        if isinstance(data, BaseModel)
        else dict(data)
    )
    return Event(
        type=type,
        source=source,
        id=id or str(uuid.uuid4()),
        time=time or datetime.now(UTC),
        data=payload,
        subject=subject,
    )


def to_record(
    event: Event, key: str | None, extra_headers: Mapping[str, str] | None = None
) -> KafkaRecord:
    """Binary content mode: `data` is the value, attributes are `ce_*` headers."""
    value = json.dumps(event.data, ensure_ascii=False, separators=(",", ":")).encode()
    return binary_record(
        event.type,
        event.source,
        value,
        key=key,
        id=event.id,
        time=event.time,
        subject=event.subject,
        extra_headers={**event.extensions, **(extra_headers or {})},
    )


def binary_record(
    type: str,
    source: str,
    value: bytes,
    *,
    key: str | None,
    id: str | None = None,
    time: datetime | None = None,
    subject: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> KafkaRecord:
    """A record in binary mode from data that is already JSON (e.g. `model.model_dump_json()`).

    Binary mode is mapped here rather than through the SDK's generic converter: on the
    hot path of every service it costs a fifth of the time (measured in `make bench`).
    """
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", (id or str(uuid.uuid4())).encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_time", _rfc3339(time or datetime.now(UTC)).encode()),
        ("content-type", JSON_CONTENT_TYPE.encode()),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    headers += [(k, v.encode()) for k, v in (extra_headers or {}).items()]
    return KafkaRecord(
        key=key.encode() if key is not None else None, value=value, headers=tuple(headers)
    )


def _rfc3339(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def from_record(value: bytes | None, headers: Sequence[tuple[str, bytes]]) -> Event:
    """Read a record in either content mode; raise UnreadableRecord with a readable reason."""
    if value is None:
        raise UnreadableRecord("record has no value")
    header_map = _decode_headers(headers)
    if any(name.startswith("ce_") for name in header_map):
        return _from_binary(header_map, value)
    _check_structured(header_map, value)
    try:
        structured = {"content-type": header_map["content-type"].encode()}
        cloud_event = from_kafka(KafkaMessage(headers=structured, key=None, value=value), _FORMAT)
    except Exception as error:  # the SDK raises ValueError, JSONDecodeError and its own types
        raise UnreadableRecord(f"not a readable CloudEvent: {error}") from error
    return _to_event(cloud_event)


_KNOWN_HEADERS = {"ce_type", "ce_source", "ce_id", "ce_time", "ce_subject", "ce_specversion"}


def _from_binary(header_map: Mapping[str, str], value: bytes) -> Event:
    _require_attributes({k[3:] for k in header_map if k.startswith("ce_")}, "header ce_")
    if header_map["ce_specversion"] != "1.0":
        raise UnreadableRecord(f"unsupported specversion {header_map['ce_specversion']!r}")
    content_type = header_map.get("content-type", JSON_CONTENT_TYPE)
    if not content_type.split(";")[0].strip().endswith("json"):
        raise UnreadableRecord(f"content-type {content_type!r}: data must be JSON")
    data = _parse_json(value)
    if not isinstance(data, dict):
        raise UnreadableRecord("data must be a JSON object")
    return Event(
        type=header_map["ce_type"],
        source=header_map["ce_source"],
        id=header_map["ce_id"],
        time=_parse_time(header_map.get("ce_time")),
        data=data,
        subject=header_map.get("ce_subject"),
        extensions={
            k[3:]: v
            for k, v in header_map.items()
            if k.startswith("ce_") and k not in _KNOWN_HEADERS
        },
    )


def _parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise UnreadableRecord(f"ce_time {text!r} is not an RFC 3339 time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decode_headers(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    decoded: dict[str, str] = {}
    for name, raw in headers:
        try:
            decoded[name.lower()] = raw.decode("utf-8") if raw is not None else ""
        except UnicodeDecodeError as error:
            raise UnreadableRecord(f"header {name!r} is not UTF-8") from error
    return decoded


def _check_structured(header_map: Mapping[str, str], value: bytes) -> None:
    content_type = header_map.get("content-type", "")
    if not content_type.startswith(STRUCTURED_CONTENT_TYPE):
        raise UnreadableRecord(
            "no CloudEvents attributes: expected ce_* headers (binary mode) "
            f"or content-type {STRUCTURED_CONTENT_TYPE} (structured mode)"
        )
    try:
        envelope = json.loads(value)
    except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, hostile nesting
        raise UnreadableRecord(f"structured CloudEvent is not JSON: {error}") from error
    if not isinstance(envelope, dict):
        raise UnreadableRecord("structured CloudEvent must be a JSON object")
    _require_attributes({k for k, v in envelope.items() if v not in (None, "")}, "attribute ")


def _require_attributes(present: set[str], prefix: str) -> None:
    missing = [name for name in _REQUIRED if name not in present]
    if missing:
        raise UnreadableRecord("missing CloudEvents " + ", ".join(prefix + m for m in missing))


def _to_event(cloud_event: Any) -> Event:
    attributes = cloud_event.get_attributes()
    if attributes.get("specversion") != "1.0":
        raise UnreadableRecord(f"unsupported specversion {attributes.get('specversion')!r}")
    data = cloud_event.get_data()
    if isinstance(data, bytes | str):
        data = _parse_json(data)
    if not isinstance(data, dict):
        raise UnreadableRecord("data must be a JSON object")
    time = attributes.get("time") or datetime.now(UTC)
    known = {"type", "source", "id", "time", "subject", "specversion", "datacontenttype"}
    return Event(
        type=attributes["type"],
        source=attributes["source"],
        id=attributes["id"],
        time=time,
        data=data,
        subject=attributes.get("subject"),
        extensions={k: str(v) for k, v in attributes.items() if k not in known},
    )


def _parse_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, hostile nesting
        raise UnreadableRecord(f"data is not JSON: {error}") from error
