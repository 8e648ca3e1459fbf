"""Pydantic models for the `data` object of every event type in the contract."""

from zll_contracts.payloads.catalog import CoursePublished, CourseWithdrawnFromCatalog
from zll_contracts.payloads.courses import (
    Certificate,
    CourseFormat,
    CourseState,
    CourseUpserted,
    CourseWithdrawn,
    Location,
    Module,
    TargetGroup,
)
from zll_contracts.payloads.demand import DemandGapDetected, DemandReported, Horizon
from zll_contracts.payloads.enrolments import (
    CancelledBy,
    Contact,
    EnrolmentCancelled,
    EnrolmentCancelRequested,
    EnrolmentCertified,
    EnrolmentCompleted,
    EnrolmentConfirmed,
    EnrolmentOutcome,
    EnrolmentRejected,
    EnrolmentRequested,
    EnrolmentSource,
    EnrolmentWaitlisted,
    RejectionReason,
)
from zll_contracts.payloads.feedback import FeedbackRejected, FieldError, RefusedSubject
from zll_contracts.payloads.learners import ErasureRequestedBy, LearnerErasureRequested
from zll_contracts.payloads.opportunities import (
    OpportunityKind,
    OpportunityUpserted,
    OpportunityWithdrawn,
)
from zll_contracts.payloads.placements import (
    OfferKind,
    PlacementAccepted,
    PlacementDeclined,
    PlacementEvent,
    PlacementProposed,
)
from zll_contracts.payloads.registry import (
    EVENT_MODELS,
    PayloadRefused,
    UnknownEventType,
    event_type_of,
    field_errors,
    parse_payload,
)

__all__ = [
    "EVENT_MODELS",
    "CancelledBy",
    "Certificate",
    "Contact",
    "CourseFormat",
    "CoursePublished",
    "CourseState",
    "CourseUpserted",
    "CourseWithdrawn",
    "CourseWithdrawnFromCatalog",
    "DemandGapDetected",
    "DemandReported",
    "EnrolmentCancelRequested",
    "EnrolmentCancelled",
    "EnrolmentCertified",
    "EnrolmentCompleted",
    "EnrolmentConfirmed",
    "EnrolmentOutcome",
    "EnrolmentRejected",
    "EnrolmentRequested",
    "EnrolmentSource",
    "EnrolmentWaitlisted",
    "ErasureRequestedBy",
    "FeedbackRejected",
    "FieldError",
    "Horizon",
    "LearnerErasureRequested",
    "Location",
    "Module",
    "OfferKind",
    "OpportunityKind",
    "OpportunityUpserted",
    "OpportunityWithdrawn",
    "PayloadRefused",
    "PlacementAccepted",
    "PlacementDeclined",
    "PlacementEvent",
    "PlacementProposed",
    "RefusedSubject",
    "RejectionReason",
    "TargetGroup",
    "UnknownEventType",
    "event_type_of",
    "field_errors",
    "parse_payload",
]
