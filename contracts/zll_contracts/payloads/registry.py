"""Which model reads which `ce_type`, and parsing a payload into readable field errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from zll_contracts.field_texts import describe_error
from zll_contracts.payloads.catalog import CoursePublished, CourseWithdrawnFromCatalog
from zll_contracts.payloads.courses import CourseUpserted, CourseWithdrawn
from zll_contracts.payloads.demand import DemandGapDetected, DemandReported
from zll_contracts.payloads.enrolments import (
    EnrolmentCancelled,
    EnrolmentCancelRequested,
    EnrolmentCertificateRevoked,
    EnrolmentCertificateSuspended,
    EnrolmentCertified,
    EnrolmentCompleted,
    EnrolmentConfirmed,
    EnrolmentOfferAnswered,
    EnrolmentOfferDeclined,
    EnrolmentOffered,
    EnrolmentOfferExpired,
    EnrolmentRejected,
    EnrolmentRequested,
    EnrolmentWaitlisted,
)
from zll_contracts.payloads.feedback import FeedbackRejected, FieldError, ImportReported
from zll_contracts.payloads.learners import LearnerErasureRequested
from zll_contracts.payloads.opportunities import OpportunityUpserted, OpportunityWithdrawn
from zll_contracts.payloads.placements import (
    PlacementAccepted,
    PlacementDeclined,
    PlacementProposed,
)
from zll_contracts.payloads.projects import (
    ProjectMemberAnswered,
    ProjectMemberInvited,
    ProjectStateChanged,
)
from zll_contracts.payloads.recognition import (
    RecognitionAnswered,
    RecognitionDecided,
    RecognitionDeclarationRecorded,
    RecognitionDeclared,
    RecognitionRequested,
)

__all__ = [
    "EVENT_MODELS",
    "ROOT_FIELD",
    "PayloadRefused",
    "UnknownEventType",
    "event_type_of",
    "field_errors",
    "parse_payload",
]

EVENT_MODELS: dict[str, type[BaseModel]] = {
    "zll.course.upserted.v1": CourseUpserted,
    "zll.course.withdrawn.v1": CourseWithdrawn,
    "zll.enrolment.requested.v1": EnrolmentRequested,
    "zll.enrolment.cancel-requested.v1": EnrolmentCancelRequested,
    "zll.enrolment.completed.v1": EnrolmentCompleted,
    "zll.enrolment.offer-answered.v1": EnrolmentOfferAnswered,
    "zll.opportunity.upserted.v1": OpportunityUpserted,
    "zll.opportunity.withdrawn.v1": OpportunityWithdrawn,
    "zll.demand.reported.v1": DemandReported,
    "zll.catalog.course-published.v1": CoursePublished,
    "zll.catalog.course-withdrawn.v1": CourseWithdrawnFromCatalog,
    "zll.enrolment.confirmed.v1": EnrolmentConfirmed,
    "zll.enrolment.waitlisted.v1": EnrolmentWaitlisted,
    "zll.enrolment.rejected.v1": EnrolmentRejected,
    "zll.enrolment.cancelled.v1": EnrolmentCancelled,
    "zll.enrolment.certified.v1": EnrolmentCertified,
    "zll.enrolment.certificate-revoked.v1": EnrolmentCertificateRevoked,
    "zll.enrolment.certificate-suspended.v1": EnrolmentCertificateSuspended,
    "zll.enrolment.offered.v1": EnrolmentOffered,
    "zll.enrolment.offer-declined.v1": EnrolmentOfferDeclined,
    "zll.enrolment.offer-expired.v1": EnrolmentOfferExpired,
    "zll.placement.proposed.v1": PlacementProposed,
    "zll.placement.accepted.v1": PlacementAccepted,
    "zll.placement.declined.v1": PlacementDeclined,
    "zll.demand.gap-detected.v1": DemandGapDetected,
    "zll.feedback.rejected.v1": FeedbackRejected,
    "zll.feedback.import-reported.v1": ImportReported,
    "zll.learner.erasure-requested.v1": LearnerErasureRequested,
    "zll.project.state-changed.v1": ProjectStateChanged,
    "zll.project.member-invited.v1": ProjectMemberInvited,
    "zll.project.member-answered.v1": ProjectMemberAnswered,
    "zll.recognition.declared.v1": RecognitionDeclared,
    "zll.recognition.decided.v1": RecognitionDecided,
    "zll.recognition.requested.v1": RecognitionRequested,
    "zll.recognition.answered.v1": RecognitionAnswered,
    "zll.recognition.declaration-recorded.v1": RecognitionDeclarationRecorded,
}
_EVENT_TYPES: dict[type[BaseModel], str] = {model: name for name, model in EVENT_MODELS.items()}

# The field named when the payload as a whole is wrong (e.g. `data` is a list).
ROOT_FIELD = "data"
_MAX_MESSAGE = 1_000


class UnknownEventType(ValueError):
    """No payload model for this `ce_type`: the record belongs on the dead-letter topic."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type[:200]!r}")
        self.event_type = event_type


class PayloadRefused(ValueError):
    """The payload parsed as JSON but breaks a rule of the contract; `errors` says which."""

    def __init__(self, event_type: str, errors: list[FieldError]) -> None:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{event_type} refused: {summary}")
        self.event_type = event_type
        self.errors = errors


def event_type_of(model: BaseModel | type[BaseModel]) -> str:
    """The `ce_type` a payload (or payload class) is published as."""
    cls = model if isinstance(model, type) else type(model)
    return _EVENT_TYPES[cls]


def field_errors(error: ValidationError, model: type[BaseModel] | None = None) -> list[FieldError]:
    """One FieldError per broken field, in the order pydantic found them, each also worded
    for people in German and English (`model`, when given, tells what is allowed)."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for detail in error.errors(include_url=False):
        path = ".".join(str(part) for part in detail["loc"]) or ROOT_FIELD
        text = describe_error(detail, model)
        found.setdefault(path[:256], []).append((detail["msg"], text.de, text.en))
    return [
        FieldError(
            field=path,
            message=_joined(m for m, _, _ in texts),
            message_de=_joined((de for _, de, _ in texts), " "),
            message_en=_joined((en for _, _, en in texts), " "),
        )
        for path, texts in found.items()
    ]


def _joined(messages: Iterable[str], separator: str = "; ") -> str:
    return separator.join(dict.fromkeys(messages))[:_MAX_MESSAGE]


def parse_payload(event_type: str, data: Mapping[str, Any]) -> BaseModel:
    """Validate `data` as the payload of `event_type`.

    Raises UnknownEventType when no model exists for the type, and PayloadRefused (with one
    FieldError per broken field) when the payload breaks a rule of the contract.
    """
    model = EVENT_MODELS.get(event_type)
    if model is None:
        raise UnknownEventType(event_type)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PayloadRefused(event_type, field_errors(error, model)) from error
