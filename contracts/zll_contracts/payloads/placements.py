"""Placements that matching proposes to learners, on `zll.placements.v1` keyed by learner."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from zll_contracts.payloads.common import OpaqueId, OutboundPayload, Reason

__all__ = [
    "OfferKind",
    "PlacementAccepted",
    "PlacementDeclined",
    "PlacementEvent",
    "PlacementProposed",
]


class OfferKind(StrEnum):
    """What a placement places a learner in; a course offer_id is a course_id."""

    COURSE = "course"
    INTERNSHIP = "internship"
    APPRENTICESHIP = "apprenticeship"
    JOB = "job"


class PlacementEvent(OutboundPayload):
    """What every event on `zll.placements.v1` carries."""

    placement_id: OpaqueId
    learner_id: OpaqueId
    offer_id: OpaqueId
    offer_kind: OfferKind
    round_id: OpaqueId | None = None
    occurred_at: AwareDatetime
    # Added with waves: the round's wave that proposed the place (1 for a round without waves).
    wave: int | None = Field(default=None, ge=1)


class PlacementProposed(PlacementEvent):
    """`zll.placement.proposed.v1`: matching offers the learner a place."""


class PlacementAccepted(PlacementEvent):
    """`zll.placement.accepted.v1`: the learner took the place."""


class PlacementDeclined(PlacementEvent):
    """`zll.placement.declined.v1`: the learner turned the place down."""

    reason: Reason | None = None
