"""Joint projects of the region's members on `zll.cooperative.projects.v1` (writer: cooperative)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from zll_contracts.payloads.common import (
    MAX_LIST,
    EscoSkillUri,
    Municipality,
    OpaqueId,
    OutboundPayload,
    Payload,
    ProviderId,
    Title,
)
from zll_contracts.payloads.courses import TargetGroup

__all__ = [
    "Answer",
    "ProjectMemberAnswered",
    "ProjectMemberInvited",
    "ProjectPart",
    "ProjectState",
    "ProjectStateChanged",
]

Reasons = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=500)]],
    Field(max_length=MAX_LIST),
]


class ProjectState(StrEnum):
    """Where a joint project stands: idea → consortium → submitted → granted or refused →
    running → reported."""

    IDEA = "idea"
    CONSORTIUM = "consortium"
    SUBMITTED = "submitted"
    GRANTED = "granted"
    REFUSED = "refused"
    RUNNING = "running"
    REPORTED = "reported"


class Answer(StrEnum):
    """A member's answer to an invitation."""

    JOIN = "join"
    DECLINE = "decline"


class ProjectPart(Payload):
    """One piece of a call a member takes: a skill taught in a municipality (or online)."""

    skill: EscoSkillUri
    municipality: Municipality = Field(description="Where, or `online`.")
    target_groups: Annotated[list[TargetGroup], Field(max_length=10)] = Field(
        default_factory=list, description="The life phases served there."
    )


class ProjectStateChanged(OutboundPayload):
    """`zll.project.state-changed.v1`: a joint project moved to another state."""

    project_id: OpaqueId
    call_id: OpaqueId
    title: Title
    from_state: ProjectState | None = Field(description="None when the project was created.")
    state: ProjectState
    members: Annotated[list[ProviderId], Field(max_length=MAX_LIST)] = Field(
        description="Members that have joined, at the time of the change."
    )
    changed_by: OpaqueId = Field(description="`sub` of the token that made the change.")
    changed_at: AwareDatetime


class ProjectMemberInvited(OutboundPayload):
    """`zll.project.member-invited.v1`: a member is asked to join a consortium for a call."""

    project_id: OpaqueId
    call_id: OpaqueId
    title: Title
    provider_id: ProviderId
    parts: Annotated[list[ProjectPart], Field(max_length=MAX_LIST)] = Field(
        description="What the region proposes this member covers."
    )
    reasons: Reasons = Field(description="Why this member, in words (German).")
    invited_by: OpaqueId
    invited_at: AwareDatetime


class ProjectMemberAnswered(OutboundPayload):
    """`zll.project.member-answered.v1`: a member joined (with the part it takes) or declined."""

    project_id: OpaqueId
    provider_id: ProviderId
    answer: Answer
    parts: Annotated[list[ProjectPart], Field(max_length=MAX_LIST)] = Field(
        default_factory=list, description="The part taken when joining; empty on decline."
    )
    answered_by: OpaqueId
    answered_at: AwareDatetime
