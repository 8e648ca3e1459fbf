"""Recognition between providers ("Anrechnung"): declarations and decisions from providers on
`zll.provider.enrolments.v1`, requests and answers from the region on `zll.enrolments.v1`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from zll_contracts.payloads.common import (
    MAX_LIST,
    CourseId,
    EscoSkillUri,
    InboundPayload,
    ModuleId,
    OpaqueId,
    OutboundPayload,
    ProviderId,
    Reason,
)
from zll_contracts.payloads.enrolments import Email, Locale

__all__ = [
    "NamedModule",
    "RecognitionAnswered",
    "RecognitionDecided",
    "RecognitionDeclarationRecorded",
    "RecognitionDeclared",
    "RecognitionOutcome",
    "RecognitionRequested",
]


class NamedModule(InboundPayload):
    """A module of another provider's course, recognised as it is."""

    provider_id: ProviderId
    course_id: CourseId
    module_id: ModuleId


class RecognitionDeclared(InboundPayload):
    """`zll.recognition.declared.v1`: what a provider recognises for one of its own modules.

    Either `named` (a module of another provider's course) or a rule: every skill in
    `skills`, at least `min_eqf_level`, at least `min_workload_hours`, not older than
    `max_age_years`. A later declaration with the same id replaces it.
    """

    declaration_id: OpaqueId = Field(description="Chosen by the provider; replaces its own.")
    course_id: CourseId = Field(description="The provider's own course (its id's prefix).")
    module_id: ModuleId = Field(description="The module of that course it recognises for.")
    named: NamedModule | None = None
    skills: Annotated[list[EscoSkillUri], Field(max_length=MAX_LIST)] = Field(
        default_factory=list, description="ESCO skills the achievement must all cover."
    )
    min_eqf_level: Annotated[int, Field(ge=1, le=8)] | None = None
    min_workload_hours: Annotated[float, Field(gt=0, le=10_000)] | None = None
    max_age_years: Annotated[int, Field(ge=1, le=60)] | None = None
    accepts_external: bool = Field(
        default=False, description="Also accept verified evidence from outside the region."
    )
    declared_at: AwareDatetime


class RecognitionOutcome(StrEnum):
    ACCEPTED = "accepted"
    PARTIAL = "partial"
    REFUSED = "refused"


DecisionReason = Annotated[str, StringConstraints(max_length=2_000)]


class RecognitionDecided(InboundPayload):
    """`zll.recognition.decided.v1`: the course's provider decides a learner's request.

    Final: a second decision for the same request is refused unless `supersedes` names the
    decision it replaces (which stays on record).
    """

    request_id: UUID
    decision_id: OpaqueId
    outcome: RecognitionOutcome
    modules: Annotated[list[ModuleId], Field(max_length=MAX_LIST)] = Field(
        default_factory=list, description="The modules recognised (none when refused)."
    )
    reason: DecisionReason = ""
    supersedes: OpaqueId | None = None
    decided_at: AwareDatetime


class RecognitionAnnouncement(OutboundPayload):
    request_id: UUID
    course_id: CourseId
    provider_id: ProviderId
    learner_id: OpaqueId
    occurred_at: AwareDatetime
    contact_email: Email | None = None
    locale: Locale | None = None


class RecognitionDeclarationRecorded(OutboundPayload):
    """`zll.recognition.declaration-recorded.v1`: the region recorded a provider's declaration
    (from the partner event or HTTP), so counselling can plan with what is recognisable.

    The fields mean what they mean in `zll.recognition.declared.v1`; a later one with the same
    `declaration_id` replaces it.
    """

    declaration_id: OpaqueId
    provider_id: ProviderId
    course_id: CourseId
    module_id: ModuleId
    named: NamedModule | None = None
    skills: Annotated[list[EscoSkillUri], Field(max_length=MAX_LIST)] = Field(default_factory=list)
    min_eqf_level: Annotated[int, Field(ge=1, le=8)] | None = None
    min_workload_hours: Annotated[float, Field(gt=0, le=10_000)] | None = None
    max_age_years: Annotated[int, Field(ge=1, le=60)] | None = None
    accepts_external: bool = False
    occurred_at: AwareDatetime


class RecognitionRequested(RecognitionAnnouncement):
    """`zll.recognition.requested.v1`: a learner asks the provider to recognise modules."""

    modules: Annotated[list[ModuleId], Field(max_length=MAX_LIST)]
    reasons: Annotated[list[Reason], Field(max_length=MAX_LIST)] = Field(
        description="Why each module is covered, in German, as the region computed it."
    )


class RecognitionAnswered(RecognitionAnnouncement):
    """`zll.recognition.answered.v1`: the provider decided; notify tells the learner."""

    decision_id: OpaqueId
    outcome: RecognitionOutcome
    modules: Annotated[list[ModuleId], Field(max_length=MAX_LIST)]
    reason: DecisionReason = ""
    supersedes: OpaqueId | None = None
