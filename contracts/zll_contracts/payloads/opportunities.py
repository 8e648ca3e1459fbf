"""Internships, apprenticeships and jobs on offer, from `zll.provider.opportunities.v1`."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from zll_contracts.payloads.common import (
    MAX_LIST,
    EscoSkillUri,
    InboundPayload,
    Municipality,
    OpaqueId,
    ProviderId,
    Reason,
    Revision,
    SeatCount,
    Title,
)

__all__ = ["OpportunityKind", "OpportunityUpserted", "OpportunityWithdrawn"]


class OpportunityKind(StrEnum):
    """What an employer offers."""

    INTERNSHIP = "internship"
    APPRENTICESHIP = "apprenticeship"
    JOB = "job"


class OpportunityUpserted(InboundPayload):
    """`zll.opportunity.upserted.v1`: the full current state of one opportunity."""

    opportunity_id: OpaqueId
    # Partners share the provider id syntax: feedback to them is keyed by `provider_id`.
    partner_id: ProviderId
    kind: OpportunityKind
    title: Title
    required_skills: Annotated[list[EscoSkillUri], Field(max_length=MAX_LIST)]
    municipality: Municipality
    seats: SeatCount
    start_date: date
    revision: Revision


class OpportunityWithdrawn(InboundPayload):
    """`zll.opportunity.withdrawn.v1`: the opportunity is no longer offered."""

    opportunity_id: OpaqueId
    partner_id: ProviderId
    revision: Revision
    reason: Reason | None = None
