"""Generate the checked-in contract files: one JSON Schema per event type, AsyncAPI, and the
field reference for people (REFERENCE.md).

    python -m zll_contracts.export                   # write (refuses a breaking change)
    python -m zll_contracts.export --check           # exit 1 if files are stale or break
    python -m zll_contracts.export --allow-breaking  # write even so (then bump to .v2!)

Each schema describes what travels on the wire, so its mode follows the direction:

* events partners write (`zll.provider.*` except feedback) use pydantic's *validation*
  schema: what we accept, e.g. `price_eur` as a number or a numeric string;
* events the region's services write use the *serialization* schema: what we emit, e.g.
  `price_eur` always a number.

Output is deterministic (sorted keys, indent 2, trailing newline) so it can be diffed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from zll_contracts import __version__, reference
from zll_contracts.compat import breaking_changes_in_set
from zll_contracts.payload_schemas import payload_schema, schema_mode
from zll_contracts.payloads.registry import EVENT_MODELS
from zll_contracts.topics import DLQ, TOPICS, Topic

__all__ = [
    "CONTRACTS_DIR",
    "asyncapi_document",
    "checked_in",
    "generate",
    "main",
    "payload_schema",
    "render",
    "schema_mode",
    "stale_files",
]

CONTRACTS_DIR = Path(__file__).resolve().parent.parent
KAFKA_BINDING = "0.5.0"
REFERENCE = "REFERENCE.md"  # every field with its rules and an example, for people


def render(document: Mapping[str, Any]) -> str:
    """Deterministic JSON: what the generator writes and what the check compares."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Every generated file, keyed by its path relative to `contracts/`."""
    files = {
        f"schemas/{event_type}.json": render(payload_schema(event_type))
        for event_type in sorted(EVENT_MODELS)
    }
    files["asyncapi.json"] = render(asyncapi_document())
    files[REFERENCE] = reference.markdown()
    return files


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0.0, from the region's point of view: it receives what partners write."""
    keys = [(EVENT_MODELS[t], schema_mode(t)) for t in sorted(EVENT_MODELS)]
    by_key, definitions = models_json_schema(keys, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS.values():
        channel_id = _channel_id(topic)
        channel_messages: dict[str, Any] = {}
        for event_type in topic.event_types:
            ref = by_key[(EVENT_MODELS[event_type], schema_mode(event_type))]
            messages[event_type] = _message(event_type, topic, ref)
            channel_messages[event_type] = {"$ref": f"#/components/messages/{event_type}"}
        if topic.name == DLQ:
            messages["dead-letter"] = _dead_letter_message(topic)
            channel_messages["dead-letter"] = {"$ref": "#/components/messages/dead-letter"}
        channels[channel_id] = {
            "address": topic.name,
            "description": f"Written by {topic.writer}. Record key: {topic.key}.",
            "messages": channel_messages,
            "bindings": {
                "kafka": {
                    "topic": topic.name,
                    "partitions": topic.partitions,
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        }
        action = "receive" if topic.is_partner_inbound else "send"
        operations[f"{action}{_camel(channel_id)}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [
                {"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in channel_messages
            ],
            "summary": (
                f"Partners ({topic.writer}) write; the region's services read."
                if topic.is_partner_inbound
                else f"The region ({topic.writer}) writes; anyone subscribed may read."
            ),
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ZLL event contract",
            "version": __version__,
            "description": (
                "Events of the regional centre of lifelong learning. Every record is a "
                "CloudEvent 1.0 in the Kafka protocol binding; services write binary mode, "
                "and structured mode (content-type application/cloudevents+json) is accepted "
                "on every inbound topic. (ce_source, ce_id) is the idempotency key."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _channel_id(topic: Topic) -> str:
    # Channel ids become JSON pointer segments; keep them to letters and digits.
    words = topic.name.removeprefix("zll.").replace("-", ".").split(".")
    return words[0] + "".join(word.capitalize() for word in words[1:])


def _camel(name: str) -> str:
    return name[:1].upper() + name[1:]


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _ce_headers(event_type: str, topic: Topic) -> dict[str, Any]:
    source = "/providers/<provider_id>" if topic.is_partner_inbound else "/services/<service>"
    return {
        "type": "object",
        "description": "CloudEvents binary content mode attributes, as Kafka headers.",
        "properties": {
            "ce_specversion": _string("CloudEvents version.", const="1.0"),
            "ce_id": _string("Unique per event from one ce_source; with it the idempotency key."),
            "ce_source": _string(f"The sender: {source}."),
            "ce_type": _string("The event type.", const=event_type),
            "ce_time": _string("When it happened (RFC 3339).", format="date-time"),
            "ce_subject": _string("Optional: what the event is about."),
            "content-type": _string("Media type of the value.", const="application/json"),
            "traceparent": _string("W3C trace context."),
            "tracestate": _string("W3C trace context, vendor part."),
        },
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"],
    }


def _message(event_type: str, topic: Topic, payload_ref: Mapping[str, Any]) -> dict[str, Any]:
    model = EVENT_MODELS[event_type]
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": _ce_headers(event_type, topic),
        "payload": dict(payload_ref),
        "bindings": {"kafka": {"key": _string(topic.key), "bindingVersion": KAFKA_BINDING}},
    }


def _dead_letter_message(topic: Topic) -> dict[str, Any]:
    return {
        "name": "dead-letter",
        "title": "Unreadable record",
        "summary": "A record no service could read, unchanged, with the reason in headers.",
        "headers": {
            "type": "object",
            "description": "The original record's headers, plus these.",
            "properties": {
                "zll_error": _string("Why the record could not be read."),
                "zll_origin_topic": _string("The topic it was read from."),
                "zll_origin_partition": _string("Its partition, as a decimal string."),
                "zll_origin_offset": _string("Its offset, as a decimal string."),
                "zll_service": _string("The service that gave up on it."),
            },
            "required": [
                "zll_error",
                "zll_origin_topic",
                "zll_origin_partition",
                "zll_origin_offset",
                "zll_service",
            ],
        },
        "payload": {"description": "The original record value, unchanged."},
        "bindings": {"kafka": {"key": _string(topic.key), "bindingVersion": KAFKA_BINDING}},
    }


def _schemas_of(files: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    return {
        path.removeprefix("schemas/").removesuffix(".json"): json.loads(text)
        for path, text in files.items()
        if path.startswith("schemas/")
    }


def checked_in(root: Path) -> dict[str, str]:
    """The generated files as they are on disk now."""
    files = {
        f"schemas/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted((root / "schemas").glob("*.json"))
    }
    for name in ("asyncapi.json", REFERENCE):
        if (root / name).exists():
            files[name] = (root / name).read_text(encoding="utf-8")
    return files


def stale_files(current: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """Paths whose content differs, including files to create and files to remove."""
    return sorted(p for p in current.keys() | wanted.keys() if current.get(p) != wanted.get(p))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zll_contracts.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    parser.add_argument("--allow-breaking", action="store_true", help="write a breaking change")
    parser.add_argument("--root", type=Path, help="the contracts/ dir of a checkout")
    args = parser.parse_args(argv)
    root: Path = args.root or CONTRACTS_DIR
    if args.root is None and not (root / "pyproject.toml").exists():
        # Installed from a wheel, CONTRACTS_DIR is site-packages: never write there.
        print(f"{root} is not the contracts/ directory of a checkout; pass --root", file=sys.stderr)
        return 2
    wanted = generate()
    current = checked_in(root)
    breaking = breaking_changes_in_set(_schemas_of(current), _schemas_of(wanted))
    stale = stale_files(current, wanted)
    for problem in breaking:
        print(f"breaking: {problem}", file=sys.stderr)
    if args.check:
        for path in stale:
            print(f"stale: {root / path}", file=sys.stderr)
        if stale:
            print("run `python -m zll_contracts.export` and commit the result", file=sys.stderr)
        return 1 if stale or breaking else 0
    if breaking and not args.allow_breaking:
        print(
            "refusing to write a breaking change: add a new .v2 event type instead, "
            "or pass --allow-breaking",
            file=sys.stderr,
        )
        return 1
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    for path in stale:
        target = root / path
        if path in wanted:
            target.write_text(wanted[path], encoding="utf-8")
            print(f"wrote {target}")
        else:
            target.unlink()
            print(f"removed {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
