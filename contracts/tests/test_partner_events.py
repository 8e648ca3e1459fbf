"""Enrolments, opportunities and demand as partners report them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from zll_contracts import (
    DemandReported,
    EnrolmentCancelRequested,
    EnrolmentCompleted,
    EnrolmentRequested,
    Horizon,
    OpportunityKind,
    OpportunityUpserted,
    OpportunityWithdrawn,
    PayloadRefused,
    parse_payload,
)

OCCUPATION = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def refused_fields(event_type: str, data: dict[str, Any]) -> list[str]:
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(event_type, data)
    return [error.field for error in refused.value.errors]


def test_an_enrolment_request_from_the_providers_desk_parses(enrolment_request):
    parsed = parse_payload("zll.enrolment.requested.v1", enrolment_request)
    assert isinstance(parsed, EnrolmentRequested)
    assert parsed.enrolment_id == UUID("4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11")
    assert parsed.contact is not None
    assert parsed.contact.locale == "de-DE"


def test_contact_is_optional(enrolment_request):
    del enrolment_request["contact"]
    assert EnrolmentRequested.model_validate(enrolment_request).contact is None


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("enrolment_id", "42", "enrolment_id"),
        ("course_id", "no-colon", "course_id"),
        ("learner_id", "", "learner_id"),
        ("learner_id", "anna mueller", "learner_id"),
        ("learner_id", "x" * 129, "learner_id"),
        ("requested_at", "2025-08-01T09:30:00", "requested_at"),
        ("contact", {"email": "not an address"}, "contact.email"),
    ],
)
def test_enrolment_request_rules(enrolment_request, field, value, named):
    enrolment_request[field] = value
    assert refused_fields("zll.enrolment.requested.v1", enrolment_request) == [named]


def test_a_cancel_request_needs_only_the_enrolment():
    parsed = parse_payload(
        "zll.enrolment.cancel-requested.v1",
        {"enrolment_id": "4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11"},
    )
    assert isinstance(parsed, EnrolmentCancelRequested)
    assert parsed.reason is None


def test_a_completion_lists_the_passed_modules():
    parsed = parse_payload(
        "zll.enrolment.completed.v1",
        {
            "enrolment_id": "4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11",
            "modules_passed": ["B1.1", "B1.2"],
            "completed_at": "2025-12-15T20:15:00+01:00",
        },
    )
    assert isinstance(parsed, EnrolmentCompleted)
    assert parsed.modules_passed == ["B1.1", "B1.2"]


def opportunity() -> dict[str, Any]:
    return {
        "opportunity_id": "zeiss-2026-azubi-7",
        "partner_id": "zeiss-jena",
        "kind": "apprenticeship",
        "title": "Ausbildung Feinoptiker/in",
        "required_skills": [SKILL],
        "municipality": "Jena",
        "seats": 4,
        "start_date": "2026-08-01",
        "revision": 1,
    }


def test_an_employer_publishes_an_apprenticeship():
    parsed = parse_payload("zll.opportunity.upserted.v1", opportunity())
    assert isinstance(parsed, OpportunityUpserted)
    assert parsed.kind is OpportunityKind.APPRENTICESHIP


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "volunteering"), ("seats", -1), ("revision", 0), ("required_skills", ["java"])],
)
def test_opportunity_rules(field, value):
    data = opportunity()
    data[field] = value
    assert refused_fields("zll.opportunity.upserted.v1", data)[0].startswith(field)


def test_an_opportunity_is_withdrawn_with_an_optional_reason():
    data = {"opportunity_id": "zeiss-2026-azubi-7", "partner_id": "zeiss-jena", "revision": 2}
    parsed = parse_payload("zll.opportunity.withdrawn.v1", data)
    assert isinstance(parsed, OpportunityWithdrawn)
    assert parsed.reason is None


def test_a_chamber_reports_demand_for_a_skill(demand_report):
    parsed = parse_payload("zll.demand.reported.v1", demand_report)
    assert isinstance(parsed, DemandReported)
    assert parsed.horizon is Horizon.MEDIUM
    assert parsed.occupation is None


def test_demand_may_name_an_occupation_instead(demand_report):
    del demand_report["skill"]
    demand_report["occupation"] = OCCUPATION
    assert DemandReported.model_validate(demand_report).occupation == OCCUPATION


def test_demand_naming_both_skill_and_occupation_is_refused(demand_report):
    demand_report["occupation"] = OCCUPATION
    assert refused_fields("zll.demand.reported.v1", demand_report) == ["skill"]


def test_demand_naming_neither_is_refused(demand_report):
    del demand_report["skill"]
    assert refused_fields("zll.demand.reported.v1", demand_report) == ["skill"]


def test_an_occupation_uri_is_no_skill_uri(demand_report):
    demand_report["skill"] = OCCUPATION
    assert refused_fields("zll.demand.reported.v1", demand_report) == ["skill"]


@pytest.mark.parametrize(
    ("field", "value"), [("headcount", 0), ("horizon", "forever"), ("municipality", "")]
)
def test_demand_rules(demand_report, field, value):
    demand_report[field] = value
    assert refused_fields("zll.demand.reported.v1", demand_report) == [field]


def test_an_offer_answer_names_the_enrolment_and_accept_or_decline():
    parsed = parse_payload(
        "zll.enrolment.offer-answered.v1",
        {"enrolment_id": "4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11", "answer": "decline"},
    )
    assert parsed.answer == "decline"
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(
            "zll.enrolment.offer-answered.v1",
            {"enrolment_id": "4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11", "answer": "maybe"},
        )
    assert [e.field for e in refused.value.errors] == ["answer"]
