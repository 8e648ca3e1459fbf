"""Demand for skills: partners' reports and the gaps matching detects on `zll.demand.v1`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from zll_contracts.payloads.common import (
    EscoOccupationUri,
    EscoSkillUri,
    InboundPayload,
    Municipality,
    OpaqueId,
    OutboundPayload,
    ProviderId,
    refuse,
)

__all__ = ["DemandGapDetected", "DemandReported", "Horizon", "check_skill_or_occupation"]

Count = Annotated[int, Field(ge=0, le=1_000_000)]


class Horizon(StrEnum):
    """When the demand falls due: short ≤ 1 year, medium 1–3 years, long > 3 years."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


def check_skill_or_occupation(skill: str | None, info: ValidationInfo) -> str | None:
    """Demand names exactly one of a skill or an occupation; the error is filed at `skill`."""
    if "occupation" not in info.data:
        return skill  # occupation itself was refused; that error says enough
    occupation = info.data["occupation"]
    if skill is None and occupation is None:
        raise refuse("skill_or_occupation", "give either skill or occupation")
    if skill is not None and occupation is not None:
        raise refuse("skill_or_occupation", "give either skill or occupation, not both")
    return skill


class DemandReported(InboundPayload):
    """`zll.demand.reported.v1`: a partner expects to need people with a skill or occupation."""

    report_id: OpaqueId
    partner_id: ProviderId
    # occupation comes before skill so that skill's validator can see both.
    occupation: EscoOccupationUri | None = None
    skill: EscoSkillUri | None = Field(
        default=None, validate_default=True, description="Exactly one of skill or occupation."
    )
    headcount: Annotated[int, Field(ge=1, le=1_000_000)]
    horizon: Horizon
    municipality: Municipality

    _one_of = field_validator("skill")(check_skill_or_occupation)


class DemandGapDetected(OutboundPayload):
    """`zll.demand.gap-detected.v1`: reported demand exceeds what courses and offers supply."""

    municipality: Municipality
    occupation: EscoOccupationUri | None = None
    skill: EscoSkillUri | None = Field(
        default=None, validate_default=True, description="Exactly one of skill or occupation."
    )
    horizon: Horizon
    demand: Count = Field(description="Headcount reported for the horizon.")
    supply: Count = Field(description="Seats and places that cover it.")
    gap: Annotated[int, Field(ge=-1_000_000, le=1_000_000)] = Field(description="demand - supply.")
    detected_at: AwareDatetime

    _one_of = field_validator("skill")(check_skill_or_occupation)

    @field_validator("gap")
    @classmethod
    def _gap_is_difference(cls, gap: int, info: ValidationInfo) -> int:
        demand, supply = info.data.get("demand"), info.data.get("supply")
        if demand is not None and supply is not None and gap != demand - supply:
            raise refuse(
                "gap_mismatch", "gap must equal demand - supply ({gap})", gap=demand - supply
            )
        return gap
