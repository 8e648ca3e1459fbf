"""Reading records: both content modes, and every way a record can be unreadable."""

from __future__ import annotations

import json

import pytest
from zll_contracts import UnreadableRecord, from_record, new_event, to_record

BINARY = [
    ("ce_specversion", b"1.0"),
    ("ce_id", b"e-1"),
    ("ce_source", b"/providers/vhs-kassel"),
    ("ce_type", b"zll.course.withdrawn.v1"),
    ("content-type", b"application/json"),
]
STRUCTURED = [("content-type", b"application/cloudevents+json")]


def test_what_we_write_we_read_back() -> None:
    event = new_event("zll.course.withdrawn.v1", "/providers/vhs-kassel", {"reason": "Umzug"})
    record = to_record(
        event, "vhs-kassel:k1", {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}
    )
    read = from_record(record.value, record.headers)
    assert (read.id, read.source, read.type, read.data) == (
        event.id,
        event.source,
        event.type,
        event.data,
    )
    assert record.key == b"vhs-kassel:k1"
    assert record.header("ce_specversion") == b"1.0"


def test_structured_mode_is_read() -> None:
    envelope = {
        "specversion": "1.0",
        "id": "s-1",
        "source": "/providers/p",
        "type": "t",
        "data": {"a": 1},
    }
    event = from_record(json.dumps(envelope).encode(), STRUCTURED)
    assert (event.id, event.data) == ("s-1", {"a": 1})


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b'{"a": 1}', [h for h in BINARY if h[0] != "ce_id"], "ce_id"),
        (b'{"a": 1}', [("content-type", b"application/json")], "no CloudEvents attributes"),
        (b"not json", BINARY, "JSON"),
        (b"\xff\xfe\x00", BINARY, "JSON"),
        (b"[1, 2]", BINARY, "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, BINARY, "recursion"),
        (b'{"specversion": "1.0"', STRUCTURED, "not JSON"),
        (b'{"specversion": "1.0", "source": "/s", "type": "t"}', STRUCTURED, "id"),
        (
            b'{"specversion":"1.0","id":"1","source":"/s","type":"t","data":'
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}",
            STRUCTURED,
            "not JSON",
        ),
        (b'{"a": 1}', [*BINARY[:4], ("ce_time", b"yesterday")], "ce_time"),
        (b"plain words", [*BINARY[:4], ("content-type", b"text/plain")], "must be JSON"),
        (b'{"a": 1}', [("ce_specversion", b"0.3"), *BINARY[1:]], "specversion"),
        (b'{"a": 1}', [("ce_id", b"\xff"), *BINARY[1:]], "UTF-8"),
        (None, BINARY, "no value"),
    ],
)
def test_an_unreadable_record_says_why(
    value: bytes | None, headers: list[tuple[str, bytes]], reason: str
) -> None:
    with pytest.raises(UnreadableRecord) as unreadable:
        from_record(value, headers)
    assert reason.lower() in unreadable.value.reason.lower()
