"""A learner's own rights over their data: the request to erase it, on `zll.learners.v1`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime

from zll_contracts.payloads.common import OpaqueId, OutboundPayload

__all__ = ["ErasureRequestedBy", "LearnerErasureRequested"]


class ErasureRequestedBy(StrEnum):
    LEARNER = "learner"
    OPERATOR = "operator"


class LearnerErasureRequested(OutboundPayload):
    """Every service deletes or pseudonymises what it holds of this learner (GDPR Art. 17).

    Announced once by the service that took the request; each service acts on it in the
    same transaction as its inbox entry, so a redelivery erases nothing twice.
    """

    learner_id: OpaqueId
    requested_at: AwareDatetime
    requested_by: ErasureRequestedBy
