"""Hostile partner records for every inbound topic, and what the region must answer to each.

Every record is built from a *good* payload of its topic and broken in exactly one way, so a
refusal can only be explained by that one flaw. `expect` is `feedback` (the record parses as
a CloudEvent but breaks a rule: `zll.provider.feedback.v1` must name `reason` as a field) or
`dead-letter` (it cannot be read: `zll.dlq.v1` must carry it unchanged, with `reason` in its
`zll_error` header). Either way the id the service would store it under (`stored_id`) must
stay unknown to the service's HTTP API.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Expect = Literal["feedback", "dead-letter"]
Headers = tuple[tuple[str, bytes], ...]
Payload = dict[str, Any]

MEGABYTE = 1024 * 1024
# The broker's default record limit is 1 MB; producers must raise max_request_size for these.
PRODUCER_MAX_REQUEST_SIZE = 4 * MEGABYTE
NESTING = 100_000  # far beyond any JSON parser's recursion limit
ESCO_SKILL = "http://data.europa.eu/esco/skill/"


@dataclass(frozen=True)
class Hostile:
    """One bad record, ready to produce, and what must come of it."""

    name: str
    topic: str
    key: bytes
    value: bytes | None
    headers: Headers
    expect: Expect
    reason: str  # feedback: the field named; dead letter: words in zll_error
    stored_id: str  # what the service would store it as; must stay unknown
    ce_id: str | None = None  # for feedback: the original_ce_id to look for
    sender: str | None = None  # for feedback: who is told


@dataclass(frozen=True)
class TopicCase:
    """An inbound topic, the service that reads it, and how its payloads break."""

    topic: str
    service: str
    ce_type: str
    good: Callable[[str], Payload]  # a valid payload whose stored id is the argument
    stored_id: Callable[[Payload], str]
    key: Callable[[Payload], str]
    wrong_type: tuple[str, Any]  # field, a value of the wrong JSON type
    required: str  # a field that must be present
    line_field: str  # a single-line text field (title, e-mail, ...)
    line_text: Callable[[str], str]  # how hostile text is put into it
    big_field: str  # a field that receives the 1 MB string
    for_another: Callable[[Payload, str], Payload]  # the payload claiming another partner
    for_another_field: str
    other_type: str  # a ce_type of the contract that does not belong on this topic
    extra: Callable[[TopicCase, str, str], list[Hostile]] = field(default=lambda c, o, t: [])


def binary_headers(ce_type: str, sender: str, ce_id: str) -> list[tuple[str, bytes]]:
    """CloudEvents binary mode, exactly as a partner's client writes it."""
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", ce_id.encode()),
        ("ce_source", f"/providers/{sender}".encode()),
        ("ce_type", ce_type.encode()),
        ("ce_time", b"2026-11-23T10:00:00Z"),
        ("content-type", b"application/json"),
    ]


def _without(headers: list[tuple[str, bytes]], name: str) -> Headers:
    return tuple(h for h in headers if h[0] != name)


def _replace(headers: list[tuple[str, bytes]], name: str, value: bytes) -> Headers:
    return tuple((k, value if k == name else v) for k, v in headers)


def _set_path(data: Payload, path: str, value: Any) -> Payload:
    """A copy of `data` with the dotted `path` set (`location.municipality`, `contact.email`)."""
    copy = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    node = copy
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return copy


def _drop(data: Payload, name: str) -> Payload:
    return {k: v for k, v in data.items() if k != name}


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def corpus(case: TopicCase, *, own: str, other: str, tag: str) -> list[Hostile]:
    """Every hostile record for `case`'s topic, sent as `own` (a registered partner).

    `other` is another registered partner; `tag` makes every stored id unique to one run.
    """
    records: list[Hostile] = []

    def good(name: str) -> Payload:
        return case.good(f"{tag}-{name}")

    def feedback(name: str, data: Payload, reason: str, *, sender: str = own) -> None:
        ce_id = str(uuid.uuid4())
        records.append(
            Hostile(
                name, case.topic, case.key(data).encode(), _json(data),
                tuple(binary_headers(case.ce_type, sender, ce_id)), "feedback", reason,
                case.stored_id(data), ce_id, sender,
            )
        )  # fmt: skip

    def dead(name: str, data: Payload, value: bytes | None, headers: Headers, reason: str) -> None:
        records.append(
            Hostile(
                name, case.topic, case.key(data).encode(), value, headers, "dead-letter", reason,
                case.stored_id(data),
            )
        )  # fmt: skip

    def headers_for(data: Payload) -> list[tuple[str, bytes]]:
        del data
        return binary_headers(case.ce_type, own, str(uuid.uuid4()))

    # --- parses, breaks a rule: feedback naming the field ---------------------------------
    wrong, value = case.wrong_type
    feedback("wrong-type", _set_path(good("wrong-type"), wrong, value), wrong)
    feedback("missing-field", _drop(good("missing-field"), case.required), case.required)
    big = good("one-megabyte")
    feedback("one-megabyte", _set_path(big, case.big_field, "x" * MEGABYTE), case.big_field)
    for name, text in {
        "control-bell": "Kurs\x07mit Klingel",
        "control-nul": "Kurs\x00",
        "control-escape": "Kurs \x1b[31mrot\x1b[0m",
        "line-break": "Erste Zeile\nzweite Zeile",
        "c1-control": "Kurs\x85",
        "lone-surrogate": "Kurs \ud800",  # not UTF-8-encodable; JSON's escape carries it
        "html-script": "<script>alert('zll')</script>",
        "html-image": 'Kurs <img src=x onerror="alert(1)">',
        "html-comment": "Kurs <!-- versteckt -->",
    }.items():
        hostile_text = case.line_text(text)
        feedback(name, _set_path(good(name), case.line_field, hostile_text), case.line_field)
    feedback(
        "for-another-partner",
        case.for_another(good("for-another"), other),
        case.for_another_field,
    )

    # --- cannot be read: dead letter, unchanged ---------------------------------------------
    for attribute in ("ce_id", "ce_source", "ce_type", "ce_specversion"):
        data = good(f"no-{attribute}")
        dead(
            f"missing-{attribute}", data, _json(data), _without(headers_for(data), attribute),
            f"missing CloudEvents header {attribute}",
        )  # fmt: skip
    data = good("no-headers")
    dead("no-headers-at-all", data, _json(data), (), "no CloudEvents attributes")
    data = good("unknown-type")
    dead(
        "unknown-ce-type", data, _json(data),
        _replace(headers_for(data), "ce_type", b"zll.course.deleted.v1"), "unknown ce_type",
    )  # fmt: skip
    data = good("foreign-type")
    dead(
        "type-of-another-topic", data, _json(data),
        _replace(headers_for(data), "ce_type", case.other_type.encode()), "unknown ce_type",
    )  # fmt: skip
    data = good("old-spec")
    dead(
        "specversion-0.3", data, _json(data),
        _replace(headers_for(data), "ce_specversion", b"0.3"), "unsupported specversion",
    )  # fmt: skip
    data = good("bad-time")
    dead(
        "ce-time-not-rfc3339", data, _json(data),
        _replace(headers_for(data), "ce_time", b"gestern"), "ce_time",
    )  # fmt: skip
    data = good("service-source")
    dead(
        "partner-posing-as-service", data, _json(data),
        _replace(headers_for(data), "ce_source", b"/services/catalog"),
        "ce_source must be /providers/",
    )  # fmt: skip
    data = good("source-bad-utf8")
    dead(
        "invalid-utf8-in-header", data, _json(data),
        _replace(headers_for(data), "ce_source", b"/providers/\xff\xfe"), "is not UTF-8",
    )  # fmt: skip
    data = good("value-bad-utf8")
    raw = _json(data).replace(b'"' + case.key(data).encode() + b'"', b'"\xc3\x28\xff"', 1)
    dead("invalid-utf8-in-value", data, raw, tuple(headers_for(data)), "not JSON")
    data = good("not-json")
    dead("not-json", data, b"<xml>" + tag.encode() + b"</xml>", tuple(headers_for(data)), "JSON")
    data = good("truncated")
    dead("truncated-json", data, _json(data)[:-7], tuple(headers_for(data)), "not JSON")
    data = good("array")
    dead("data-is-an-array", data, _json([data]), tuple(headers_for(data)), "JSON object")
    data = good("nested")
    nested = b'{"deep":' * NESTING + b"1" + b"}" * NESTING
    dead("deeply-nested-json", data, nested[:-1] + b', "tag": "' + tag.encode() + b'"}',
         tuple(headers_for(data)), "not JSON")  # fmt: skip
    data = good("tombstone")
    dead("no-value", data, None, tuple(headers_for(data)), "no value")
    _structured(case, own, good, dead)
    records.extend(case.extra(case, own, tag))
    return records


def _structured(
    case: TopicCase,
    own: str,
    good: Callable[[str], Payload],
    dead: Callable[[str, Payload, bytes | None, Headers, str], None],
) -> None:
    """Structured mode is accepted, so its envelope must be just as hard to break."""
    structured = (("content-type", b"application/cloudevents+json"),)

    def envelope(payload: Payload, **changes: Any) -> Payload:
        base = {
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": f"/providers/{own}",
            "type": case.ce_type, "datacontenttype": "application/json", "data": payload,
        }  # fmt: skip
        return {k: v for k, v in (base | changes).items() if v is not None}

    data = good("structured-truncated")
    dead("structured-truncated", data, _json(envelope(data))[:-9], structured, "not JSON")
    data = good("structured-no-id")
    dead("structured-no-id", data, _json(envelope(data, id=None)), structured, "attribute id")
    data = good("structured-data-string")
    dead(
        "structured-data-is-a-string", data, _json(envelope(data, data=json.dumps(data) + "!")),
        structured, "JSON",
    )  # fmt: skip
    data = good("structured-list")
    dead("structured-is-a-list", data, _json([envelope(data)]), structured, "JSON object")
    data = good("structured-bad-utf8")
    raw = _json(envelope(data)).replace(b'"1.0"', b'"1.0\xff"', 1)
    dead("structured-invalid-utf8", data, raw, structured, "not JSON")


# --- the three inbound topics ----------------------------------------------------------------


def course(course_id: str, provider: str) -> Payload:
    return {
        "course_id": course_id, "provider_id": provider, "revision": 1,
        "title": "Schweißen für Einsteiger", "description": "Grundlagen.\nMit Praxis.",
        "format": "onsite", "location": {"municipality": "Kassel", "postcode": "34117"},
        "start_date": "2030-03-01", "end_date": "2030-06-30", "capacity": 12, "price_eur": 480,
        "funding": ["bildungsgutschein"], "target_groups": ["working-age"],
        "modules": [{
            "module_id": "m1", "title": "Lichtbogen", "workload_hours": 40, "eqf_level": 3,
            "skills": [ESCO_SKILL + "hostile-weld"], "certificate": "module-certificate",
        }],
    }  # fmt: skip


def courses_case(provider: str) -> TopicCase:
    def for_another(data: Payload, other: str) -> Payload:
        code = data["course_id"].split(":", 1)[1]
        return data | {"provider_id": other, "course_id": f"{other}:{code}"}

    def extra(case: TopicCase, own: str, tag: str) -> list[Hostile]:
        data = course(f"{own}:{tag}-sql-id';DROP", own)
        ce_id = str(uuid.uuid4())
        injected = Hostile(
            "sql-in-course-id", case.topic, b"x", _json(data),
            tuple(binary_headers(case.ce_type, own, ce_id)), "feedback", "course_id",
            data["course_id"], ce_id, own,
        )  # fmt: skip
        return [injected]

    return TopicCase(
        topic="zll.provider.courses.v1", service="catalog", ce_type="zll.course.upserted.v1",
        good=lambda code: course(f"{provider}:{code}", provider),
        stored_id=lambda d: str(d.get("course_id", "")), key=lambda d: str(d["course_id"]),
        wrong_type=("capacity", "zwölf"), required="title", line_field="title", line_text=str,
        big_field="description", for_another=for_another, for_another_field="provider_id",
        other_type="zll.enrolment.requested.v1", extra=extra,
    )  # fmt: skip


def enrolment_request(enrolment_id: str, course_id: str) -> Payload:
    return {
        "enrolment_id": enrolment_id, "course_id": course_id, "learner_id": "lea-hostile",
        "requested_at": "2026-11-23T10:00:00Z",
        "contact": {"email": "lea@example.org", "locale": "de"},
    }  # fmt: skip


def enrolments_case(course_id: str, learner_id: str) -> TopicCase:
    """`learner_id` asks for the partner's own `course_id`; the stored id is the enrolment id."""

    def good(tag: str) -> Payload:
        request = enrolment_request(str(uuid.uuid5(uuid.NAMESPACE_URL, tag)), course_id)
        return request | {"learner_id": learner_id}

    def for_another(data: Payload, other: str) -> Payload:
        return data | {"course_id": f"{other}:{course_id.split(':', 1)[1]}"}

    return TopicCase(
        topic="zll.provider.enrolments.v1", service="enrolment",
        ce_type="zll.enrolment.requested.v1", good=good,
        stored_id=lambda d: str(d.get("enrolment_id", "")), key=lambda d: course_id,
        wrong_type=("enrolment_id", 42), required="learner_id", line_field="contact.email",
        line_text=lambda text: f"lea.{text}@example.org",
        big_field="learner_id", for_another=for_another, for_another_field="course_id",
        other_type="zll.course.upserted.v1",
    )  # fmt: skip


def opportunity(opportunity_id: str, partner: str, skill: str) -> Payload:
    return {
        "opportunity_id": opportunity_id, "partner_id": partner, "kind": "internship",
        "title": "Praktikum in der Werkstatt", "required_skills": [skill],
        "municipality": "Kassel", "seats": 2, "start_date": "2030-09-01", "revision": 1,
    }  # fmt: skip


def demand_report(report_id: str, partner: str, skill: str, municipality: str) -> Payload:
    return {
        "report_id": report_id, "partner_id": partner, "skill": skill, "headcount": 7,
        "horizon": "short", "municipality": municipality,
    }  # fmt: skip


def opportunities_case(partner: str, skill: str, town: str) -> TopicCase:
    """Opportunities with `skill`; demand reports (in `town`) break the same ways too."""

    def extra(case: TopicCase, own: str, tag: str) -> list[Hostile]:
        found = []
        for name, change, reason in (
            ("demand-control-in-town", {"municipality": f"{town}\x07"}, "municipality"),
            ("demand-markup-in-town", {"municipality": f"<b>{town}</b>"}, "municipality"),
            ("demand-for-another", {"partner_id": "hostile-other"}, "partner_id"),
            ("demand-zero-headcount", {"headcount": 0}, "headcount"),
        ):
            data = demand_report(f"{tag}-{name}", own, skill, town) | change
            ce_id = str(uuid.uuid4())
            found.append(
                Hostile(
                    name, case.topic, own.encode(), _json(data),
                    tuple(binary_headers("zll.demand.reported.v1", own, ce_id)), "feedback",
                    reason, data["report_id"], ce_id, own,
                )
            )  # fmt: skip
        return found

    return TopicCase(
        topic="zll.provider.opportunities.v1", service="matching",
        ce_type="zll.opportunity.upserted.v1",
        good=lambda oid: opportunity(oid, partner, skill),
        stored_id=lambda d: str(d.get("opportunity_id") or d.get("report_id", "")),
        key=lambda d: str(d.get("opportunity_id") or d["partner_id"]),
        wrong_type=("seats", "viele"), required="kind", line_field="title", line_text=str,
        big_field="title",
        for_another=lambda d, other: d | {"partner_id": other}, for_another_field="partner_id",
        other_type="zll.enrolment.completed.v1", extra=extra,
    )  # fmt: skip
