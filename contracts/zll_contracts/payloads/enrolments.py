"""Enrolments: partner requests on `zll.provider.enrolments.v1`, outcomes on `zll.enrolments.v1`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from zll_contracts.payloads.common import (
    MAX_LIST,
    CourseId,
    InboundPayload,
    ModuleId,
    OpaqueId,
    OutboundPayload,
    Reason,
)

__all__ = [
    "CancelledBy",
    "Contact",
    "EnrolmentCancelRequested",
    "EnrolmentCancelled",
    "EnrolmentCertificateRevoked",
    "EnrolmentCertificateSuspended",
    "EnrolmentCertified",
    "EnrolmentCompleted",
    "EnrolmentConfirmed",
    "EnrolmentOfferAnswered",
    "EnrolmentOfferDeclined",
    "EnrolmentOfferExpired",
    "EnrolmentOffered",
    "EnrolmentOutcome",
    "EnrolmentRejected",
    "EnrolmentRequested",
    "EnrolmentSource",
    "EnrolmentWaitlisted",
    "OfferAnswer",
    "RejectionReason",
]

# Deliberately loose: the address is only used to notify, and a stricter check needs a
# dependency partners would have to install too.
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
# BCP 47-ish: `de`, `de-DE`, `en_GB`.
Locale = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
]


class Contact(InboundPayload):
    """How the learner wants to be reached about this enrolment."""

    email: Email | None = None
    locale: Locale | None = None


class EnrolmentRequested(InboundPayload):
    """`zll.enrolment.requested.v1`: a learner registered at the provider's own desk."""

    enrolment_id: UUID = Field(description="Chosen by the sender; the idempotency key.")
    course_id: CourseId
    learner_id: OpaqueId
    requested_at: AwareDatetime
    contact: Contact | None = None


class EnrolmentCancelRequested(InboundPayload):
    """`zll.enrolment.cancel-requested.v1`: the provider asks to cancel an enrolment."""

    enrolment_id: UUID
    reason: Reason | None = None


class EnrolmentCompleted(InboundPayload):
    """`zll.enrolment.completed.v1`: the course's own provider reports what was passed."""

    enrolment_id: UUID
    modules_passed: Annotated[list[ModuleId], Field(max_length=MAX_LIST)]
    completed_at: AwareDatetime


class OfferAnswer(StrEnum):
    """What a learner answered to a seat held for them."""

    ACCEPT = "accept"
    DECLINE = "decline"


class EnrolmentOfferAnswered(InboundPayload):
    """`zll.enrolment.offer-answered.v1`: the learner answered a timed seat offer at the
    provider's own desk; only the course's own provider may send it."""

    enrolment_id: UUID
    answer: OfferAnswer = Field(
        description="accept: the held seat is taken; decline: it passes on."
    )
    reason: Reason | None = None


class EnrolmentSource(StrEnum):
    """Where the request that led to a confirmation came from."""

    HTTP = "http"
    PROVIDER = "provider"
    PLACEMENT = "placement"


class RejectionReason(StrEnum):
    """Why an enrolment was refused; machine-readable, `reason` carries the prose."""

    UNKNOWN_COURSE = "unknown-course"
    COURSE_WITHDRAWN = "course-withdrawn"
    COURSE_ENDED = "course-ended"
    ALREADY_ENROLLED = "already-enrolled"
    NOT_AUTHORISED = "not-authorised"


class CancelledBy(StrEnum):
    """Who or what ended an enrolment."""

    LEARNER = "learner"
    PROVIDER = "provider"
    WITHDRAWAL = "withdrawal"
    COUNSELLOR = "counsellor"


class EnrolmentOutcome(OutboundPayload):
    """What every event on `zll.enrolments.v1` carries, so a reader needs no lookup."""

    enrolment_id: UUID
    course_id: CourseId
    learner_id: OpaqueId
    occurred_at: AwareDatetime
    # Copied from the request's contact, so notify can reach the learner without a lookup.
    contact_email: Email | None = Field(
        default=None, description="Where the learner wants e-mail about this enrolment."
    )
    locale: Locale | None = Field(
        default=None, description="The learner's language for notifications, e.g. de or en."
    )


class EnrolmentConfirmed(EnrolmentOutcome):
    """`zll.enrolment.confirmed.v1`: the learner has a seat."""

    source: EnrolmentSource
    promoted_from_waitlist: bool = False
    placement_id: OpaqueId | None = Field(
        default=None, description="The accepted placement this enrolment came from, if any."
    )


class EnrolmentWaitlisted(EnrolmentOutcome):
    """`zll.enrolment.waitlisted.v1`: the course is full; first come, first served."""

    waitlist_position: Annotated[int, Field(ge=1, le=1_000_000)]
    source: EnrolmentSource | None = Field(
        default=None, description="Where the request came from (http, provider, placement)."
    )
    placement_id: OpaqueId | None = Field(
        default=None, description="The accepted placement this enrolment came from, if any."
    )
    reason: Reason | None = Field(
        default=None,
        description="Why a placement's reserved seat became a waitlist place, when it did.",
    )


class EnrolmentRejected(EnrolmentOutcome):
    """`zll.enrolment.rejected.v1`: the request had no effect."""

    reason_code: RejectionReason
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class EnrolmentCancelled(EnrolmentOutcome):
    """`zll.enrolment.cancelled.v1`: the seat or waitlist place is given up."""

    cancelled_by: CancelledBy
    reason: Reason | None = None


class EnrolmentCertified(EnrolmentOutcome):
    """`zll.enrolment.certified.v1`: a verifiable certificate was issued."""

    certificate_id: OpaqueId = Field(description="Verifiable at GET /certificates/{id}.")
    modules: Annotated[list[ModuleId], Field(max_length=MAX_LIST)] = Field(
        description="The module_ids the certificate covers."
    )
    recognised_modules: Annotated[list[ModuleId], Field(max_length=MAX_LIST)] = Field(
        default_factory=list,
        description="Modules the certificate lists as recognised from prior learning, not "
        "passed here (not in `modules`).",
    )


class EnrolmentCertificateRevoked(EnrolmentOutcome):
    """`zll.enrolment.certificate-revoked.v1`: the region revoked a certificate issued in error;
    it is final, and the modules it covers no longer count anywhere. `occurred_at` is when."""

    certificate_id: OpaqueId = Field(description="The certificate of `zll.enrolment.certified.v1`.")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000)] = Field(
        description="Why, as the operator gave it."
    )


class EnrolmentCertificateSuspended(EnrolmentOutcome):
    """`zll.enrolment.certificate-suspended.v1`: the region suspended a certificate while a
    doubt is cleared (`suspended` true), or lifted the suspension (`suspended` false). While
    suspended its modules do not count; the latest `occurred_at` holds. A revocation stays."""

    certificate_id: OpaqueId = Field(description="The certificate of `zll.enrolment.certified.v1`.")
    suspended: bool = Field(description="true: suspended from now; false: the suspension ended.")
    reason: Reason | None = Field(
        default=None, description="Why it was suspended; none when lifted."
    )


class EnrolmentOffered(EnrolmentOutcome):
    """`zll.enrolment.offered.v1`: a freed seat is held for this waitlisted learner until
    `offer_expires_at`; it is theirs once they accept (then `zll.enrolment.confirmed.v1`)."""

    offer_expires_at: AwareDatetime = Field(
        description="The deadline to accept; never later than the course's start."
    )
    source: EnrolmentSource | None = Field(
        default=None, description="Where the request came from (http, provider, placement)."
    )
    placement_id: OpaqueId | None = Field(
        default=None, description="The accepted placement this enrolment came from, if any."
    )


class EnrolmentOfferDeclined(EnrolmentOutcome):
    """`zll.enrolment.offer-declined.v1`: the learner said no; the seat goes to the next one
    waiting. `occurred_at` is when they declined; the enrolment has ended."""

    reason: Reason | None = None


class EnrolmentOfferExpired(EnrolmentOutcome):
    """`zll.enrolment.offer-expired.v1`: nobody answered in time; the seat goes to the next
    one waiting. The enrolment has ended; the learner may enrol again, at the back."""

    offer_expires_at: AwareDatetime = Field(description="The deadline that passed.")
