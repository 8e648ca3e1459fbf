"""What the region's services write: catalog, enrolment outcomes, placements, gaps, feedback."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError
from zll_contracts import (
    CoursePublished,
    CourseUpserted,
    CourseWithdrawnFromCatalog,
    DemandGapDetected,
    EnrolmentCancelled,
    EnrolmentCertificateRevoked,
    EnrolmentCertificateSuspended,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentRejected,
    EnrolmentSource,
    EnrolmentWaitlisted,
    FeedbackRejected,
    FieldError,
    OfferKind,
    PlacementDeclined,
    PlacementProposed,
    RefusedSubject,
    RejectionReason,
    event_type_of,
    parse_payload,
)

NOW = datetime(2025, 8, 1, 9, 30, tzinfo=UTC)
SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def enrolment() -> dict[str, Any]:
    return {
        "enrolment_id": uuid4(),
        "course_id": "vhs-jena:ENG-B1-2025",
        "learner_id": "learner-0815",
        "occurred_at": NOW,
    }


def test_the_catalog_publishes_the_full_course_as_stored(course):
    upserted = CourseUpserted.model_validate(course)
    published = CoursePublished(**upserted.model_dump(), published_at=NOW)

    wire = published.model_dump(mode="json")
    assert wire["price_eur"] == 189.5
    assert wire["published_at"] == "2025-08-01T09:30:00Z"
    again = parse_payload("zll.catalog.course-published.v1", wire)
    assert again == published
    assert set(CourseUpserted.model_fields) < set(CoursePublished.model_fields)


def test_a_withdrawn_course_carries_its_last_state_and_the_reason(course):
    withdrawn = CourseWithdrawnFromCatalog(
        **CourseUpserted.model_validate(course).model_dump(),
        reason="provider withdrew the course",
        withdrawn_at=NOW,
    )
    assert withdrawn.price_eur == Decimal("189.5")
    assert event_type_of(withdrawn) == "zll.catalog.course-withdrawn.v1"


def test_enrolment_outcomes_round_trip_through_json():
    events = [
        EnrolmentConfirmed(**enrolment(), source=EnrolmentSource.HTTP),
        EnrolmentConfirmed(**enrolment(), source="placement", promoted_from_waitlist=True),
        EnrolmentWaitlisted(**enrolment(), waitlist_position=1),
        EnrolmentRejected(
            **enrolment(), reason_code=RejectionReason.ALREADY_ENROLLED, reason="already in"
        ),
        EnrolmentCancelled(**enrolment(), cancelled_by="withdrawal"),
        EnrolmentCertified(**enrolment(), certificate_id="cert-1", modules=["B1.1"]),
        EnrolmentCertificateRevoked(**enrolment(), certificate_id="cert-1", reason="wrong module"),
        EnrolmentCertificateSuspended(**enrolment(), certificate_id="cert-1", suspended=False),
    ]
    for event in events:
        assert parse_payload(event_type_of(event), event.model_dump(mode="json")) == event


def test_a_confirmation_is_not_a_promotion_unless_said():
    confirmed = EnrolmentConfirmed(**enrolment(), source="provider")
    assert confirmed.promoted_from_waitlist is False


@pytest.mark.parametrize(
    ("model", "extra", "named"),
    [
        (EnrolmentWaitlisted, {"waitlist_position": 0}, "waitlist_position"),
        (EnrolmentRejected, {"reason_code": "full", "reason": "x"}, "reason_code"),
        (EnrolmentCancelled, {"cancelled_by": "operator"}, "cancelled_by"),
        (EnrolmentConfirmed, {"source": "email"}, "source"),
        (EnrolmentCertificateRevoked, {"certificate_id": "c", "reason": ""}, "reason"),
    ],
)
def test_enrolment_outcome_rules(model, extra, named):
    with pytest.raises(ValidationError) as refused:
        model(**enrolment(), **extra)
    assert [e["loc"][0] for e in refused.value.errors()] == [named]


def test_a_placement_proposal_is_keyed_by_learner():
    proposed = PlacementProposed(
        placement_id="pl-1",
        learner_id="learner-0815",
        offer_id="vhs-jena:ENG-B1-2025",
        offer_kind=OfferKind.COURSE,
        round_id="2025-autumn",
        occurred_at=NOW,
    )
    wire = proposed.model_dump(mode="json")
    assert wire["offer_kind"] == "course"
    declined = PlacementDeclined.model_validate({**wire, "reason": "zu weit weg"})
    assert event_type_of(declined) == "zll.placement.declined.v1"


def gap(**changes: Any) -> dict[str, Any]:
    return {
        "municipality": "Gera",
        "skill": SKILL,
        "horizon": "medium",
        "demand": 12,
        "supply": 5,
        "gap": 7,
        "detected_at": NOW,
        **changes,
    }


def test_a_demand_gap_is_demand_minus_supply():
    assert DemandGapDetected(**gap()).gap == 7
    with pytest.raises(ValidationError) as refused:
        DemandGapDetected(**gap(gap=6))
    assert refused.value.errors()[0]["loc"] == ("gap",)


def test_a_demand_gap_names_exactly_one_of_skill_or_occupation():
    with pytest.raises(ValidationError):
        DemandGapDetected(**gap(skill=None))


def test_feedback_tells_the_partner_which_fields_broke():
    feedback = FeedbackRejected(
        provider_id="vhs-jena",
        original_ce_id="abc-123",
        topic="zll.provider.courses.v1",
        errors=[FieldError(field="modules.0.eqf_level", message="at most 8")],
    )
    # On the wire (None left out) it reads as it did before the optional fields existed.
    assert feedback.model_dump(mode="json", exclude_none=True) == {
        "provider_id": "vhs-jena",
        "original_ce_id": "abc-123",
        "topic": "zll.provider.courses.v1",
        "errors": [{"field": "modules.0.eqf_level", "message": "at most 8"}],
    }


def test_feedback_names_the_course_it_refused():
    subject = RefusedSubject.of({"course_id": "vhs-jena:k1", "title": "  Englisch\n B1 ", "x": 1})
    assert subject == RefusedSubject(course_id="vhs-jena:k1", title="Englisch B1")
    assert RefusedSubject.of({"title": 7, "course_id": ""}) is None
    assert RefusedSubject.of({"title": "x" * 500}) == RefusedSubject(title="x" * 200)
    assert RefusedSubject.of({"title": "Kurs \ud800\x00"}) == RefusedSubject(title="Kurs")


def test_feedback_without_errors_is_not_feedback():
    with pytest.raises(ValidationError):
        FeedbackRejected(provider_id="vhs-jena", original_ce_id="a", topic="t", errors=[])
