"""Every event type has a model, and payloads travel through both CloudEvents modes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import zll_contracts
from zll_contracts import (
    EVENT_MODELS,
    STRUCTURED_CONTENT_TYPE,
    TOPICS,
    CourseUpserted,
    FieldError,
    PayloadRefused,
    UnknownEventType,
    event_type_of,
    from_record,
    new_event,
    parse_payload,
    payloads,
    to_record,
)


def test_event_models_cover_exactly_the_registered_event_types():
    registered = [name for t in TOPICS.values() for name in t.event_types]
    assert len(registered) == len(set(registered))
    assert set(EVENT_MODELS) == set(registered)


def test_each_model_serves_one_event_type():
    assert len(set(EVENT_MODELS.values())) == len(EVENT_MODELS)
    for event_type, model in EVENT_MODELS.items():
        assert event_type_of(model) == event_type


def test_the_payload_names_are_exported_from_both_packages():
    assert set(payloads.__all__) <= set(zll_contracts.__all__)
    for name in payloads.__all__:
        assert getattr(zll_contracts, name) is getattr(payloads, name)


def test_an_unknown_event_type_is_not_a_refusal():
    with pytest.raises(UnknownEventType) as unknown:
        parse_payload("zll.course.deleted.v1", {})
    assert not isinstance(unknown.value, PayloadRefused)
    assert unknown.value.event_type == "zll.course.deleted.v1"


def test_a_refusal_carries_field_errors_and_reads_well(course):
    course["revision"] = 0
    with pytest.raises(PayloadRefused) as refused:
        parse_payload("zll.course.upserted.v1", course)
    assert refused.value.errors == [
        FieldError(
            field="revision",
            message="Input should be greater than or equal to 1",
            message_de="Die Revisionsnummer muss mindestens 1 sein; angegeben war 0.",
            message_en="The revision number must be at least 1; 0 was given.",
        )
    ]
    assert "revision: Input should be greater than or equal to 1" in str(refused.value)


def test_a_payload_that_is_no_object_is_refused_as_a_whole():
    with pytest.raises(PayloadRefused) as refused:
        parse_payload("zll.course.upserted.v1", ["not", "an", "object"])  # type: ignore[arg-type]
    assert [e.field for e in refused.value.errors] == ["data"]


def test_a_course_round_trips_through_binary_mode(course):
    sent = CourseUpserted.model_validate(course)
    event = new_event("zll.course.upserted.v1", "/providers/vhs-jena", sent)
    record = to_record(event, key=sent.course_id)

    received = from_record(record.value, record.headers)

    assert record.key == b"vhs-jena:ENG-B1-2025"
    assert received.type == "zll.course.upserted.v1"
    assert parse_payload(received.type, received.data) == sent


def test_a_course_round_trips_through_structured_mode(course):
    envelope = {
        "specversion": "1.0",
        "id": "vhs-jena-0001",
        "source": "/providers/vhs-jena",
        "type": "zll.course.upserted.v1",
        "time": datetime(2025, 8, 1, 9, 30, tzinfo=UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": course,
    }
    value = json.dumps(envelope).encode()

    received = from_record(value, [("content-type", STRUCTURED_CONTENT_TYPE.encode())])

    assert received.id == "vhs-jena-0001"
    parsed = parse_payload(received.type, received.data)
    assert parsed == CourseUpserted.model_validate(course)


def test_a_refused_payload_in_an_envelope_is_still_a_readable_event(course):
    course["end_date"] = "2020-01-01"
    event = new_event("zll.course.upserted.v1", "/providers/vhs-jena", course)
    received = from_record(*_value_and_headers(to_record(event, key=course["course_id"])))
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(received.type, received.data)
    assert [e.field for e in refused.value.errors] == ["end_date"]


def _value_and_headers(record: zll_contracts.KafkaRecord) -> tuple[bytes, list[tuple[str, bytes]]]:
    return record.value, list(record.headers)
